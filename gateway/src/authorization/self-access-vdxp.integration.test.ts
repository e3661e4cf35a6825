/**
 * Self-access end to end with the real identity chain: a citizen signs in to the portal's client through the
 * development issuer brokered to the VDXP simulator (the national e-ID), and the portal's real access token goes to
 * the real gateway in front of catalogs, national-data and the national platform simulator (one audit log). What the
 * broker maps (personal_id, enterprise_code, acr, the citizen role) is what the gateway reads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, createMetricsRegistry, loadConfig } from '@lgsp/kit';
import { createMemoryAuditLog } from '@lgsp/audit';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { freePort } from '../../../scripts/platform.ts';
import { startDevIssuer } from '../../../keycloak/src/service.ts';
import { startSimulator } from '../../../simulator/src/service.ts';
import { startCatalogs } from '../../../subgraphs/catalogs/src/service.ts';
import { loadCatalogsConfig } from '../../../subgraphs/catalogs/src/config.ts';
import { startNationalData } from '../../../subgraphs/national-data/src/service.ts';
import { configSchema as nationalDataConfigSchema } from '../../../subgraphs/national-data/src/config.ts';
import { gatewayConfigFromEnv, startGateway, type RunningGateway } from '../server.ts';
import { vdxpCitizenLogin } from '../testing/vdxp-login.ts';
import { SELF_ACCESS_ASSURANCE_MESSAGE, SELF_ACCESS_DENIAL_MESSAGE } from './self-access.ts';

/** VDXP simulator accounts (simulator/CONTRACT.md § VDXP): level 2, level 1, and a legal representative. */
const CITIZEN = WELL_KNOWN.citizens.householdHead; // Trần Quốc Hòa, level 2
const LEVEL_ONE = WELL_KNOWN.citizens.livesElsewhere; // Nguyễn Thị Hằng, a level-1 account
const REPRESENTATIVE = '011173898166'; // Lê Tuyết Uyên, legal representative of 0491470798
const REPRESENTED = WELL_KNOWN.enterprises.oneMemberLlc;

let simulator: Awaited<ReturnType<typeof startSimulator>>;
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let catalogs: Awaited<ReturnType<typeof startCatalogs>>;
let nationalData: Awaited<ReturnType<typeof startNationalData>>;
let gateway: RunningGateway;
const log = createMemoryAuditLog();

before(async () => {
  const issuerPort = await freePort();
  simulator = await startSimulator({
    PORT: 0,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    VDXP_REDIRECT_URIS: [`http://localhost:${issuerPort}/realms/lgsp/broker/vdxp/endpoint`],
  });
  issuer = await startDevIssuer({
    DEV_ISSUER_PORT: issuerPort,
    HOST: '127.0.0.1',
    DEV_ISSUER_URL: `http://localhost:${issuerPort}/realms/lgsp`,
    VDXP_ISSUER_URL: simulator.vdxp.issuer,
    LOG_LEVEL: 'silent',
  });
  const internal = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: internal.jwks() });
  catalogs = await startCatalogs(loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent' }), { verifier });
  nationalData = await startNationalData(
    loadConfig('national-data', nationalDataConfigSchema, { PORT: '0', NATIONAL_PLATFORM_URL: simulator.url, LOG_LEVEL: 'silent' }),
    { verifier, logger: createLogger('national-data', 'silent'), auditLog: log },
  );
  const base = gatewayConfigFromEnv({ KEYCLOAK_URL: issuer.issuer, LOG_LEVEL: 'silent' });
  gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      watchSupergraph: false,
      subgraphUrlOverrides: {
        SUBGRAPH_CATALOGS_URL: catalogs.url,
        SUBGRAPH_NATIONAL_DATA_URL: nationalData.url,
        SUBGRAPH_SUBSCRIPTIONS_URL: 'http://127.0.0.1:9/graphql',
      },
    },
    { issuer: internal, metrics: createMetricsRegistry('gateway'), auditLog: log },
  );
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([nationalData?.close(), catalogs?.close()]);
  await issuer?.close();
  await simulator?.close();
});

async function ask(token: string, query: string) {
  const requestId = randomUUID();
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-request-id': requestId },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: any; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }> };
  return { status: response.status, requestId, body };
}

async function servedOf(requestId: string) {
  await nationalData.audit.writer!.flush();
  return log.records.filter((r) => r.requestId === requestId && r.kind === 'served');
}

describe('a citizen signed in through VDXP', () => {
  test('reads their own record (level 2), the served record naming them; anyone else refused', async () => {
    const login = await vdxpCitizenLogin(issuer.issuer, CITIZEN);
    const own = await ask(login.accessToken, '{ myCitizenRecord { personalId fullName dateOfBirth } myEnterprise { name } }');
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, {
      data: { myCitizenRecord: { personalId: CITIZEN, fullName: 'Trần Quốc Hòa', dateOfBirth: '1974-06-17' }, myEnterprise: null },
    });
    const [served] = await servedOf(own.requestId);
    assert.equal(served?.user, login.sub);
    assert.equal(served?.purpose, 'self-access');

    const other = await ask(login.accessToken, `{ citizen(personalId: "${WELL_KNOWN.citizens.spouse}") { fullName } }`);
    assert.deepEqual(other.body.data, { citizen: null });
    assert.equal(other.body.errors?.[0]?.extensions?.code, 'UNAUTHORIZED_FIELD_OR_TYPE');
    assert.equal(other.body.errors?.[0]?.message, SELF_ACCESS_DENIAL_MESSAGE);
    assert.deepEqual(await servedOf(other.requestId), []);
  });

  test('a level-1 VNeID account is told it needs level 2', async () => {
    const login = await vdxpCitizenLogin(issuer.issuer, LEVEL_ONE);
    const answer = await ask(login.accessToken, '{ myCitizenRecord { fullName } }');
    assert.deepEqual(answer.body.data, { myCitizenRecord: null });
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'UNAUTHORIZED_FIELD_OR_TYPE');
    assert.equal(answer.body.errors?.[0]?.message, SELF_ACCESS_ASSURANCE_MESSAGE);
  });

  test("a business representative reads their enterprise's record, the register naming them", async () => {
    const login = await vdxpCitizenLogin(issuer.issuer, REPRESENTATIVE);
    const answer = await ask(login.accessToken, '{ myEnterprise { code name legalRepresentative { fullName personalId } } }');
    assert.equal(answer.body.errors, undefined, JSON.stringify(answer.body.errors));
    assert.equal(answer.body.data.myEnterprise.code, REPRESENTED);
    assert.equal(answer.body.data.myEnterprise.legalRepresentative.personalId, REPRESENTATIVE);
  });
});
