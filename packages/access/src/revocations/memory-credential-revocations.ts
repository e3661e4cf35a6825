/** Credential revocations in a Map: one process (the registry without Redis), tests. */
import { EventEmitter } from 'node:events';
import { checkClientId, parseRevocation, type CredentialRevocations, type Revocation } from './credential-revocations.ts';

export function createMemoryCredentialRevocations(): CredentialRevocations {
  const revoked = new Map<string, Revocation>();
  const changes = new EventEmitter();
  let version = 0;
  const changed = () => {
    version += 1;
    changes.emit('change');
  };
  return {
    async revoke(clientId, details) {
      revoked.set(clientId, parseRevocation(clientId, details));
      changed();
    },
    async restore(clientId) {
      checkClientId(clientId);
      const existed = revoked.delete(clientId);
      if (existed) changed();
      return existed;
    },
    list: async () => [...revoked.values()].sort((a, b) => a.clientId.localeCompare(b.clientId)).map((r) => ({ ...r })),
    async isRevoked(clientId) {
      checkClientId(clientId);
      return revoked.has(clientId);
    },
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
