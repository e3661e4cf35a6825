/** Credential revocations over HTTP: the registry's access API (http/router.ts), for processes without Redis. */
import { AccessClient, type AccessClientOptions } from '../http/client.ts';
import { checkClientId, parseRevocation, type CredentialRevocations, type Revocation } from './credential-revocations.ts';

export function createHttpCredentialRevocations(options: AccessClientOptions): CredentialRevocations {
  const client = new AccessClient(options);
  const subscriptions = new Set<() => Promise<void>>();
  // Checked here too, so that a bad client id gets the same message as from the other adapters, not a 404 of its path.
  const item = (clientId: string) => {
    checkClientId(clientId);
    return `/revocations/items/${encodeURIComponent(clientId)}`;
  };
  return {
    async revoke(clientId, details) {
      parseRevocation(clientId, details);
      await client.send('PUT', item(clientId), { body: details, expect: [204] });
    },
    restore: async (clientId) => (await client.send('DELETE', item(clientId), { expect: [200] })).body.restored === true,
    list: async () => (await client.send('GET', '/revocations', { expect: [200] })).body.items as Revocation[],
    isRevoked: async (clientId) => (await client.send('GET', item(clientId), { expect: [200] })).body.revoked === true,
    version: async () => (await client.send('GET', '/revocations/version', { expect: [200] })).body.version as number,
    async subscribe(listener) {
      const stop = await client.listen('/revocations/changes', listener);
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
