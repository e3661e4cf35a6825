/**
 * Part (f): what writing audit records costs (issue 17: under 10 % of the federation benchmark's throughput). Part
 * (a)'s subgraphs, supergraph and query in front of our gateway (`native`, with the node flags `npm start` uses), in
 * one run:
 *
 * - `audit off` (the baseline, 1.00×): `GATEWAY_AUDIT=off`;
 * - `audit on, memory log`: `GATEWAY_AUDIT=on` without Redis (the log in the gateway's memory: the chain's hashing
 *   and the rollups run in the gateway process);
 * - with `REDIS_URL`: `audit off, Redis` and `audit on, Redis log` (the deployment's shape: every record appended to
 *   the Redis stream, chained atomically by the log; the gateway's grants and revocations in Redis too, in both rows,
 *   so that the pair differs by the audit alone); keys under a prefix of the run, deleted at the end.
 *
 * Every operation writes one `graphql` record (fields, the services and document hash, outcome, bytes); the query is
 * anonymous, so no subjects. The cost printed is the ratio of req/s and the gateway CPU per request, on vs off.
 */
import { randomUUID } from 'node:crypto';
import type { GatewaySpec, ScenarioResult } from '../lib/scenario.ts';

/** The goal: audit writing costs under 10 % of the throughput. */
export const AUDIT_GOAL_RATIO = 0.9;

export function auditGatewaySpecs(
  supergraphFile: string,
  common: Record<string, string>,
  nodeArgs: string[],
  redisUrl: string | undefined,
): { specs: GatewaySpec[]; keyPrefix: string } {
  const keyPrefix = `lgsp-bench:${randomUUID()}:`;
  // Every row without Redis unless it says so (the bench's own environment may carry REDIS_URL).
  const memory = { ...common, SUPERGRAPH_FILE: supergraphFile, GATEWAY_EXECUTOR: 'native', REDIS_URL: undefined } as unknown as Record<string, string>;
  const withRedis = { ...memory, REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: keyPrefix };
  const specs: GatewaySpec[] = [
    { name: 'audit off', role: 'baseline', entry: 'bench/ours-gateway.ts', env: { ...memory, GATEWAY_AUDIT: 'off' }, nodeArgs },
    { name: 'audit on, memory log', role: 'ours', entry: 'bench/ours-gateway.ts', env: { ...memory, GATEWAY_AUDIT: 'on' }, nodeArgs },
  ];
  if (redisUrl !== undefined) {
    specs.push(
      { name: 'audit off, Redis', role: 'ours', entry: 'bench/ours-gateway.ts', env: { ...withRedis, GATEWAY_AUDIT: 'off' }, nodeArgs },
      { name: 'audit on, Redis log', role: 'ours', entry: 'bench/ours-gateway.ts', env: { ...withRedis, GATEWAY_AUDIT: 'on' }, nodeArgs },
    );
  }
  return { specs, keyPrefix };
}

/** Deletes the run's Redis keys (audit stream, indexes, rollups, grants). */
export async function removeAuditBenchKeys(redisUrl: string | undefined, keyPrefix: string): Promise<void> {
  if (redisUrl === undefined) return;
  const { connectRedis } = await import('@lgsp/kit');
  const redis = await connectRedis(redisUrl, { name: 'lgsp-bench' });
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) if (keys.length > 0) await redis.del(keys);
  } finally {
    await redis.quit();
  }
}

function cpuMicrosPerRequest(row: ScenarioResult['gateways'][number]): number | undefined {
  if (row.gatewayCpuPercent === undefined || row.load.requestsPerSecond <= 0) return undefined;
  return ((row.gatewayCpuPercent / 100) * 1e6) / row.load.requestsPerSecond;
}

/** Each "on" row against its "off" row: req/s ratio beside the goal, and CPU per request. */
export function printAuditCost(result: ScenarioResult, log: (line: string) => void): void {
  const row = (name: string) => result.gateways.find((g) => g.name === name);
  log(`audit writing, cost (goal: throughput with audit on ≥ ${AUDIT_GOAL_RATIO.toFixed(2)}× of off, i.e. under 10 % lost):`);
  for (const [on, off] of [
    ['audit on, memory log', 'audit off'],
    ['audit on, Redis log', 'audit off, Redis'],
  ] as const) {
    const a = row(on);
    const b = row(off);
    if (a === undefined || b === undefined) continue;
    const ratio = a.load.requestsPerSecond / b.load.requestsPerSecond;
    // A row the gateway did not bound (the upstream core saturated, the machine shared) says nothing of the gateway.
    const judged = a.boundBy === 'gateway' && b.boundBy === 'gateway' && a.contention === undefined && b.contention === undefined;
    const cpuOn = cpuMicrosPerRequest(a);
    const cpuOff = cpuMicrosPerRequest(b);
    const cpu =
      cpuOn === undefined || cpuOff === undefined
        ? ''
        : `; gateway CPU per request ${cpuOff.toFixed(0)} → ${cpuOn.toFixed(0)} µs (+${(cpuOn - cpuOff).toFixed(0)} µs)`;
    log(
      `  ${on} vs ${off}: ${a.load.requestsPerSecond.toFixed(0)} / ${b.load.requestsPerSecond.toFixed(0)} req/s = ${ratio.toFixed(2)}× (${((1 - ratio) * 100).toFixed(1)} % lost; goal < 10 %: ${judged ? (ratio >= AUDIT_GOAL_RATIO ? 'met' : 'NOT met') : 'not judged, a row was not bound by the gateway: rerun on a quiet machine'})${cpu}`,
    );
  }
}
