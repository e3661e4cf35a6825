/**
 * Part (d), second half: the quota step alone, in this process — its CPU time per request, with nothing else of the
 * gateway around it, so the figure holds even when the machine is busy (CPU time of this process, not wall time).
 *
 * The real step (`quotaStage` of gateway/src/quotas/) on the committed supergraph, the real grant store (memory),
 * QuotaBook, query planner and counters, in front of an executor that answers at once: per request it resolves the
 * caller's quotas, finds the services the operation touches (plan cached after the first request) and counts one
 * request — in memory, and on Redis when `REDIS_URL` is set (one Lua script per request, awaited one at a time, so
 * its wall time is mostly the round trip). The same calls without the stage are the baseline.
 */
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { connectRedis, createLogger, createMetricsRegistry, type Principal, type RedisClient } from '@lgsp/kit';
import { parse } from 'graphql';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryGrantStore } from '@lgsp/access';
import { loadSupergraph } from '../../gateway/src/federation/supergraph.ts';
import { createQuotaCounter } from '../../gateway/src/quotas/counter.ts';
import { QuotaBook } from '../../gateway/src/quotas/quota-book.ts';
import { createQuotaMetric, quotaStage } from '../../gateway/src/quotas/quota-step.ts';
import { TouchedServices } from '../../gateway/src/quotas/touched-services.ts';
import { quotaKeys } from '../../gateway/src/redis-keys.ts';
import { REPO_ROOT } from '../lib/child.ts';
import { QUOTA_QUERY } from './scenario.ts';

export interface StepCost {
  row: string;
  requests: number;
  /** CPU time of this process per request, µs. */
  cpuMicros: number;
  /** Wall time per request, µs (one request at a time). */
  wallMicros: number;
}

const AGENCY = '000.00.02.H41';

/** Runs `requests` calls per row (after as many warm-up calls) and returns the rows: without the step, then with it. */
export async function measureStepCost(requests: number, redisUrl: string | undefined): Promise<StepCost[]> {
  const supergraph = loadSupergraph(await readFile(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));
  const grants = createMemoryGrantStore([
    {
      id: 'bench.quota.catalogs',
      provider: '000.00.09.H41',
      consumer: AGENCY,
      service: 'catalogs',
      fieldSets: ['catalogs.bench'],
      purposes: ['*'],
      validFrom: '2020-01-01T00:00:00Z',
      quota: { requests: 1_000_000, perSeconds: 3600 },
    },
  ]);
  const book = new QuotaBook(grants, { cacheTtlMs: 60_000 });
  await book.start();
  const services = new TouchedServices(() => supergraph);
  const metric = createQuotaMetric(createMetricsRegistry('bench'));
  const principal: Principal = { kind: 'system', agencyCode: AGENCY, clientId: 'congan-h41-dancu', roles: [], scopes: [] };
  const document = parse(QUOTA_QUERY);
  const logger = createLogger('bench', 'silent');
  const answered: GatewayExecutor = async () => ({ data: {} });
  const requestContext = (): GatewayGraphQLRequestContext =>
    ({
      request: { query: QUOTA_QUERY },
      document,
      queryHash: 'bench-quota-query',
      operation: document.definitions[0],
      operationName: null,
      context: { requestId: 'bench', principal, logger, operation: { errorCodes: [] } },
    }) as unknown as GatewayGraphQLRequestContext;

  const time = async (row: string, executor: GatewayExecutor): Promise<StepCost> => {
    for (let i = 0; i < requests; i += 1) await executor(requestContext());
    const cpu = process.cpuUsage();
    const wall = process.hrtime.bigint();
    for (let i = 0; i < requests; i += 1) {
      const result = await executor(requestContext());
      if (result.errors !== undefined) throw new Error(`${row}: ${result.errors[0]?.message}`);
    }
    const used = process.cpuUsage(cpu);
    return { row, requests, cpuMicros: (used.user + used.system) / requests, wallMicros: Number(process.hrtime.bigint() - wall) / 1000 / requests };
  };

  const rows: StepCost[] = [await time('without the step', answered)];
  const keys = quotaKeys(`lgsp-bench:${randomUUID()}:`);
  const memory = createQuotaCounter({ keyPrefix: keys.limiterPrefix });
  rows.push(await time('step, memory counter', quotaStage({ book, counter: memory, services, metric, keys })(answered)));
  let redis: RedisClient | undefined;
  if (redisUrl !== undefined) {
    redis = await connectRedis(redisUrl, { name: 'lgsp-bench' });
    try {
      const counter = createQuotaCounter({ redis, keyPrefix: keys.limiterPrefix });
      rows.push(await time('step, Redis counter', quotaStage({ book, counter, services, metric, keys })(answered)));
    } finally {
      for await (const found of redis.scanIterator({ MATCH: `${keys.limiterPrefix}*`, COUNT: 100 })) if (found.length > 0) await redis.del(found);
      await redis.quit();
    }
  }
  await book.close();
  await grants.close();
  return rows;
}

/** The rows as lines: CPU and wall time per request, and the step's CPU cost over the baseline. */
export function printStepCost(rows: StepCost[], log: (line: string) => void): void {
  const base = rows[0]!;
  log(`the quota step alone (in-process, ${base.requests} sequential requests per row after as many warm-up ones; CPU time of this process):`);
  for (const row of rows) {
    const extra = row === base ? '' : `, step costs +${(row.cpuMicros - base.cpuMicros).toFixed(1)} µs CPU per request`;
    log(`  ${row.row}: ${row.cpuMicros.toFixed(1)} µs CPU, ${row.wallMicros.toFixed(1)} µs wall per request${extra}`);
  }
}
