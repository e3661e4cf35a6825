/** `npm run report`: a real Redis audit log read through REDIS_URL, the files it writes, and its usage errors. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { auditLogsOnRedis } from '@lgsp/audit/testing';
import { monthOfRecords } from '../statistics/month-of-records.ts';
import { startMonitoringHarness } from '../testing.ts';
import { runReportCommand } from './cli.ts';

const NOW = new Date('2026-12-06T03:00:00Z');

function io(env: Record<string, string | undefined>, cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return { io: { env, stdout, stderr, cwd, now: NOW }, out: () => Buffer.concat(out).toString('utf8'), err: () => Buffer.concat(err).toString('utf8') };
}

describe('npm run report', () => {
  let redis: Awaited<ReturnType<typeof auditLogsOnRedis>>;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-report-cli-'));
    redis = await auditLogsOnRedis();
    const entries = [...monthOfRecords({ fromDay: '2026-11-01', toDay: '2026-11-30', operationsPerDay: 10, packetsPerDay: 2, seed: 5 })];
    for (let i = 0; i < entries.length; i += 500) await redis.log.append(entries.slice(i, i + 500));
    env = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.keyPrefix };
  });
  after(async () => {
    await redis?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the report file named for its period and scope, from REDIS_URL', async () => {
    const run = io(env, dir);
    assert.equal(await runReportCommand(['2026-11', '--format', 'csv'], run.io), 0, run.err());
    const csv = await readFile(join(dir, 'bao-cao-2026-11-toan-tinh.csv'), 'utf8');
    const total = csv.split('\r\n')[1]!.split(',');
    assert.deepEqual(total.slice(0, 4), ['TONG', 'toan-tinh', 'Toàn tỉnh', '300']);
    assert.match(run.err(), /wrote .*bao-cao-2026-11-toan-tinh\.csv \(csv, tháng 11\/2026, toàn tỉnh; records from Redis \(REDIS_URL\)\)/);

    const pdf = io(env, dir);
    assert.equal(await runReportCommand(['2026-Q4', '--agency', '000.00.04.H41', '--out', 'q4.pdf'], pdf.io), 0, pdf.err());
    assert.equal((await readFile(join(dir, 'q4.pdf'))).subarray(0, 5).toString(), '%PDF-');

    const xlsx = io(env, dir);
    assert.equal(await runReportCommand(['2026', '--format', 'xlsx', '--out', 'year.xlsx'], xlsx.io), 0, xlsx.err());
    assert.equal((await readFile(join(dir, 'year.xlsx'))).subarray(0, 2).toString(), 'PK');
  });

  it('writes to standard output with --out -', async () => {
    const run = io(env, dir);
    assert.equal(await runReportCommand(['2026-11-05', '--format', 'csv', '--out', '-'], run.io), 0, run.err());
    assert.match(run.out(), /^\uFEFFPhần,Mã,Tên,/);
    assert.match(run.out(), /\r\nNGAY,2026-11-05,05\/11\/2026,10,/);
  });

  it('reads the log monitoring holds: MONITORING_URL, or the running npm start’s monitoring', async () => {
    const token = 'report-cli-test-internal-token-0123456789';
    const h = await startMonitoringHarness({ MONITORING_INTERNAL_TOKEN: token });
    try {
      await h.log.append([...monthOfRecords({ fromDay: '2026-11-03', toDay: '2026-11-03', operationsPerDay: 7, seed: 9 })]);
      const viaEnv = io({ MONITORING_URL: h.running.origin, MONITORING_INTERNAL_TOKEN: token }, dir);
      assert.equal(await runReportCommand(['2026-11-03', '--format', 'csv', '--out', '-'], viaEnv.io), 0, viaEnv.err());
      assert.match(viaEnv.out(), /\r\nTONG,toan-tinh,Toàn tỉnh,7,/);
      const running = io({}, dir);
      const withRunning = { ...running.io, running: { monitoring: { url: h.running.origin, token } } };
      assert.equal(await runReportCommand(['2026-11-03', '--format', 'csv'], withRunning), 0, running.err());
      assert.match(running.err(), /records from npm start's monitoring at http:\/\/127\.0\.0\.1:\d+\)/);
      const wrongToken = io({ MONITORING_URL: h.running.origin, MONITORING_INTERNAL_TOKEN: `${token}-wrong` }, dir);
      assert.equal(await runReportCommand(['2026-11-03', '--out', 'never.pdf'], wrongToken.io), 1);
      assert.match(wrongToken.err(), /could not read the audit log from monitoring at/);
    } finally {
      await h.close();
    }
  });

  it('refuses bad periods and arguments with exit code 2 and says why', async () => {
    for (const [argv, message] of [
      [['2026-13'], /INVALID_PERIOD: Period "2026-13" has no month 13/],
      [['2027-01'], /INVALID_PERIOD: Period "2027-01" has not started yet/],
      [[], /the period is missing/],
      [['2026-11', '--format', 'docx'], /--format must be pdf, xlsx or csv/],
      [['2026-11', '--agency'], /--agency needs a value/],
      [['2026-11', '--frmat', 'pdf'], /unknown option --frmat/],
    ] as const) {
      const run = io(env, dir);
      assert.equal(await runReportCommand(argv, run.io), 2, argv.join(' '));
      assert.match(run.err(), message);
    }
    const nowhere = io({}, dir);
    assert.equal(await runReportCommand(['2026-11'], nowhere.io), 2);
    assert.match(nowhere.err(), /no audit log to read: set REDIS_URL, or MONITORING_URL and MONITORING_INTERNAL_TOKEN, or run it next to npm start/);
  });
});
