/**
 * Starts the real platform (separate processes on free loopback ports) for an end-to-end test file, and gives
 * the helpers those tests share: a GraphQL client that speaks to the gateway like an agency system does, the
 * simulator's controls, and the gateway's Prometheus counters.
 */
import { randomUUID } from 'node:crypto';
import { freePort, startPlatform, type RunningPlatform } from '../../scripts/platform.ts';
import { connectRedis } from '../../subgraphs/kit/src/redis.ts';
import { developmentClientToken } from '../../keycloak/src/dev-clients.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  contentType: string | null;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }> };
}

export interface QueryOptions {
  /** Media type asked for; default application/graphql-response+json. */
  accept?: string;
  /** Access token; default the one of `as` (or of the default caller). `null` sends none (anonymous). */
  token?: string | null;
  /** Development agency-system client whose token to use (cached per client). */
  as?: string;
  /** X-LGSP-Purpose (`<category>:<reference>`); default DEFAULT_PURPOSE when a token is sent; `null` sends none. */
  purpose?: string | null;
}

export interface PlatformFixture {
  platform: RunningPlatform;
  /**
   * POSTs an operation to the gateway as an agency system would. By default the caller is the provincial Police's
   * population system (RS256 client assertion), which is granted citizens' personal data, with a declared purpose.
   */
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: QueryOptions): Promise<GraphQLResponse<T>>;
  /** An access token of a development agency-system client from the platform's identity provider. */
  tokenFor(clientId: string): Promise<string>;
  simulator: {
    samples(count: number): Promise<{ citizens: string[]; enterprises: string[] }>;
    stats(): Promise<{ endpoints: Record<string, { requests: number; idsRequested?: number }> }>;
    settings(settings: Record<string, unknown>): Promise<void>;
    reset(): Promise<void>;
  };
  /** Sum of a gateway counter over the series whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/** The provincial Police's population system (client-jwt, RS256): granted citizens' personal data. */
export const DEFAULT_CALLER = 'congan-h41-dancu';
export const DEFAULT_PURPOSE = 'residence-management:HS-2026-000123';

export async function startPlatformFixture(options: { redis: boolean; env?: Record<string, string> }): Promise<PlatformFixture> {
  const prefix = `lgsp-test:${randomUUID()}:`;
  const redisUrl = options.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
  const ports = { gateway: await freePort(), catalogs: await freePort(), nationalData: await freePort(), relay: await freePort(), simulator: await freePort(), devIssuer: await freePort() };
  const logs: string[] = [];
  const platform = await startPlatform({
    ports,
    redisUrl,
    env: { LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: prefix, NODE_ENV: 'development', ...options.env },
    output: (service, line) => {
      logs.push(`[${service}] ${line}`);
      if (logs.length > 200) logs.shift();
    },
    readyTimeoutMs: 60_000,
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });

  const sim = platform.urls.simulator;
  const json = async (res: Response) => {
    if (!res.ok) throw new Error(`${res.url}: HTTP ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (clientId: string) => {
    let token = tokens.get(clientId);
    if (token === undefined) {
      token = developmentClientToken(platform.urls.issuer, clientId);
      tokens.set(clientId, token);
    }
    return token;
  };
  return {
    platform,
    tokenFor,
    async query(query, variables, options = {}) {
      const token = options.token === undefined ? await tokenFor(options.as ?? DEFAULT_CALLER) : options.token;
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: options.accept ?? 'application/graphql-response+json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const purpose = options.purpose === undefined ? (token === null ? null : DEFAULT_PURPOSE) : options.purpose;
      if (purpose !== null) headers['x-lgsp-purpose'] = purpose;
      const res = await fetch(platform.urls.gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as GraphQLResponse['body'] } as never;
    },
    simulator: {
      samples: async (count) => json(await fetch(`${sim}/_sim/samples?count=${count}`)),
      stats: async () => json(await fetch(`${sim}/_sim/stats`)),
      settings: async (settings) => {
        await json(await fetch(`${sim}/_sim/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) }));
      },
      reset: async () => {
        await json(await fetch(`${sim}/_sim/reset`, { method: 'POST' }));
      },
    },
    async metric(name, labels = {}) {
      const text = await (await fetch(platform.urls.metrics)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(name)) continue;
        const match = /^([a-zA-Z_:]+)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
        if (match === null || match[1] !== name) continue;
        const series = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[4]);
      }
      return sum;
    },
    async close() {
      await platform.close();
      if (redisUrl !== undefined) {
        const redis = await connectRedis(redisUrl);
        for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
          if (keys.length > 0) await redis.del(keys);
        }
        await redis.quit();
      }
    },
  };
}
