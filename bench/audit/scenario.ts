/**
 * Part (e): `personalDataAccesses` over 10 million audit records (issue 17: "answers in under 1 s at p99 over 10 million
 * audit records"). A generator writes `BENCH_AUDIT_RECORDS` records (default 10,000,000) over a year to Redis under
 * a key prefix of its own, chained correctly and stored exactly as the Redis adapter stores them (`recordWrites`:
 * the stream entry `<seq>-0`, the day, agency, counterpart and subject indexes, the rollups; the rollup increments of
 * a batch are summed before they are sent), pipelined. About one subject per record over `BENCH_AUDIT_SUBJECTS`
 * subjects (default 1,000,000), so a typical citizen has ~10 records; one "busy" citizen is in 1 of every 10,000
 * records (~1,000). Then it measures the log's `query({ subject, from, to })` (first page of 100, a one-year period,
 * what monitoring's `personalDataAccesses` runs) for random typical subjects and for the busy one, p50/p99 beside the
 * goal, and deletes every key it wrote.
 */
import { randomUUID } from 'node:crypto';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { auditKeyPattern, auditKeys, chainEntries, createRedisAuditLog, recordWrites, subjectHasher, type AuditEntry, type ChainHead } from '@lgsp/audit';
import { deleteKeys } from '@lgsp/audit/testing';

export interface AuditQueryBench {
  records: number;
  subjects: number;
  generateSeconds: number;
  /** Redis memory used by the generated keys, bytes (used_memory after − before). */
  redisBytes: number;
  rows: Array<{ row: string; queries: number; recordsPerQuery: number; p50Ms: number; p99Ms: number; maxMs: number }>;
  goalMs: number;
}

