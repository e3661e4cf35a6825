/**
 * What the registry needs of `@lgsp/credentials` (the CredentialIssuer over Keycloak's Admin REST API, its types
 * re-exported) and of `@lgsp/access` (the part of CredentialRevocations it uses). The memory issuer here stands in for
 * Keycloak in the registry's own tests, with a fault hook for the all-or-nothing cases; `real-ports.test.ts` and
 * test/e2e/onboarding.test.ts run the real ones.
 */
import { randomBytes } from 'node:crypto';
import type { ClientSpec, CredentialIssuer, CredentialMethod } from '@lgsp/credentials';
import { ErrorCode, LgspError } from '@lgsp/kit';

export type { ClientSpec, CredentialIssuer, CredentialMethod, IssuedCredential } from '@lgsp/credentials';

export interface CredentialRevocations {
  revoke(clientId: string, entry: { at: string; reason: string; by: string }): Promise<void>;
  restore(clientId: string): Promise<unknown>;
  isRevoked(clientId: string): Promise<boolean>;
}

/** An in-memory issuer with Keycloak's refusals (ALREADY_EXISTS, INVALID_PUBLIC_KEY, NOT_FOUND) and a fault hook. */
export function createMemoryCredentialIssuer(): CredentialIssuer & { failNextCall(): void } {
  const clients = new Map<string, ClientSpec & { enabled: boolean }>();
  let fail = false;
  const check = () => {
    if (!fail) return;
    fail = false;
    throw new LgspError(ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'the identity provider failed (test fault)');
  };
  const secretFor = (method: CredentialMethod) => (method === 'client-secret-jwt' ? randomBytes(24).toString('base64url') : undefined);
  return {
    async create(spec) {
      check();
      // The rule of @lgsp/credentials (Keycloak client ids of the platform).
      if (!/^[a-z0-9][a-z0-9._-]{2,99}$/.test(spec.clientId)) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'clientId: 3 to 100 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
      }
      if (clients.has(spec.clientId)) throw new LgspError(ErrorCode.ALREADY_EXISTS, `client ${spec.clientId} already exists`);
      if (
        spec.method === 'client-jwt' &&
        spec.jwksUrl === undefined &&
        !/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/.test(spec.publicKeyPem ?? '')
      ) {
        throw new LgspError(ErrorCode.INVALID_PUBLIC_KEY, 'client-jwt needs a PEM public key or a JWKS URL');
      }
      clients.set(spec.clientId, { ...spec, enabled: true });
      return { clientId: spec.clientId, method: spec.method, environment: spec.environment, secret: secretFor(spec.method) };
    },
    async rotate(clientId) {
      check();
      const c = clients.get(clientId);
      if (c === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no client ${clientId}`);
      return { clientId, method: c.method, environment: c.environment, secret: secretFor(c.method) };
    },
    async setEnabled(clientId, enabled) {
      check();
      const c = clients.get(clientId);
      if (c === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no client ${clientId}`);
      c.enabled = enabled;
    },
    async remove(clientId) {
      check();
      clients.delete(clientId);
    },
    async get(clientId) {
      const c = clients.get(clientId);
      return c === undefined
        ? null
        : { clientId, enabled: c.enabled, method: c.method, environment: c.environment, agencyCode: c.agencyCode, systemId: c.systemId };
    },
    /** The next call fails with IDENTITY_PROVIDER_UNAVAILABLE (tests of all-or-nothing changes). */
    failNextCall() {
      fail = true;
    },
  };
}

/** In-memory revocations (development without `@lgsp/access`, tests). */
export function createMemoryCredentialRevocations(): CredentialRevocations {
  const revoked = new Map<string, { at: string; reason: string; by: string }>();
  return {
    async revoke(clientId, entry) {
      revoked.set(clientId, entry);
    },
    async restore(clientId) {
      revoked.delete(clientId);
    },
    async isRevoked(clientId) {
      return revoked.has(clientId);
    },
  };
}
