/**
 * Part (d): what checking quotas costs per request. The same gateway (ours, `native`, as `npm start` runs it) twice
 * — or three times — in one run, on the same platform as part (b) (development issuer, catalogs, national-data,
 * simulator), with the same caller and a small query the gateway is the bottleneck of:
 *
 * - `quotas off` (the baseline, `GATEWAY_QUOTAS=off`),
 * - `quotas on, memory` (`GATEWAY_QUOTAS=on` without Redis: `RateLimiterMemory`),
 * - `quotas on, Redis` when `REDIS_URL` is set for the bench (`RateLimiterRedis`: one Lua script per request on
 *   that Redis, as replicas sharing a count do; its keys under a prefix of its own, removed afterwards).
 *
 * The caller (the Police's system, a real access token) holds a grant to the catalogs service with a quota far
 * above what the run can use (`BENCH_QUOTA`), so every request is counted and none is refused: the figures are
 * the cost of counting, not of refusing. The rows give req/s, latency and the gateway's CPU time per request;
 * the difference in CPU time per request is the price of the check.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT, spawnPinned } from '../lib/child.ts';
import type { GatewaySpec, Scenario, ScenarioResult } from '../lib/scenario.ts';
import { BENCH_CLIENT_ID, DEVELOPMENT_GRANTS_FILE, PLATFORM_MODULES } from '../citizens/platform.ts';
import type { PlatformInfo } from '../citizens/scenario.ts';

/** The query of part (d): one catalog lookup, answered from the catalogs subgraph's memory. */
export const QUOTA_QUERY = '{ administrativeUnit(code: "01") { code name fullName } }';
/** The caller's agency (congan-h41-dancu). */
const CALLER_AGENCY = '000.00.02.H41';

