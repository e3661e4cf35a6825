/**
 * What the registry needs of `@lgsp/credentials` for civil servants' single sign-on (BG:12): one Keycloak client per
 * agency application. The memory stand-in here serves the registry's own tests (with a fault hook) and development
 * without Keycloak; `applications.test.ts` runs the real one on the development issuer.
 */
import { randomBytes } from 'node:crypto';
import type { ApplicationClientRecord, ApplicationClients, ApplicationClientSpec } from '@lgsp/credentials';
import { ErrorCode, LgspError } from '@lgsp/kit';

export type { ApplicationClientRecord, ApplicationClients, ApplicationClientSpec } from '@lgsp/credentials';

/** In-memory application clients with Keycloak's refusals (ALREADY_EXISTS, NOT_FOUND) and a fault hook. */
export function createMemoryApplicationClients(): ApplicationClients & { failNextCall(): void; clientIds(): string[] } {
  const clients = new Map<string, ApplicationClientSpec & { enabled: boolean }>();
  let fail = false;
  const check = () => {
    if (!fail) return;
    fail = false;
    throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'the identity provider failed (test fault)');
  };
  return {
    async create(spec) {
      check();
      if (clients.has(spec.clientId)) throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
      clients.set(spec.clientId, { ...spec, enabled: true });
      return { clientId: spec.clientId, secret: randomBytes(24).toString('base64url') };
    },
    async setEnabled(clientId, enabled) {
      check();
      const c = clients.get(clientId);
      if (c === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no application client ${clientId}`);
      c.enabled = enabled;
    },
    async remove(clientId) {
      check();
      clients.delete(clientId);
    },
    async get(clientId): Promise<ApplicationClientRecord | null> {
      const c = clients.get(clientId);
      return c === undefined
        ? null
        : {
            clientId,
            enabled: c.enabled,
            redirectUris: c.redirectUris,
            rootUrl: new URL(c.loginUrl).origin,
            frontchannelLogoutUrl: c.logoutUrl,
            postLogoutRedirectUris: [...new Set([c.loginUrl, ...c.redirectUris])],
            agencyCode: c.agencyCode,
          };
    },
    /** The next call fails with IDENTITY_PROVIDER_UNAVAILABLE (tests of all-or-nothing changes). */
    failNextCall() {
      fail = true;
    },
    /** The clients that exist now (tests: nothing left behind). */
    clientIds() {
      return [...clients.keys()].sort();
    },
  };
}
