/**
 * The revocation check as the gateway starts it: the store (given, or Redis when the gateway has Redis, else memory)
 * and the watch over it (revocation-watch.ts), which the authenticator (HTTP and graphql-ws `connection_init`) and
 * the WebSocket server (open connections) read.
 */
import type { Logger, RedisClient, Registry } from '@lgsp/kit';
import type { CredentialRevocations } from './credential-revocations.ts';
import { createMemoryCredentialRevocations } from './memory-credential-revocations.ts';
import { createRedisCredentialRevocations } from './redis-credential-revocations.ts';
import { watchRevocations, type RevocationWatch } from './revocation-watch.ts';

export interface RevocationsSetup {
  /** A store to use (tests; later the HTTP adapter of `@lgsp/access`); otherwise Redis with `redis`, else memory. */
  store?: CredentialRevocations | undefined;
  redis?: RedisClient | undefined;
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
