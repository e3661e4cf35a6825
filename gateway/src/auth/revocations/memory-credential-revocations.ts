/** Revocations in a Map: one gateway process, development and tests. */
import { EventEmitter } from 'node:events';
import { validRevocation, type CredentialRevocations, type Revocation } from './credential-revocations.ts';

export function createMemoryCredentialRevocations(initial: Revocation[] = []): CredentialRevocations {
  const revoked = new Map<string, Revocation>();
  for (const r of initial) revoked.set(r.clientId, validRevocation(r.clientId, r));
  const changes = new EventEmitter();
  let version = 0;
  const changed = () => {
    version += 1;
    changes.emit('change');
  };
  return {
    async revoke(clientId, details) {
      revoked.set(clientId, validRevocation(clientId, details));
      changed();
    },
    async restore(clientId) {
      const existed = revoked.delete(clientId);
      if (existed) changed();
      return existed;
    },
    list: async () => [...revoked.values()].sort((a, b) => a.clientId.localeCompare(b.clientId)).map((r) => ({ ...r })),
    isRevoked: async (clientId) => revoked.has(clientId),
    version: async () => version,
    async subscribe(listener) {
      changes.on('change', listener);
      return async () => {
        changes.off('change', listener);
      };
    },
    async close() {
      changes.removeAllListeners();
    },
  };
}
