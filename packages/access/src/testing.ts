/** Helpers for the tests of @lgsp/access (never used by production code). */
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { freePortForTest, testKeyPrefix } from '@lgsp/kit/testing';
import express from 'express';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createMemoryChangeLog } from './changes/memory-change-log.ts';
import type { ChangeLog } from './changes/change-log.ts';
import type { GrantStore } from './grants/grant-store.ts';
import { createMemoryGrantStore } from './grants/memory-grant-store.ts';
import { ACCESS_API_PATH, type AccessClientOptions } from './http/client.ts';
import { createAccessRouter, type AccessRouter } from './http/router.ts';
import type { CredentialRevocations } from './revocations/credential-revocations.ts';
import { createMemoryCredentialRevocations } from './revocations/memory-credential-revocations.ts';

export const TEST_ACCESS_TOKEN = 'test-registry-internal-token';

export interface AccessServer {
  /** The origin (REGISTRY_INTERNAL_URL), e.g. http://127.0.0.1:20123. */
  url: string;
  port: number;
  grants: GrantStore;
  revocations: CredentialRevocations;
  changes: ChangeLog;
  router: AccessRouter;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback serving `createAccessRouter` at `/internal/v1/access`, as the registry does, over the
 * stores given (memory stores by default).
 */
export async function startAccessServer(
  stores: { grants?: GrantStore; revocations?: CredentialRevocations; changes?: ChangeLog; heartbeatMs?: number; port?: number } = {},
): Promise<AccessServer> {
  const grants = stores.grants ?? createMemoryGrantStore();
  const revocations = stores.revocations ?? createMemoryCredentialRevocations();
  const changes = stores.changes ?? createMemoryChangeLog();
  const router = createAccessRouter({
    grants,
    revocations,
    changes,
    token: TEST_ACCESS_TOKEN,
    ...(stores.heartbeatMs ? { heartbeatMs: stores.heartbeatMs } : {}),
  });
  const app = express();
  app.use(ACCESS_API_PATH, router);
  const port = stores.port ?? (await freePortForTest());
  const server: Server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    grants,
    revocations,
    changes,
    router,
    async close() {
      await router.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Stores given by the test are the test's to close.
      await Promise.all([
        stores.grants ? undefined : grants.close(),
        stores.revocations ? undefined : revocations.close(),
        stores.changes ? undefined : changes.close(),
      ]);
    },
  };
}

/** What a contract suite of this package runs on: an adapter, a second one on the same backend, and the cleanup. */
export interface AdapterPair<T> {
  store: T;
  peer: T;
  cleanup(): Promise<void>;
}

/**
 * Two adapters on real Redis (two connections: two replicas) under a fresh key prefix; the cleanup closes them and
 * deletes the keys `keyPattern` names under that prefix.
 */
export async function adaptersOnRedis<T extends { close(): Promise<void> }>(
  make: (redis: RedisClient, options: { keyPrefix: string }) => T,
  keyPattern: (prefix: string) => string,
): Promise<AdapterPair<T>> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = testKeyPrefix();
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const store = make(a, { keyPrefix });
  const peer = make(b, { keyPrefix });
  return {
    store,
    peer,
    async cleanup() {
      await store.close();
      await peer.close();
      for await (const keys of a.scanIterator({ MATCH: keyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await a.del(keys);
      await a.quit();
      await b.quit();
    },
  };
}

/** Two HTTP adapters on one real access API server on loopback (which holds memory stores). */
export async function adaptersOverHttp<T extends { close(): Promise<void> }>(make: (options: AccessClientOptions) => T): Promise<AdapterPair<T>> {
  const server = await startAccessServer();
  const store = make({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
  const peer = make({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
  return {
    store,
    peer,
    async cleanup() {
      await store.close();
      await peer.close();
      await server.close();
    },
  };
}
