/** Part (e)'s settings from the environment (bench/run.ts and bench/audit/run.ts). */
export function auditBenchSettings(env: Record<string, string | undefined>) {
  const count = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < min) throw new Error(`${name}: must be a whole number >= ${min} (got "${raw}")`);
    return value;
  };
  const records = count('BENCH_AUDIT_RECORDS', 10_000_000, 1_000);
  return {
    records,
    subjects: Math.min(count('BENCH_AUDIT_SUBJECTS', 1_000_000, 10), records),
    queries: count('BENCH_AUDIT_QUERIES', 300, 10),
    redisUrl: env.REDIS_URL === undefined || env.REDIS_URL === '' ? 'redis://127.0.0.1:6379' : env.REDIS_URL,
  };
}
