/**
 * Part (e) alone: `npx tsx bench/audit/run.ts` (or `BENCH_PARTS=audit npm run bench`). Environment:
 * BENCH_AUDIT_RECORDS (10,000,000), BENCH_AUDIT_SUBJECTS (1,000,000), BENCH_AUDIT_QUERIES (300), REDIS_URL
 * (redis://127.0.0.1:6379). It needs about 0.8 KB of Redis memory per record (≈ 8 GiB for 10 million) while it runs,
 * and deletes everything it wrote at the end (also on Ctrl+C).
 */
import { auditBenchSettings } from './settings.ts';
import { printAuditQueryBench, runAuditQueryBench } from './scenario.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const settings = auditBenchSettings(process.env);
const result = await runAuditQueryBench({ ...settings, log, handleSignals: true });
log('');
printAuditQueryBench(result, log);