const AGENCIES = Array.from({ length: 40 }, (_, i) => `000.${String(i).padStart(2, '0')}.20.H41`);
const PROVIDERS = ['000.00.02.H41', '000.00.09.H41', '000.00.15.H41', '000.00.21.H41', '000.00.30.H41'];
const PURPOSES = ['public-service:HS-001', 'education', 'health-insurance', 'social-welfare', 'tax'];
const BENCH_KEY = 'lgsp-bench-audit-subject-key-0123456789abcdef';
const BATCH = 2_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Generates, measures and cleans up; `log` prints progress. */
export async function runAuditQueryBench(options: {
  records: number;
  subjects: number;
  redisUrl: string;
  queries?: number;
  log: (line: string) => void;
  /** Delete the generated keys and exit on Ctrl+C / SIGTERM (when run alone; bench/run.ts has its own handling). */
  handleSignals?: boolean;
}): Promise<AuditQueryBench> {
  const { records, subjects, log } = options;
  const queries = options.queries ?? 300;
  const redis: RedisClient = await connectRedis(options.redisUrl, { name: 'lgsp-bench-audit' });
  const keyPrefix = `lgsp-bench:audit-${randomUUID()}:`;
  const keys = auditKeys(keyPrefix);
  const hasher = subjectHasher(BENCH_KEY);
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  const onSignal = () => {
    log('  interrupted: deleting the generated keys …');
    void connectRedis(options.redisUrl)
      .then(async (cleaner) => {
        await deleteKeys(cleaner, auditKeyPattern(keyPrefix));
        await cleaner.quit();
      })
      .finally(() => process.exit(130));
  };
  if (options.handleSignals === true) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
  try {
    log(`  generating ${records.toLocaleString('en')} records over ${subjects.toLocaleString('en')} subjects (prefix ${keyPrefix}) …`);
    const subjectHashes = Array.from({ length: subjects }, (_, i) => hasher({ kind: 'personal-id', value: `0010${String(i).padStart(8, '0')}` }));
    const busy = subjectHashes[0]!;
    const start = Date.parse('2025-12-01T00:00:00Z');
    const span = 365 * 86_400_000;
    let head: ChainHead | null = null;
    // mulberry32: a small deterministic generator in 32-bit integer arithmetic (a float LCG loses its low bits).
    let state = 12345;
    const next = () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
    const started = Date.now();
    let lastReport = started;
    let inFlight: Array<Promise<unknown>> = [];
    for (let offset = 0; offset < records; offset += BATCH) {
      const entries: AuditEntry[] = [];
      for (let i = offset; i < Math.min(records, offset + BATCH); i += 1) {
        const subject = i % 10_000 === 0 ? busy : subjectHashes[1 + (next() % (subjects - 1))]!;
        const agency = AGENCIES[next() % AGENCIES.length]!;
        entries.push({
          kind: 'graphql',
          at: new Date(start + Math.floor((i / records) * span)).toISOString(),
          requestId: `b${i.toString(36)}`,
          source: 'gateway',
          environment: 'production',
          agency,
          system: `${agency}-system`,
          user: null,
          purpose: PURPOSES[i % PURPOSES.length]!,
          action: 'CitizenLookup',
          operationType: 'query',
          documentHash: 'a3f1c2d4e5b6a7988f0e1d2c3b4a59687766554433221100ffeeddccbbaa9988',
          fields: ['Citizen.fullName', 'Citizen.dateOfBirth', 'Citizen.permanentAddress'],
          personalFields: ['Citizen.fullName', 'Citizen.dateOfBirth', 'Citizen.permanentAddress'],
          counterpartAgency: PROVIDERS[i % PROVIDERS.length]!,
          service: 'national-data',
          entityId: null,
          outcome: i % 50 === 0 ? 'error' : 'success',
          errorCodes: i % 50 === 0 ? ['UPSTREAM_TIMEOUT'] : [],
          durationMs: 20 + (i % 200),
          bytesIn: 420,
          bytesOut: 1800,
          details: { providers: PROVIDERS[i % PROVIDERS.length]!, services: 'national-data' },
          subjects: [subject],
        });
      }
      const chained = chainEntries(entries, head);
      head = { seq: chained.at(-1)!.seq, hash: chained.at(-1)!.hash };
      const increments = new Map<string, number>();
      const commands: Array<Promise<unknown>> = [];
      for (const record of chained) {
        for (const write of recordWrites(keys, record)) {
          if (write.op === 'xadd') commands.push(redis.sendCommand(['XADD', write.key, write.id, 'record', write.json]));
          else if (write.op === 'zadd') commands.push(redis.sendCommand(['ZADD', write.key, String(write.score), write.member]));
          else {
            const id = `${write.key}\n${write.field}`;
            increments.set(id, (increments.get(id) ?? 0) + write.by);
          }
        }
      }
      for (const [id, by] of increments) {
        const [key, field] = id.split('\n') as [string, string];
        commands.push(redis.sendCommand(['HINCRBY', key, field, String(by)]));
      }
      inFlight.push(Promise.all(commands));
      // Two batches in flight: Redis stays busy while the next batch is built.
      if (inFlight.length >= 2) {
        await inFlight.shift();
      }
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const done = offset + BATCH;
        log(`    ${done.toLocaleString('en')} records, ${Math.round(done / ((Date.now() - started) / 1000)).toLocaleString('en')} records/s`);
      }
    }
    await Promise.all(inFlight);
    inFlight = [];
    await redis.sendCommand(['HSET', keys.head, 'seq', String(head!.seq), 'hash', head!.hash]);
    const generateSeconds = (Date.now() - started) / 1000;
    const redisBytes = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]) - memoryBefore;
    log(`  generated in ${generateSeconds.toFixed(0)} s; Redis memory for them ${(redisBytes / 2 ** 30).toFixed(2)} GiB`);

    const audit = createRedisAuditLog(redis, { keyPrefix });
    const period = { from: new Date(start).toISOString(), to: new Date(start + span + 86_400_000).toISOString() };
    const measure = async (row: string, pick: () => string, count: number) => {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < 10; i += 1) await audit.query({ ...period, subject: pick(), limit: 100 }); // warm-up
      for (let i = 0; i < count; i += 1) {
        const t = process.hrtime.bigint();
        const page = await audit.query({ ...period, subject: pick(), limit: 100 });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        found += page.records.length;
      }
      times.sort((a, b) => a - b);
      return { row, queries: count, recordsPerQuery: found / count, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: times.at(-1)! };
    };
    const rows = [
      await measure('typical subject (~10 records)', () => subjectHashes[1 + (next() % (subjects - 1))]!, queries),
      await measure(`busy subject (~${Math.ceil(records / 10_000)} records, first page of 100)`, () => busy, Math.max(50, Math.round(queries / 3))),
    ];
    return { records, subjects, generateSeconds, redisBytes, rows, goalMs: 1_000 };
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    log('  deleting the generated keys …');
    await deleteKeys(redis, auditKeyPattern(keyPrefix));
    await redis.quit();
  }
}

export function printAuditQueryBench(result: AuditQueryBench, log: (line: string) => void): void {
  log(
    `(e) audit: personalDataAccesses over ${result.records.toLocaleString('en')} records, ${result.subjects.toLocaleString('en')} subjects (Redis; generated in ${result.generateSeconds.toFixed(0)} s, ${(result.redisBytes / 2 ** 30).toFixed(2)} GiB of Redis memory)`,
  );
  log('| query | queries | records/answer | p50 ms | p99 ms | max ms | goal p99 | |');
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of result.rows)
    log(
      `| ${row.row} | ${row.queries} | ${row.recordsPerQuery.toFixed(1)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.maxMs.toFixed(2)} | < ${result.goalMs} | ${row.p99Ms < result.goalMs ? 'met' : 'NOT met'} |`,
    );
}
