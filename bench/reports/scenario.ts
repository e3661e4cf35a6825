/**
 * Report bench (issue 17, performance): a province-month of BENCH_REPORT_OPERATIONS operations (default 5,000,000)
 * over BENCH_REPORT_AGENCIES consumer agencies (default 130, departments and communes) and 6 providers, stored as the
 * Redis audit log's daily rollups (generate.ts); then, in a child process, the province-wide monthly report as PDF
 * and as XLSX (produce.ts). Prints the time of each and the child's peak RSS beside the goals: both files in under
 * 60 s, memory bounded (the peak RSS does not grow with the number of operations: compare two counts).
 *
 *   npx tsx bench/reports/main.ts                                   # 5 million operations
 *   BENCH_REPORT_OPERATIONS=500000 npx tsx bench/reports/main.ts
 *
 * Redis: REDIS_URL (default redis://127.0.0.1:6379); keys under `lgsp-bench:reports:<run>:`, deleted at the end.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { auditKeyPattern } from '@lgsp/audit';
import { deleteKeys } from '@lgsp/audit/testing';
import { connectRedis } from '@lgsp/kit';
import { generateProvinceMonth } from './generate.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The goal of issue 17: a province-month report as PDF and XLSX in under 60 s. */
export const REPORT_GOAL_SECONDS = 60;

export interface ReportBenchResult {
  operations: number;
  records: number;
  rollupFields: number;
  generateSeconds: number;
  pdfSeconds: number;
  xlsxSeconds: number;
  pdfBytes: number;
  xlsxBytes: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: must be a positive integer (got "${raw}")`);
  return value;
}

export async function runReportBench(log: (line: string) => void): Promise<ReportBenchResult> {
  const operations = positive('BENCH_REPORT_OPERATIONS', 5_000_000);
  const consumers = positive('BENCH_REPORT_AGENCIES', 130);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `lgsp-bench:reports:${randomBytes(4).toString('hex')}:`;
  const redis = await connectRedis(redisUrl, { name: 'lgsp-bench-reports' });
  const outDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-reports-'));
  try {
    log(`reports: generating a province-month (2026-11) of ${operations.toLocaleString('en')} operations over ${consumers} agencies…`);
    const generated = await generateProvinceMonth({ redis, keyPrefix, fromDay: '2026-11-01', toDay: '2026-11-30', operations, consumers });
    log(
      `reports: ${generated.records.toLocaleString('en')} audit records → ${generated.rollupFields.toLocaleString('en')} rollup counters in Redis (${generated.seconds.toFixed(1)} s, not timed)`,
    );
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/reports/produce.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BENCH_REDIS_URL: redisUrl,
        BENCH_KEY_PREFIX: keyPrefix,
        BENCH_OUT_DIR: outDir,
        BENCH_PERIOD: '2026-11',
        BENCH_NOW: '2026-12-06T03:00:00Z',
      },
      maxBuffer: 1 << 20,
      timeout: 600_000,
    });
    const produced = JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<ReportBenchResult, 'operations' | 'records' | 'rollupFields' | 'generateSeconds'>;
    return {
      operations: generated.operations,
      records: generated.records,
      rollupFields: generated.rollupFields,
      generateSeconds: generated.seconds,
      ...produced,
    };
  } finally {
    await deleteKeys(redis, auditKeyPattern(keyPrefix));
    await redis.quit();
    await rm(outDir, { recursive: true, force: true });
  }
}

export function printReportBench(result: ReportBenchResult, log: (line: string) => void): void {
  const total = result.pdfSeconds + result.xlsxSeconds;
  log('');
  log('| report (province-month) | operations | rollup counters | time | goal | file | peak RSS (before) |');
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const row = (name: string, seconds: number, bytes: number) =>
    log(
      `| ${name} | ${result.operations.toLocaleString('en')} | ${result.rollupFields.toLocaleString('en')} | ${seconds.toFixed(2)} s | < ${REPORT_GOAL_SECONDS} s | ${(bytes / 1024).toFixed(0)} KiB | ${result.peakRssMb.toFixed(0)} MiB (${result.rssBeforeMb.toFixed(0)} MiB) |`,
    );
  row('PDF', result.pdfSeconds, result.pdfBytes);
  row('XLSX', result.xlsxSeconds, result.xlsxBytes);
  log(`| PDF + XLSX | | | ${total.toFixed(2)} s | < ${REPORT_GOAL_SECONDS} s | | ${total < REPORT_GOAL_SECONDS ? 'goal met' : 'GOAL MISSED'} |`);
}
