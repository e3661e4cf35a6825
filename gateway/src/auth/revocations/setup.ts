/**
 * The revocation check as the gateway starts it: the store (given, or Redis when the gateway has Redis, else memory)
 * and the watch over it (revocation-watch.ts), which the authenticator (HTTP and graphql-ws `connection_init`) and
 * the WebSocket server (open connections) read.
 */
import type { Logger, RedisClient, Registry } from '@lgsp/kit';
import {
  createHttpCredentialRevocations,
  createMemoryCredentialRevocations,
  createRedisCredentialRevocations,
  type AccessClientOptions,
  type CredentialRevocations,
} from '@lgsp/access';
import { watchRevocations, type RevocationWatch } from './revocation-watch.ts';

export interface RevocationsSetup {
  /** A store to use (tests); otherwise Redis with `redis`, else the registry's over HTTP with `registry`, else memory. */
  store?: CredentialRevocations | undefined;
  redis?: RedisClient | undefined;
  /** The registry's internal API (REGISTRY_INTERNAL_URL, REGISTRY_INTERNAL_TOKEN): where revocations live without Redis. */
  registry?: AccessClientOptions | undefined;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  /** CREDENTIAL_REVOCATION_POLL_MS. */
  pollMs: number;
  logger: Logger;
  metrics?: Registry;
}

export interface StartedRevocations {
  store: CredentialRevocations;
  watch: RevocationWatch;
  /** Stops the watch, and closes the store when it was opened here. */
  close(): Promise<void>;
}

export async function startRevocations(setup: RevocationsSetup): Promise<StartedRevocations> {
  const owned = setup.store === undefined;
  const store =
    setup.store ??
    (setup.redis !== undefined
      ? createRedisCredentialRevocations(setup.redis, {
          keyPrefix: setup.keyPrefix,
          onUnreadable: (clientId, error) => setup.logger.warn({ clientId, err: error }, 'a stored revocation does not read as one; the client stays revoked'),
        })
      : setup.registry !== undefined
        ? createHttpCredentialRevocations(setup.registry)
        : createMemoryCredentialRevocations());
  let watch: RevocationWatch;
  try {
    watch = await watchRevocations(store, { pollMs: setup.pollMs, logger: setup.logger, ...(setup.metrics !== undefined && { metrics: setup.metrics }) });
  } catch (error) {
    if (owned) await store.close();
    throw error;
  }
  return {
    store,
    watch,
    async close() {
      await watch.close();
      if (owned) await store.close();
    },
  };
}
