/** Helpers for the tests of @lgsp/access (never used by production code). */
import { freePortForTest } from '@lgsp/kit/testing';
import express from 'express';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createMemoryChangeLog } from './changes/memory-change-log.ts';
import type { ChangeLog } from './changes/change-log.ts';
import type { GrantStore } from './grants/grant-store.ts';
import { createMemoryGrantStore } from './grants/memory-grant-store.ts';
import { ACCESS_API_PATH } from './http/client.ts';
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
