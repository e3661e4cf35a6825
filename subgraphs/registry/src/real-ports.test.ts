/**
 * The registry with the real ports: `@lgsp/access`'s stores and `@lgsp/credentials`' issuer on the development
 * issuer's Admin REST API. A request goes to the test environment, its credential gets a real token with the
 * environment claim, and cancelling removes the grant, revokes the client and disables it at the issuer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type Principal } from '@lgsp/kit';
import { createMemoryChangeLog, createMemoryCredentialRevocations, createMemoryGrantStore } from '@lgsp/access';
import { startCredentialsForTest, tokenWithCredential } from '@lgsp/credentials/testing';
import { loadRegistryConfig } from './config.ts';
import { readDevelopmentSeed } from './data/seed.ts';
import { startRegistry, type RunningRegistry } from './service.ts';
import { adminOf, JUSTICE, OPERATOR, POLICE } from './testing.ts';

describe('registry with the real @lgsp/access and @lgsp/credentials', () => {
  let registry: RunningRegistry;
  let creds: Awaited<ReturnType<typeof startCredentialsForTest>>;
  const grants = createMemoryGrantStore();
  const changes = createMemoryChangeLog();
  const revocations = createMemoryCredentialRevocations();
  let gql: (p: Principal, q: string, v?: Record<string, unknown>) => Promise<any>;
  before(async () => {
    creds = await startCredentialsForTest();
    const tokens = await createInternalTokenIssuer({ ttlSeconds: 60 });
    registry = await startRegistry(loadRegistryConfig({ PORT: '0', LOG_LEVEL: 'silent', REGISTRY_SWEEP_MS: '0' }), {
      verifier: createInternalTokenVerifier({ jwks: tokens.jwks() }),
      logger: createLogger('registry', 'silent'),
      grants,
      changes,
      revocations,
      issuer: creds.credentials,
      // Without the development exchange: the system's only request in force is the one this test makes.
      seed: { ...readDevelopmentSeed(), relayParticipants: { systems: [] } },
    });
    gql = async (p, q, v = {}) =>
      await (
        await fetch(registry.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.tokenFor(p)}` },
          body: JSON.stringify({ query: q, variables: v }),
        })
      ).json();
  });
  after(async () => {
    await registry.close();
    await creds.close();
  });
  it('runs the flow', async () => {
    const sub = await gql(adminOf(JUSTICE), 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
      input: {
        consumerSystem: `${JUSTICE}:ho-tich-dien-tu`,
        serviceCode: 'national-data-citizen',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['civil-status'],
        legalBasis: 'x',
        expectedRequestsPerDay: 1,
        quota: { requests: 5, perSeconds: 1 },
        securityCommitment: { signedBy: 'x', text: 'x' },
      },
    });
    assert.equal(sub.errors, undefined, JSON.stringify(sub.errors));
    const id = sub.data.submitAccessRequest.id;
    for (const [p, a] of [
      [adminOf(POLICE), 'APPROVE'],
      [OPERATOR, 'APPROVE'],
    ] as const) {
      const r = await gql(p, `mutation { actOnAccessRequest(id: "${id}", action: ${a}) { state } }`);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    assert.equal((await grants.get(`registry.${id}.test`))?.environment, 'test', 'the test grant is written');
    const issued = await gql(
      adminOf(JUSTICE),
      `mutation { issueCredential(systemId: "${JUSTICE}:ho-tich-dien-tu", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
    );
    assert.equal(issued.errors, undefined, JSON.stringify(issued.errors));
    const { clientId, secret } = issued.data.issueCredential;
    const token = await tokenWithCredential(creds.issuer.issuer, clientId, { secret });
    assert.equal(token.status, 200);
    const payload = JSON.parse(Buffer.from(String(token.body.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual([payload.lgsp_environment, payload.agency_code, payload.system_id], ['test', JUSTICE, `${JUSTICE}:ho-tich-dien-tu`]);
    const cancel = await gql(OPERATOR, `mutation { actOnAccessRequest(id: "${id}", action: CANCEL, reason: "thử") { state } }`);
    assert.equal(cancel.errors, undefined, JSON.stringify(cancel.errors));
    assert.equal(await grants.get(`registry.${id}.test`), null);
    assert.equal(await revocations.isRevoked(clientId), true);
    const refused = await tokenWithCredential(creds.issuer.issuer, clientId, { secret });
    assert.notEqual(refused.status, 200);
    const log = await changes.list({ limit: 50 });
    assert.ok(
      log.some((r) => r.entity === 'AccessRequest' && r.action === 'CANCEL'),
      'the change log recorded the request',
    );
  });
});
