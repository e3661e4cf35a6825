/**
 * Issue 17: sign-ins and failed sign-ins reach the audit trail from Keycloak's login events — against the real
 * development issuer (its Admin REST API `GET /admin/realms/lgsp/events`, role view-events), real Redis for the
 * registry and the cursor, real HTTP.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAuditWriter, createMemoryAuditLog, subjectHasher, type AuditRecord } from '@lgsp/audit';
import { createKeycloakEventReader } from '@lgsp/credentials';
import { createLogger } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { startRegistryHarness, type RegistryHarness } from '../testing.ts';
import { createLoginAudit, loginAuditEntry, redisLoginCursor } from './login-audit.ts';

const SECRET_FILE = fileURLToPath(new URL('../../../../keycloak/dev-credentials/lgsp-registry.secret', import.meta.url));

async function tokenRequest(issuer: RunningDevIssuer, clientId: string, secret: string): Promise<number> {
  const response = await fetch(`${issuer.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('registry: sign-ins from Keycloak into the audit', () => {
  let issuer: RunningDevIssuer;
  let h: RegistryHarness;
  let secret: string;
  before(async () => {
    issuer = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
    secret = (await readFile(SECRET_FILE, 'utf8')).trim();
    h = await startRegistryHarness({
      KEYCLOAK_ADMIN_URL: issuer.url,
      KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: SECRET_FILE,
      REGISTRY_LOGIN_EVENTS_POLL_MS: '0',
    });
  });
  after(async () => {
    await h?.close();
    await issuer?.close();
  });

  const logins = async (since: string): Promise<AuditRecord[]> => {
    await h.running.audit.writer.flush();
    return (await h.running.audit.log!.range(1, 10_000)).filter((r) => r.kind === 'login' && r.at >= since);
  };

  it('writes a token request and a failed one as login records, once each', async () => {
    const since = new Date().toISOString();
    assert.equal(await tokenRequest(issuer, 'lgsp-registry', secret), 200);
    assert.equal(await tokenRequest(issuer, 'lgsp-registry', 'a-wrong-secret'), 401);
    const loginAudit = h.running.loginAudit;
    assert.ok(loginAudit !== null, 'the registry reads Keycloak events when KEYCLOAK_ADMIN_URL is set');
    assert.ok((await loginAudit.poll()) >= 2);

    const records = await logins(since);
    const mine = records.filter((r) => r.entityId === 'lgsp-registry');
    const success = mine.find((r) => r.action === 'CLIENT_LOGIN');
    const failure = mine.find((r) => r.action === 'CLIENT_LOGIN_ERROR');
    assert.ok(success && failure, JSON.stringify(mine.map((r) => r.action)));
    assert.deepEqual(
      [success.source, success.outcome, success.user, success.details.ipAddress, success.details.grantType],
      ['keycloak', 'success', 'service-account-lgsp-registry', '127.0.0.1', 'client_credentials'],
    );
    assert.deepEqual([failure.outcome, failure.errorCodes, failure.details.error], ['error', ['invalid_client_credentials'], 'invalid_client_credentials']);
    assert.ok(success.seq < failure.seq, 'in the order Keycloak recorded them');

    // Nothing twice: a second poll, and another process continuing from the cursor in Redis.
    assert.equal(await loginAudit.poll(), 0);
    const log = createMemoryAuditLog();
    const writer = createAuditWriter({ log, hasher: subjectHasher('k'.repeat(32)), logger: createLogger('test', 'silent') });
    const restarted = createLoginAudit({
      reader: createKeycloakEventReader({ adminUrl: issuer.url, realm: 'lgsp', clientId: 'lgsp-registry', clientSecret: secret }),
      writer,
      cursor: redisLoginCursor(h.redis, h.keyPrefix),
      ownerOf: async () => null,
      logger: createLogger('test', 'silent'),
    });
    await restarted.poll();
    await writer.close();
    // Only its own admin token request (a CLIENT_LOGIN made after the cursor) is new to it.
    assert.deepEqual(
      log.records.map((r) => r.action),
      ['CLIENT_LOGIN'],
    );
  });

  it('names the agency and system of a credential the registry issued, and no name typed for an unknown user', () => {
    const entry = loginAuditEntry(
      {
        id: 'e1',
        time: Date.parse('2026-12-06T08:00:00Z'),
        type: 'CLIENT_LOGIN',
        clientId: '000.00.04.h41.ho-tich-dien-tu.test',
        userId: 'u1',
        sessionId: null,
        ipAddress: '10.0.0.7',
        error: null,
        details: { grant_type: 'client_credentials' },
      },
      {
        owner: { agencyCode: '000.00.04.H41', systemId: '000.00.04.H41:ho-tich-dien-tu', environment: 'test' },
        username: 'service-account-x',
        agencyCode: null,
      },
    );
    assert.deepEqual(
      [entry.kind, entry.agency, entry.system, entry.environment, entry.at, entry.outcome],
      ['login', '000.00.04.H41', '000.00.04.H41:ho-tich-dien-tu', 'test', '2026-12-06T08:00:00.000Z', 'success'],
    );
    const unknown = loginAuditEntry(
      { id: 'e2', time: 0, type: 'LOGIN_ERROR', clientId: 'lgsp-portal', userId: null, sessionId: null, ipAddress: null, error: 'user_not_found', details: {} },
      { owner: null, username: null, agencyCode: null },
    );
    assert.deepEqual([unknown.user, unknown.agency, unknown.outcome, unknown.errorCodes], [null, null, 'error', ['user_not_found']]);
  });
});
