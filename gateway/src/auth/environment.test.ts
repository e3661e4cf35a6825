/**
 * The principal's environment with real tokens from the development issuer: a client whose realm entry carries the
 * hardcoded-claim mapper `lgsp_environment: test` (as the registry creates test clients) is a test-environment
 * caller at the subgraphs; a client without it is production; a client whose mapper says anything else is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { loadRealmExport, type RealmExport } from '@lgsp/keycloak/realm';
import { developmentClientToken } from '../../../keycloak/src/dev-clients.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';

const TEST_CLIENT = 'sotaichinh-h41-dkkd';
const PRODUCTION_CLIENT = 'congan-h41-dancu';
const MISCONFIGURED_CLIENT = 'vpubnd-h41-motcua';

/** The realm export with the `lgsp_environment` mapper added to two clients (one of them with a wrong value). */
async function realmWithEnvironments(): Promise<RealmExport> {
  const realm = structuredClone(await loadRealmExport());
  const withClaim = (clientId: string, value: string) => {
    const client = realm.clients.find((c) => c.clientId === clientId);
    assert.ok(client, clientId);
    client.protocolMappers.push({
      name: 'lgsp_environment',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-hardcoded-claim-mapper',
      config: { 'claim.name': 'lgsp_environment', 'claim.value': value, 'jsonType.label': 'String', 'access.token.claim': 'true' },
    });
  };
  withClaim(TEST_CLIENT, 'test');
  withClaim(MISCONFIGURED_CLIENT, 'sandbox');
  return realm;
}

let lgsp: RunningDevIssuer;
let federation: Awaited<ReturnType<typeof startTestFederation>>;
let gateway: RunningGateway;

before(async () => {
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), {
    realm: await realmWithEnvironments(),
  });
  federation = await startTestFederation();
  gateway = await startGateway(
    { ...federation.config, watchSupergraph: false, authentication: { ...federation.config.authentication, realmUrl: lgsp.issuer } },
    { issuer: federation.issuer, metrics: createMetricsRegistry('gateway') },
  );
});

after(async () => {
  await gateway?.close();
  await federation?.cleanup();
  await lgsp?.close();
});

async function ask(clientId: string) {
  const token = await developmentClientToken(lgsp.issuer, clientId, lgsp.realm);
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ person(id: "1") { name } }' }),
  });
  return { status: response.status, body: (await response.json()) as { errors?: Array<{ message: string; extensions: { code: string } }> } };
}

describe('the principal environment from lgsp_environment (real tokens)', () => {
  it('a test client is a test-environment caller at the subgraph', async () => {
    assert.equal((await ask(TEST_CLIENT)).status, 200);
    const principal = federation.people.probe.calls.at(-1)?.principal;
    assert.equal(principal?.clientId, TEST_CLIENT);
    assert.equal(principal?.environment, 'test');
  });

  it('a client without the claim is production (no environment in the principal)', async () => {
    assert.equal((await ask(PRODUCTION_CLIENT)).status, 200);
    const principal = federation.people.probe.calls.at(-1)?.principal;
    assert.equal(principal?.clientId, PRODUCTION_CLIENT);
    assert.equal(principal?.environment, undefined);
  });

  it('a client whose mapper says anything but test is refused: 401, the claim named', async () => {
    const calls = federation.people.probe.calls.length;
    const answer = await ask(MISCONFIGURED_CLIENT);
    assert.equal(answer.status, 401);
    assert.equal(answer.body.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
    assert.match(answer.body.errors?.[0]?.message ?? '', /lgsp_environment claim must be test .* or absent/);
    assert.equal(federation.people.probe.calls.length, calls, 'nothing reached the subgraph');
  });
});
