/**
 * Helpers for the registry's tests (never used by production code): a registry on real Redis under its own key
 * prefix, real internal tokens, the in-memory stand-ins of the grant store, change log, credential issuer and
 * revocations (whose fault hooks make a step fail midway), and principals of each party.
 */
import { randomBytes } from 'node:crypto';
import { connectRedis, createInternalTokenIssuer, createInternalTokenVerifier, createLogger, Role, type Principal, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { eventKeyPattern } from '@lgsp/events';
import { AGENCY_ADMIN_ROLE } from './domain/caller.ts';
import { loadRegistryConfig } from './config.ts';
import { createMemoryChangeLog } from '@lgsp/access';
import type { ChangeLog } from './ports/change-log.ts';
import { createMemoryCredentialIssuer, createMemoryCredentialRevocations, type CredentialRevocations } from './ports/credentials.ts';
import { createMemoryRegistryEvents } from './ports/events.ts';
import { createMemoryApplicationClients } from './ports/application-clients.ts';
import { createMemoryGrantStore } from './ports/grants.ts';
import { readDevelopmentSeed } from './data/seed.ts';
import { startRegistry, type RunningRegistry } from './service.ts';
import { registryKeyPattern } from './store/keys.ts';

export const OPERATOR: Principal = { kind: 'user', userId: 'op-1', username: 'operator.lgsp', agencyCode: '000.00.01.H41', roles: [Role.operator], scopes: [] };

/** An agency administrator (`<code>@nghean.gov.vn`, BG/BV:6.1). */
export const adminOf = (agencyCode: string): Principal => ({
  kind: 'user',
  userId: `admin-${agencyCode}`,
  username: `${agencyCode}@nghean.gov.vn`,
  agencyCode,
  roles: [AGENCY_ADMIN_ROLE],
  scopes: [],
});

/** A system of an agency holding `data-provider` (may act as provider, not as consumer). */
export const providerSystemOf = (agencyCode: string, systemId: string): Principal => ({
  kind: 'system',
  agencyCode,
  systemId,
  username: `service-account-${systemId}`,
  roles: [Role.agencySystem, Role.dataProvider],
  scopes: [],
});

export const POLICE = '000.00.02.H41'; // Công an tỉnh: provides national-data-citizen
export const FINANCE = '000.00.03.H41'; // Sở Tài chính: provides national-data-enterprise
export const JUSTICE = '000.00.04.H41'; // Sở Tư pháp

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface RegistryHarness {
  running: RunningRegistry;
  /** A Redis client of the test's own, and the key prefix of everything the registry writes. */
  redis: RedisClient;
  keyPrefix: string;
  token: string;
  grants: ReturnType<typeof createMemoryGrantStore>;
  issuer: ReturnType<typeof createMemoryCredentialIssuer>;
  /** The single sign-on applications' clients (in memory, with a fault hook). */
  applicationClients: ReturnType<typeof createMemoryApplicationClients>;
  revocations: CredentialRevocations;
  changes: ChangeLog;
  events: ReturnType<typeof createMemoryRegistryEvents>;
  gql(principal: Principal, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer>;
  /** Calls the internal API with the internal token (or `token`). */
  internal(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A registry on real Redis under a fresh key prefix, with the in-memory stand-ins above; `realEvents` publishes its
 * events on the Redis event streams (`<prefix>events:<topic>`) instead of keeping them in `events`.
 */
export async function startRegistryHarness(
  overrides: Record<string, string> = {},
  now?: () => Date,
  options: { realEvents?: boolean } = {},
): Promise<RegistryHarness> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = testKeyPrefix();
  const tokens = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const token = randomBytes(24).toString('hex');
  const config = loadRegistryConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    REGISTRY_INTERNAL_TOKEN: token,
    REGISTRY_SWEEP_MS: '0',
    REGISTRY_SEED: 'development',
    ...overrides,
  });
  const grants = createMemoryGrantStore();
  const issuer = createMemoryCredentialIssuer();
  const applicationClients = createMemoryApplicationClients();
  const revocations = createMemoryCredentialRevocations();
  const changes = createMemoryChangeLog();
  const events = createMemoryRegistryEvents();
  const running = await startRegistry(config, {
    // The development seed without the development exchange (every system LIVE on every relay data type), so the
    // tests see only the requests they make.
    seed: { ...readDevelopmentSeed(), relayParticipants: { systems: [] } },
    verifier: createInternalTokenVerifier({ jwks: tokens.jwks() }),
    logger: createLogger('registry', 'silent'),
    grants,
    issuer,
    applicationClients,
    revocations,
    changes,
    ...(options.realEvents === true ? {} : { events }),
    ...(now === undefined ? {} : { now }),
  });
  const redis: RedisClient = await connectRedis(redisUrl);
  return {
    running,
    redis,
    keyPrefix,
    token,
    grants,
    issuer,
    applicationClients,
    revocations,
    changes,
    events,
    async gql(principal, query, variables = {}) {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.tokenFor(principal)}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLAnswer;
    },
    internal(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.token !== null) headers.authorization = `Bearer ${options.token ?? token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${running.origin}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    },
    async close() {
      await running.close();
      const keys: string[] = [];
      for (const pattern of [registryKeyPattern(keyPrefix), eventKeyPattern(keyPrefix), `${keyPrefix}audit:*`])
        for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
}
