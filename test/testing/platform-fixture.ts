/**
 * Starts the real platform (separate processes on free loopback ports) for an end-to-end test file, and gives
 * the helpers those tests share: a GraphQL client that speaks to the gateway like an agency system does, the
 * simulator's controls, and the gateway's Prometheus counters.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, startPlatform, type RunningPlatform, type ServiceName } from '../../scripts/platform.ts';
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
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

/** What a gateway subscription delivered: an execution result, an `error` message, or the end. */
export type SubscriptionItem =
  | { kind: 'next'; value: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> } }
  | { kind: 'error'; error: unknown }
  | { kind: 'complete' };

/** One subscription through the gateway, on a graphql-ws client (a WebSocket) of its own. */
export interface GatewaySubscription {
  /** The next item, or a failure naming `waitingFor` when none arrives within `timeoutMs` (default 15 s). */
  next(waitingFor: string, timeoutMs?: number): Promise<SubscriptionItem>;
  /** The next event's `data[field]`; fails on an error, an end, errors in the result, or no event in time. */
  event(field: string, waitingFor: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** Items received and not read yet. */
  pending(): number;
  /** Closes the WebSocket and waits until the subscriptions service has let the subscription go. */
  close(): Promise<void>;
}

export interface PlatformFixture {
  platform: RunningPlatform;
  /** `REDIS_KEY_PREFIX` of this platform (unique per fixture). */
  keyPrefix: string;
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
  /**
   * Subscribes through the gateway (graphql-ws on /graphql) as the development client `as`, and resolves once the
   * subscriptions service follows the topic (so no event published from then on is missed), or once the gateway
   * answered something (e.g. an error). Subscribe one after the other, not concurrently: the readiness check counts the service's subscriptions.
   */
  subscribe(
    query: string,
    variables: Record<string, unknown>,
    options: { as: string; /** graphql-ws URL, default the gateway's (an ingress in front of it). */ url?: string },
  ): Promise<GatewaySubscription>;
  /** Stops one service and starts it again with the same settings (RunningPlatform.restart). */
  restart(service: ServiceName): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscriptions open at the subscriptions service (its `/metrics` URL): the gateway acknowledges a subscription
 * before it reaches the service, and an event published before that is not for it (without `after`).
 */
export async function openSubscriptionsAt(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = /^lgsp_subscriptions_active\{[^}]*kind="subscriptions"[^}]*\} (\d+)/m.exec(text);
  if (match === null) throw new Error(`no lgsp_subscriptions_active{kind="subscriptions"} at ${metricsUrl}`);
  return Number(match[1]);
}

/** The provincial Police's population system (client-jwt, RS256): granted citizens' personal data. */
export const DEFAULT_CALLER = 'congan-h41-dancu';
export const DEFAULT_PURPOSE = 'residence-management:HS-2026-000123';

export async function startPlatformFixture(options: {
  redis: boolean;
  env?: Record<string, string>;
  /**
   * The gateway's public origin (GATEWAY_PUBLIC_URL): the portal's tests give `http://localhost:<gateway port>` so the
   * development issuer accepts the portal's redirect URIs there (test/testing/portal.ts).
   */
  publicUrl?: (ports: { gateway: number }) => string;
}): Promise<PlatformFixture> {
  const prefix = testKeyPrefix();
  const redisUrl = options.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
  const ports = {
    gateway: await freePort(),
    catalogs: await freePort(),
    nationalData: await freePort(),
    relay: await freePort(),
    subscriptions: await freePort(),
    registry: await freePort(),
    monitoring: await freePort(),
    simulator: await freePort(),
    devIssuer: await freePort(),
  };
  const logs: string[] = [];
  /** Deletes every key of this fixture (its prefix is its own), however the platform ended. */
  const deleteKeys = async () => {
    if (redisUrl === undefined) return;
    const redis = await connectRedis(redisUrl);
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await redis.del(keys);
    }
    await redis.quit();
  };
  const platform = await startPlatform({
    ports,
    redisUrl,
    publicUrl: options.publicUrl?.(ports),
    env: {
      LOG_LEVEL: 'warn',
      REDIS_KEY_PREFIX: prefix,
      NODE_ENV: 'development',
      ...options.env,
    },
    output: (service, line) => {
      logs.push(`[${service}] ${line}`);
      if (logs.length > 200) logs.shift();
    },
    readyTimeoutMs: 60_000,
  }).catch(async (error: Error) => {
    await deleteKeys(); // what started before the failure (the catalogs seed) wrote keys
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
  const subscriptionsMetrics = new URL('/metrics', platform.urls.subscriptions).href;
  const upstreamSubscriptions = () => openSubscriptionsAt(subscriptionsMetrics);
  const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const subscribe = async (query: string, variables: Record<string, unknown>, options: { as: string; url?: string }): Promise<GatewaySubscription> => {
    const token = await tokenFor(options.as);
    const before = await upstreamSubscriptions();
    const client: Client = createClient({
      url: options.url ?? platform.urls.gatewayWs,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const items: SubscriptionItem[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    const push = (item: SubscriptionItem) => {
      if (item.kind !== 'next') ended = true;
      items.push(item);
      wake?.();
    };
    const dispose = client.subscribe(
      { query, variables },
      {
        next: (value) => push({ kind: 'next', value: value as never }),
        error: (error) => push({ kind: 'error', error }),
        complete: () => push({ kind: 'complete' }),
      },
    );
    await until(async () => items.length > 0 || (await upstreamSubscriptions()) > before, `the subscriptions service follows ${query.trim().slice(0, 80)}`);
    const next = async (waitingFor: string, timeoutMs = 15_000): Promise<SubscriptionItem> => {
      const deadline = Date.now() + timeoutMs;
      while (items.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription message within ${timeoutMs} ms while waiting for ${waitingFor}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      return items.shift()!;
    };
    return {
      next,
      async event(field, waitingFor, timeoutMs) {
        const item = await next(waitingFor, timeoutMs);
        if (item.kind !== 'next') throw new Error(`expected ${waitingFor}, got ${JSON.stringify(item, (_k, v) => (v instanceof Error ? v.message : v))}`);
        if (item.value.errors !== undefined) throw new Error(`expected ${waitingFor}, got errors ${JSON.stringify(item.value.errors)}`);
        return item.value.data![field] as Record<string, any>;
      },
      pending: () => items.length,
      async close() {
        const open = ended ? 0 : await upstreamSubscriptions();
        dispose();
        await client.dispose();
        if (!ended) await until(async () => (await upstreamSubscriptions()) < open, 'the subscriptions service let the closed subscription go');
      },
    };
  };
  return {
    platform,
    keyPrefix: prefix,
    tokenFor,
    subscribe,
    restart: (service) => platform.restart(service),
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
      try {
        await platform.close();
      } finally {
        await deleteKeys(); // even when a service did not stop cleanly
      }
    },
  };
}
