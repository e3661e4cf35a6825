/**
 * The gateway's local copy of the revoked credentials, so checking a token costs a Set lookup, not a store call.
 *
 * The revocation bound (issue 16's shared contract): a revoked client's tokens are refused within 5 seconds of
 * `revoke`. The copy is refreshed at once when the store notifies a change (Redis pub/sub: milliseconds), and
 * re-read every CREDENTIAL_REVOCATION_POLL_MS (default 2000) in case a notification was lost (a dropped pub/sub
 * connection, a write that bypassed the store): the worst case is one poll interval plus one read. A poll only
 * reads the list when the store's version moved.
 *
 * When the store cannot be read, the last copy stays in force (tokens revoked meanwhile are not refused until it
 * can be read again); each failure is logged and counted, and the next poll tries again.
 */
import { Counter, ErrorCode, Gauge, type Logger, type Registry } from '@lgsp/kit';
import { GraphQLError } from 'graphql';
import type { CredentialRevocations } from '@lgsp/access';

/** Default of CREDENTIAL_REVOCATION_POLL_MS. */
export const DEFAULT_REVOCATION_POLL_MS = 2_000;

/** The bound the gateway promises between `revoke` and the first refused request (docs/operations.md). */
export const REVOCATION_BOUND_MS = 5_000;

/**
 * graphql-ws: the close reason (code 4403) of a connection refused or closed because its client's credential is
 * revoked. It starts with the error code, so a client can tell it from an expired token (reconnecting will not help).
 */
export function revokedCloseReason(): string {
  return `Forbidden: ${ErrorCode.CREDENTIAL_REVOKED}: this client's credential has been revoked`;
}

/** graphql-ws: the error each active subscription of a revoked client ends with, just before its connection closes. */
export function revokedCredentialGraphQLError(): GraphQLError {
  return new GraphQLError("This client's credential has been revoked; ask the LGSP operator", { extensions: { code: ErrorCode.CREDENTIAL_REVOKED } });
}

/** How long a revoked client's connection stays open after its subscriptions' errors are queued, so they are sent before the close. */
export const REVOKED_CLOSE_DELAY_MS = 100;

export interface RevocationWatch {
  /** Whether the client's credential is revoked, as of the last refresh. */
  isRevoked(clientId: string): boolean;
  /** Calls `listener` with the clients newly revoked by each refresh (open WebSocket connections close). Returns the unsubscribe. */
  onRevoked(listener: (clientIds: readonly string[]) => void): () => void;
  /** Re-reads the store now (the notification and the poll call this). */
  refresh(): Promise<void>;
  /** Stops the poll and the subscription (not the store). */
  close(): Promise<void>;
}

export interface RevocationWatchOptions {
  pollMs: number;
  logger: Logger;
  metrics?: Registry;
}

/** Reads the store once (start-up fails if it cannot: the gateway does not start without knowing who is revoked), then keeps the copy fresh. */
export async function watchRevocations(store: CredentialRevocations, options: RevocationWatchOptions): Promise<RevocationWatch> {
  const logger = options.logger.child({ component: 'revocations' });
  const failures =
    options.metrics === undefined
      ? undefined
      : new Counter({
          name: 'lgsp_gateway_revocation_refresh_failures_total',
          help: 'Reads of the credential revocations that failed (the last copy stays in force)',
          registers: [options.metrics],
        });
  const size =
    options.metrics === undefined
      ? undefined
      : new Gauge({ name: 'lgsp_gateway_revoked_credentials', help: 'Revoked credentials the gateway refuses', registers: [options.metrics] });
  const listeners = new Set<(clientIds: readonly string[]) => void>();
  let revoked = new Set<string>();
  let version = -1;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const readNow = async (): Promise<void> => {
    const current = await store.version();
    if (current === version) return;
    const next = new Set((await store.list()).map((r) => r.clientId));
    const added = [...next].filter((clientId) => !revoked.has(clientId));
    revoked = next;
    version = current;
    size?.set(next.size);
    if (added.length > 0) {
      logger.info({ event: 'credentials.revoked', clientIds: added }, 'credentials revoked: their tokens are refused');
      for (const listener of listeners) listener(added);
    }
  };

  // One read at a time; a notification during a read asks for one more read after it.
  const refresh = (): Promise<void> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await readNow();
        } while (again && !closed);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const refreshQuietly = () =>
    void refresh().catch((error: unknown) => {
      failures?.inc();
      logger.warn({ err: error }, 'credential revocations could not be read; the last copy stays in force');
    });

  await refresh();
  const unsubscribe = await store.subscribe(refreshQuietly);
  // Changes between the first read and the subscription.
  refreshQuietly();
  const poll = setInterval(refreshQuietly, options.pollMs);
  poll.unref();

  return {
    isRevoked: (clientId) => revoked.has(clientId),
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    async close() {
      closed = true;
      clearInterval(poll);
      listeners.clear();
      await unsubscribe();
      await running?.catch(() => undefined);
    },
  };
}
