/**
 * The timed part of the report bench, in a child process of its own so that its peak RSS is the report's alone:
 * reads the rollups from the Redis audit log (BENCH_REDIS_URL, BENCH_KEY_PREFIX) as `npm run report` does, writes the
 * province-wide report of BENCH_PERIOD as PDF then XLSX into BENCH_OUT_DIR, and prints one JSON line: the seconds of
 * each, the sizes, and the peak RSS (`process.resourceUsage().maxRSS`) with the RSS before the first report.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedisAuditLog } from '@lgsp/audit';
import { connectRedis } from '@lgsp/kit';
import { staticAgencyNames } from '../../subgraphs/monitoring/src/reports/agency-names.ts';
import { prepareReport } from '../../subgraphs/monitoring/src/reports/report-service.ts';

const required = (name: string) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};
const redis = await connectRedis(required('BENCH_REDIS_URL'), { name: 'lgsp-bench-reports' });
const log = createRedisAuditLog(redis, { keyPrefix: required('BENCH_KEY_PREFIX') });
const outDir = required('BENCH_OUT_DIR');
const period = required('BENCH_PERIOD');
const now = new Date(required('BENCH_NOW'));
const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
const result: Record<string, number> = { rssBeforeMb };
for (const format of ['pdf', 'xlsx'] as const) {
  const started = performance.now();
  const write = await prepareReport({ log, names: staticAgencyNames(), now }, { period, agency: null, format, environment: 'production' });
  const file = join(outDir, `bench-report.${format}`);
  await write(createWriteStream(file));
  result[`${format}Seconds`] = (performance.now() - started) / 1000;
  result[`${format}Bytes`] = (await stat(file)).size;
}
result.peakRssMb = process.resourceUsage().maxRSS / 1024;
await redis.quit();
process.stdout.write(`${JSON.stringify(result)}\n`);
