/**
 * The grant store over HTTP: the grants of the process that holds them (the registry without Redis), through its
 * access API (http/router.ts). `subscribe` listens to the API's change stream and is also told when the stream was
 * lost and opened again.
 */
import { AccessClient, AccessHttpError, type AccessClientOptions } from '../http/client.ts';
import type { Grant } from './grant.ts';
import { UnreadableGrantError, type ConditionalRemoval, type GrantStore } from './grant-store.ts';

export function createHttpGrantStore(options: AccessClientOptions): GrantStore {
  const client = new AccessClient(options);
  const subscriptions = new Set<() => Promise<void>>();
  const id = (value: string) => `/grants/items/${encodeURIComponent(value)}`;
  return {
    list: async () => (await client.send('GET', '/grants', { expect: [200] })).body.items as Grant[],
    grantsFor: async (consumer) => (await client.send('GET', `/grants?consumer=${encodeURIComponent(consumer)}`, { expect: [200] })).body.items as Grant[],
    async get(grantId) {
      try {
        const answer = await client.send('GET', id(grantId), { expect: [200, 404] });
        return answer.status === 404 ? null : (answer.body as unknown as Grant);
      } catch (error) {
        if (error instanceof AccessHttpError && error.error?.extensions?.unreadable === true)
          throw new UnreadableGrantError(error.error.message ?? error.message);
        throw error;
      }
    },
    async put(grant) {
      await client.send('PUT', id(grant.id), { body: grant, expect: [204] });
    },
    remove: async (grantId) => (await client.send('DELETE', id(grantId), { expect: [200] })).body.outcome === 'removed',
    putAll: async (grants, expectedVersion) =>
      (await client.send('POST', '/grants/put-all', { body: { grants, expectedVersion }, expect: [200] })).body.written === true,
    removeIfVersion: async (grantId, expectedVersion) =>
      (await client.send('DELETE', `${id(grantId)}?expectedVersion=${expectedVersion}`, { expect: [200] })).body.outcome as ConditionalRemoval,
    version: async () => (await client.send('GET', '/grants/version', { expect: [200] })).body.version as number,
    async subscribe(listener) {
      const stop = await client.listen('/grants/changes', listener);
      const unsubscribe = async () => {
        if (subscriptions.delete(unsubscribe)) await stop();
      };
      subscriptions.add(unsubscribe);
      return unsubscribe;
    },
    async close() {
      await Promise.all([...subscriptions].map((unsubscribe) => unsubscribe()));
    },
  };
}
