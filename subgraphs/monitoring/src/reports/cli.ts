/**
 * `npm run --silent report -- <period> [--agency <code>] [--format pdf|xlsx|csv] [--out <file>] [--environment
 * production|test]`: a report written to a file (or `--out -`, standard output), read from the audit log as the other
 * commands find it:
 *
 * 1. `REDIS_URL` (+ `REDIS_KEY_PREFIX`, default `lgsp:`): the audit log in Redis, as every service writes it;
 * 2. else `MONITORING_URL` + `MONITORING_INTERNAL_TOKEN`: the log monitoring holds (its `/internal/v1/audit`);
 * 3. else the `npm start` running in this checkout (the `monitoring` url and token it records for the commands).
 *
 * Agency names come from the registry (`REGISTRY_URL` + `REGISTRY_INTERNAL_TOKEN`, or `npm start`'s); without it the
 * report names agencies by their codes. Exit codes: 0 written, 1 the log could not be read, 2 a usage error or an
 * invalid period (the message says which).
 */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { createHttpAuditLog, createRedisAuditLog, type AuditLog } from '@lgsp/audit';
import { connectRedis, createLogger, LgspError, type Environment, type RedisClient } from '@lgsp/kit';
import { registryAgencyNames, staticAgencyNames } from './agency-names.ts';
import { parsePeriod } from '../statistics/period.ts';
import { REPORT_FORMATS, reportFileName, type ReportFormat } from './report-data.ts';
import { prepareReport } from './report-service.ts';

export const REPORT_USAGE = `Usage: npm run --silent report -- <period> [--agency <code>] [--format pdf|xlsx|csv] [--out <file>|-] [--environment production|test]

  <period>       a day 2026-11-05, a month 2026-11, a quarter 2026-Q4 or a year 2026 (Vietnam time)
  --agency       one agency's report (mã định danh, e.g. 000.00.04.H41); omitted: the whole province
  --format       pdf (default), xlsx or csv
  --out          the file to write (default: bao-cao-<period>-<agency|toan-tinh>.<format> here); - for standard output
  --environment  production (default) or test records

The audit log: REDIS_URL (+ REDIS_KEY_PREFIX), else MONITORING_URL + MONITORING_INTERNAL_TOKEN, else the npm start
running in this checkout. Agency names: REGISTRY_URL + REGISTRY_INTERNAL_TOKEN, else npm start's registry, else codes.`;

export interface ReportCommandArgs {
  period: string;
  agency: string | null;
  format: ReportFormat;
  out: string | null;
  environment: Environment;
}

/** The arguments, or a usage error's message. */
export function parseReportArgs(argv: readonly string[]): ReportCommandArgs | string {
  const args: Partial<ReportCommandArgs> = { agency: null, format: 'pdf', out: null, environment: 'production' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next !== '-')) throw new Error(`${arg} needs a value`);
      i += 1;
      return next;
    };
    try {
      if (arg === '--agency') args.agency = value();
      else if (arg === '--format') {
        const format = value().toLowerCase();
        if (!(REPORT_FORMATS as readonly string[]).includes(format)) return `--format must be pdf, xlsx or csv (got "${format}")`;
        args.format = format as ReportFormat;
      } else if (arg === '--out') args.out = value();
      else if (arg === '--environment') {
        const environment = value();
        if (environment !== 'production' && environment !== 'test') return `--environment must be production or test (got "${environment}")`;
        args.environment = environment;
      } else if (arg.startsWith('--')) return `unknown option ${arg}`;
      else if (args.period === undefined) args.period = arg;
      else return `one period only (got "${args.period}" and "${arg}")`;
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (args.period === undefined) return 'the period is missing';
  return args as ReportCommandArgs;
}

export interface ReportCommandIo {
  env: Record<string, string | undefined>;
  stdout: Writable;
  stderr: Writable;
  /** The `npm start` of this checkout, as scripts/running-platform.ts records it. */
  running?: { monitoring?: { url: string; token: string } | undefined; registry?: { url: string; token: string } | undefined } | undefined;
  cwd?: string;
  now?: Date;
}

/** Runs the command; answers the exit code. */
export async function runReportCommand(argv: readonly string[], io: ReportCommandIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  const args = parseReportArgs(argv);
  if (typeof args === 'string') {
    say(`report: ${args}\n\n${REPORT_USAGE}`);
    return 2;
  }
  let period;
  try {
    period = parsePeriod(args.period, io.now);
  } catch (error) {
    if (error instanceof LgspError) {
      say(`report: ${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger('report', 'warn');
  const { env } = io;
  let redis: RedisClient | undefined;
  let log: AuditLog;
  let source: string;
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '') {
    redis = await connectRedis(env.REDIS_URL, { name: 'lgsp-report' });
    log = createRedisAuditLog(redis, { keyPrefix: env.REDIS_KEY_PREFIX ?? 'lgsp:' });
    source = 'Redis (REDIS_URL)';
  } else if (env.MONITORING_URL !== undefined && env.MONITORING_INTERNAL_TOKEN !== undefined) {
    log = createHttpAuditLog({ baseUrl: env.MONITORING_URL, token: env.MONITORING_INTERNAL_TOKEN, timeoutMs: 60_000 });
    source = `monitoring at ${env.MONITORING_URL}`;
  } else if (io.running?.monitoring !== undefined) {
    log = createHttpAuditLog({ baseUrl: io.running.monitoring.url, token: io.running.monitoring.token, timeoutMs: 60_000 });
    source = `npm start's monitoring at ${io.running.monitoring.url}`;
  } else {
    say('report: no audit log to read: set REDIS_URL, or MONITORING_URL and MONITORING_INTERNAL_TOKEN, or run it next to npm start');
    return 2;
  }
  const registry =
    env.REGISTRY_URL !== undefined && env.REGISTRY_INTERNAL_TOKEN !== undefined
      ? { url: env.REGISTRY_URL, token: env.REGISTRY_INTERNAL_TOKEN }
      : io.running?.registry;
  const names = registry === undefined ? staticAgencyNames() : registryAgencyNames({ baseUrl: registry.url, token: registry.token, logger });
  const fileName = reportFileName(period, args.agency, args.format);
  const target = args.out === '-' ? null : resolve(io.cwd ?? process.cwd(), args.out ?? fileName);
  try {
    const write = await prepareReport(
      { log, names, now: io.now },
      { period: period.text, agency: args.agency, format: args.format, environment: args.environment },
    );
    if (target === null) {
      // Standard output is not ended: the writer's end() of it would close the process's stdout for everyone.
      const { PassThrough } = await import('node:stream');
      const pass = new PassThrough();
      pass.pipe(io.stdout, { end: false });
      await write(pass);
    } else {
      await write(createWriteStream(target));
      say(`report: wrote ${target} (${args.format}, ${period.label}, ${args.agency ?? 'toàn tỉnh'}; records from ${source})`);
    }
    return 0;
  } catch (error) {
    say(`report: could not read the audit log from ${source}: ${(error as Error).message}`);
    return 1;
  } finally {
    await log.close().catch(() => undefined);
    await redis?.quit().catch(() => undefined);
  }
}