/** The gateways of part (d), given the supergraph file and the environment they share. */
export function quotaGatewaySpecs(shared: Record<string, string>, nodeArgs: string[], redisUrl: string | undefined, keyPrefix: string): GatewaySpec[] {
  // Every row without Redis unless it says so (the bench's own environment may carry REDIS_URL).
  const memory = { ...shared, REDIS_URL: undefined } as unknown as Record<string, string>;
  const specs: GatewaySpec[] = [
    { name: 'quotas off', role: 'baseline', entry: 'bench/ours-gateway.ts', env: { ...memory, GATEWAY_QUOTAS: 'off' }, nodeArgs },
    { name: 'quotas on, memory', role: 'ours', entry: 'bench/ours-gateway.ts', env: { ...memory, GATEWAY_QUOTAS: 'on' }, nodeArgs },
  ];
  if (redisUrl !== undefined) {
    specs.push({
      name: 'quotas on, Redis',
      role: 'ours',
      entry: 'bench/ours-gateway.ts',
      env: { ...shared, GATEWAY_QUOTAS: 'on', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
      nodeArgs,
    });
  }
  return specs;
}

export async function setUpQuotas(options: {
  upstreamCpu: string;
  workDir: string;
  /** Node flags of our gateway (as `npm start`). */
  nodeArgs: string[];
  /** Common environment of the gateways (NODE_ENV, LOG_LEVEL, HOST, PORT, SUPERGRAPH_WATCH). */
  gatewayEnv: Record<string, string>;
  /** The Redis of the third row, if any. */
  redisUrl: string | undefined;
}): Promise<{ scenario: Scenario; close(): Promise<void> }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const keyFile = join(options.workDir, 'quotas-signing-key.json');
  await writeFile(keyFile, JSON.stringify(await exportJWK(privateKey)), { mode: 0o600 });

  // The development grants, plus the caller's quota on the catalogs service.
  const grants = JSON.parse(await readFile(join(REPO_ROOT, DEVELOPMENT_GRANTS_FILE), 'utf8')) as { grants: unknown[] };
  const quota = { requests: Math.round(Number(process.env.BENCH_QUOTA ?? 1_000_000)), perSeconds: 3600 };
  grants.grants.push({
    id: 'bench.quota.catalogs',
    provider: '000.00.09.H41',
    consumer: CALLER_AGENCY,
    service: 'catalogs',
    fieldSets: ['catalogs.bench'],
    purposes: ['*'],
    validFrom: '2020-01-01T00:00:00Z',
    quota,
    basis: 'bench/quotas: a quota far above what one run uses',
  });
  const grantsFile = join(options.workDir, 'quotas-grants.json');
  await writeFile(grantsFile, JSON.stringify(grants));
  const keyPrefix = `lgsp-bench:${randomUUID()}:`;

  const platform = await spawnPinned<PlatformInfo>({
    cpu: options.upstreamCpu,
    entry: 'bench/citizens/platform-main.ts',
    label: 'platform',
    env: { NODE_ENV: 'production', LOG_LEVEL: 'silent', BENCH_SIGNING_KEY_FILE: keyFile },
    readyTimeoutMs: 120_000,
  });
  const removeKeys = async () => {
    if (options.redisUrl === undefined) return;
    const { connectRedis } = await import('@lgsp/kit');
    const redis = await connectRedis(options.redisUrl, { name: 'lgsp-bench' });
    try {
      for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
    } finally {
      await redis.quit();
    }
  };
  try {
    const { composeSupergraph } = (await import(new URL('../../schema/src/composition.ts', import.meta.url).href)) as {
      composeSupergraph(sources: { name: string; url: string; schemaFile: string }[]): Promise<string>;
    };
    const { subgraphs } = (await import(new URL('../../schema/src/subgraphs.ts', import.meta.url).href)) as {
      subgraphs: { name: string; url: string; schemaFile: string }[];
    };
    const actualUrl: Record<string, string> = { catalogs: platform.info.urls.catalogs, 'national-data': platform.info.urls.nationalData };
    const supergraphFile = join(options.workDir, 'quotas-supergraph.graphql');
    await writeFile(supergraphFile, await composeSupergraph(subgraphs.map((s) => ({ ...s, url: actualUrl[s.name] ?? s.url }))));
    const { developmentClientToken } = (await import(PLATFORM_MODULES.devClients.href)) as {
      developmentClientToken(issuerUrl: string, clientId: string): Promise<string>;
    };
    const shared = {
      ...options.gatewayEnv,
      SUPERGRAPH_FILE: supergraphFile,
      GATEWAY_SIGNING_KEY_FILE: keyFile,
      KEYCLOAK_URL: platform.info.issuer,
      GRANTS_FILE: grantsFile,
    };
    const scenario: Scenario = {
      id: 'quotas',
      title: `(d) quota checking: one catalog lookup by an agency system whose grant sets a quota (${quota.requests} per ${quota.perSeconds} s), GATEWAY_QUOTAS off and on`,
      body: JSON.stringify({ query: QUOTA_QUERY }),
      gateways: quotaGatewaySpecs(shared, options.nodeArgs, options.redisUrl, keyPrefix),
      async requestHeaders() {
        return { authorization: `Bearer ${await developmentClientToken(platform.info.issuer, BENCH_CLIENT_ID)}` };
      },
      upstreamPids: [platform.pid],
      async counters() {
        const response = await fetch(`${platform.info.controlUrl}/counters`, { signal: AbortSignal.timeout(10_000) });
        return (await response.json()) as Record<string, number>;
      },
      checkResponse(text) {
        const parsed = JSON.parse(text) as { data?: { administrativeUnit?: { code?: string } | null }; errors?: unknown[] };
        if (parsed.errors !== undefined) return `it carries errors: ${JSON.stringify(parsed.errors).slice(0, 500)}`;
        return parsed.data?.administrativeUnit?.code === '01' ? undefined : 'expected administrative unit 01';
      },
    };
    return {
      scenario,
      async close() {
        await platform.stop();
        await removeKeys();
      },
    };
  } catch (error) {
    await platform.stop();
    await removeKeys();
    throw error;
  }
}

/** Gateway CPU time per request (µs) of a row, from its CPU share and throughput. */
function cpuMicrosPerRequest(row: ScenarioResult['gateways'][number]): number | undefined {
  if (row.gatewayCpuPercent === undefined || row.load.requestsPerSecond <= 0) return undefined;
  return ((row.gatewayCpuPercent / 100) * 1e6) / row.load.requestsPerSecond;
}

/** The price of the check: per row, gateway CPU per request and its difference to `quotas off`, with the ratios. */
export function printQuotaCost(result: ScenarioResult, log: (line: string) => void): void {
  const baseline = result.gateways.find((g) => g.role === 'baseline');
  const baseCpu = baseline === undefined ? undefined : cpuMicrosPerRequest(baseline);
  log('quota checking, cost per request (gateway CPU time per request = its CPU share ÷ req/s):');
  for (const row of result.gateways) {
    const cpu = cpuMicrosPerRequest(row);
    const extra =
      cpu === undefined || baseCpu === undefined || row === baseline
        ? ''
        : `, ${cpu - baseCpu >= 0 ? '+' : ''}${(cpu - baseCpu).toFixed(0)} µs (${(cpu / baseCpu).toFixed(2)}× CPU per request)`;
    log(
      `  ${row.name}: ${row.load.requestsPerSecond.toFixed(0)} req/s (${(row.ratioToBaseline ?? 1).toFixed(2)}× of quotas off), p50 ${row.load.latencyP50Ms.toFixed(1)} ms, ${cpu === undefined ? '?' : cpu.toFixed(0)} µs CPU per request${extra}`,
    );
  }
}
