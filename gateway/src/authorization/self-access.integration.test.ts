/**
 * Self-access through the real parts: the gateway (its own authentication against a local test realm that signs
 * Keycloak-shaped tokens as the VDXP-brokered realm issues them to the portal, grants from the development file) in
 * front of the real catalogs and national-data subgraphs and the national platform simulator, both writing to one
 * audit log. A citizen reads their own record and their own enterprise, nothing else; every attempt is audited; an
 * agency, a civil servant or a system cannot use the self-access fields, and agencies' grants decide as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, createMetricsRegistry, loadConfig } from '@lgsp/kit';
import { createMemoryAuditLog, DEV_SUBJECT_KEY, subjectHasher, type AuditRecord } from '@lgsp/audit';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { startCatalogs } from '../../../subgraphs/catalogs/src/service.ts';
import { loadCatalogsConfig } from '../../../subgraphs/catalogs/src/config.ts';
import { startNationalData } from '../../../subgraphs/national-data/src/service.ts';
import { configSchema as nationalDataConfigSchema } from '../../../subgraphs/national-data/src/config.ts';
import { gatewayConfigFromEnv, startGateway, type GatewayConfig, type RunningGateway } from '../server.ts';
import { SELF_ACCESS_DENIAL_MESSAGE } from './self-access.ts';

const POLICE = '000.00.02.H41';
const SCHOOL = '000.01.06.H41';
const COMMUNE = '000.00.20.H41';
const OWN_ID = WELL_KNOWN.citizens.householdHead; // Trần Quốc Hòa, head of a 5-person household
const SPOUSE_ID = WELL_KNOWN.citizens.spouse;
const ENTERPRISE = WELL_KNOWN.enterprises.jointStock;
const hash = subjectHasher(DEV_SUBJECT_KEY);
const personal = (value: string) => hash({ kind: 'personal-id', value });

let realm: { url: string; server: Server; sign(claims: Record<string, unknown>): Promise<string> };
let sim: RunningSimulator;
let catalogs: Awaited<ReturnType<typeof startCatalogs>>;
let nationalData: Awaited<ReturnType<typeof startNationalData>>;
let gateway: RunningGateway;
const log = createMemoryAuditLog();
/** The personal ID the register gives for ENTERPRISE's legal representative (read by an agency granted it). */
let representativeId: string;

/** A realm publishing one RS256 key at Keycloak's certs path, signing Keycloak-shaped access tokens. */
async function startTestRealm() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/realms/lgsp/protocol/openid-connect/certs') res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/lgsp`;
  return {
    url,
    server,
    sign: (claims: Record<string, unknown>) =>
      new SignJWT({ typ: 'Bearer', azp: 'test-client', scope: 'openid', sub: randomUUID(), jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
        .setIssuer(url)
        .setAudience('lgsp-gateway')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}

const systemToken = (agency: string) =>
  realm.sign({ agency_code: agency, preferred_username: `service-account-${agency}`, system_id: `system-${agency}`, azp: `client-${agency}` });

/** A civil servant of the commune, signed in through the portal. */
const civilServantToken = () =>
  realm.sign({ agency_code: COMMUNE, preferred_username: 'hoa.vo', azp: 'lgsp-portal', realm_access: { roles: ['civil-servant'] } });

/**
 * A citizen signed in through VDXP, as the realm issues the portal's token. The login is made of the personal ID on
 * purpose (a broker may do that): the audit must name the citizen by account subject, never by it.
 */
function citizenToken(personalId: string | undefined, extra: Record<string, unknown> = {}): { sub: string; token: Promise<string> } {
  const sub = randomUUID();
  const claims: Record<string, unknown> = {
    sub,
    azp: 'lgsp-portal',
    preferred_username: `vdxp.${personalId ?? 'unknown'}`,
    realm_access: { roles: ['citizen'] },
    acr: '2',
    ...extra,
  };
  if (personalId !== undefined) claims.personal_id = personalId;
  return { sub, token: realm.sign(claims) };
}

interface Response {
  status: number;
  requestId: string;
  body: { data?: any; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

async function post(query: string, options: { token?: string; purpose?: string; variables?: Record<string, unknown> } = {}): Promise<Response> {
  const requestId = randomUUID();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-request-id': requestId };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose !== undefined) headers['x-lgsp-purpose'] = options.purpose;
  const res = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables ?? {} }) });
  return { status: res.status, requestId, body: (await res.json()) as Response['body'] };
}

/** The records of a request once both writers wrote what they had (the gateway answers after national-data did). */
async function recordsOf(requestId: string): Promise<{ graphql: AuditRecord | undefined; served: AuditRecord[] }> {
  for (let attempt = 0; ; attempt++) {
    await gateway.audit.writer!.flush();
    await nationalData.audit.writer!.flush();
    const records = log.records.filter((r) => r.requestId === requestId);
    const graphql = records.find((r) => r.kind === 'graphql');
    if (graphql !== undefined || attempt === 100) return { graphql, served: records.filter((r) => r.kind === 'served') };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const errorsOf = (r: Response) => (r.body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);

before(async () => {
  realm = await startTestRealm();
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  catalogs = await startCatalogs(loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent' }), { verifier });
  nationalData = await startNationalData(
    loadConfig('national-data', nationalDataConfigSchema, { PORT: '0', NATIONAL_PLATFORM_URL: sim.url, LOG_LEVEL: 'silent' }),
    { verifier, logger: createLogger('national-data', 'silent'), auditLog: log },
  );
  const base = gatewayConfigFromEnv({ KEYCLOAK_URL: realm.url, LOG_LEVEL: 'silent' });
  const config: GatewayConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    watchSupergraph: false,
    subgraphUrlOverrides: {
      SUBGRAPH_CATALOGS_URL: catalogs.url,
      SUBGRAPH_NATIONAL_DATA_URL: nationalData.url,
      SUBGRAPH_SUBSCRIPTIONS_URL: 'http://127.0.0.1:9/graphql',
    },
  };
  gateway = await startGateway(config, { issuer, metrics: createMetricsRegistry('gateway'), auditLog: log });
  // Sở Tư pháp holds the representative-ID grant: it reads who represents the enterprise.
  const justice = await post(`{ enterprise(code: "${ENTERPRISE}") { legalRepresentative { personalId } } }`, {
    token: await systemToken('000.00.04.H41'),
    purpose: 'judicial-record:LLTP-1',
  });
  representativeId = justice.body.data.enterprise.legalRepresentative.personalId;
  assert.match(representativeId, /^\d{12}$/);
  assert.notEqual(representativeId, OWN_ID);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([nationalData?.close(), catalogs?.close(), sim?.close()]);
  realm?.server.close();
});

const MY_RECORD = `query MyRecord {
  myCitizenRecord { personalId fullName dateOfBirth gender permanentAddress { fullText ward { code name } } household { number members { relation personalId } } }
}`;

describe('a citizen reads their own record', () => {
  test('every field of it, audited at the gateway and at national-data with the citizen as reader and the purpose self-access', async () => {
    const citizen = citizenToken(OWN_ID);
    const response = await post(MY_RECORD, { token: await citizen.token });
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const record = response.body.data.myCitizenRecord;
    assert.equal(record.personalId, OWN_ID);
    assert.equal(record.fullName, 'Trần Quốc Hòa');
    assert.equal(record.dateOfBirth, '1974-06-17');
    assert.equal(record.permanentAddress.ward.code, '16750');
    assert.equal(record.household.members.length, 5);

    const { graphql, served } = await recordsOf(response.requestId);
    assert.ok(graphql);
    assert.equal(graphql.outcome, 'success');
    assert.equal(graphql.agency, null);
    assert.equal(graphql.system, null);
    assert.equal(graphql.user, citizen.sub, 'the citizen, by account subject');
    assert.equal(graphql.purpose, 'self-access');
    assert.ok(graphql.fields.includes('Query.myCitizenRecord'));
    assert.ok(graphql.personalFields.includes('Citizen.dateOfBirth'));
    assert.equal(graphql.counterpartAgency, POLICE, 'the population data provider');
    assert.ok(graphql.subjects.includes(personal(OWN_ID)));
    assert.equal(served.length, 1);
    assert.equal(served[0]!.user, citizen.sub);
    assert.equal(served[0]!.agency, null);
    assert.equal(served[0]!.purpose, 'self-access');
    assert.ok(served[0]!.subjects.includes(personal(OWN_ID)));
    // The personal ID is never in clear in either record (the login here is made of it).
    for (const r of [graphql, served[0]!]) assert.doesNotMatch(JSON.stringify(r), new RegExp(OWN_ID));
  });

  test('the own subject is recorded even when the personal ID is not selected; a declared purpose is kept', async () => {
    const citizen = citizenToken(OWN_ID);
    const response = await post('{ myCitizenRecord { fullName } }', { token: await citizen.token, purpose: 'public-service:HS-2026-1' });
    assert.equal(response.body.data.myCitizenRecord.fullName, 'Trần Quốc Hòa');
    const { graphql, served } = await recordsOf(response.requestId);
    assert.ok(graphql?.subjects.includes(personal(OWN_ID)));
    assert.equal(graphql?.purpose, 'public-service:HS-2026-1');
    assert.equal(served[0]?.purpose, 'public-service:HS-2026-1');
  });

  test('the household members are listed, but their own records are FORBIDDEN (never looked up)', async () => {
    const response = await post('{ myCitizenRecord { household { members { relation personalId citizen { fullName } } } } }', {
      token: await citizenToken(OWN_ID).token,
    });
    const members = response.body.data.myCitizenRecord.household.members as Array<{ relation: string; personalId: string; citizen: unknown }>;
    const own = members.findIndex((m) => m.personalId === OWN_ID);
    assert.equal(members[own]!.relation, 'HEAD');
    assert.deepEqual(members[own]!.citizen, { fullName: 'Trần Quốc Hòa' });
    const others = members.map((_, i) => i).filter((i) => i !== own);
    assert.deepEqual(
      errorsOf(response),
      others.map((i) => [`myCitizenRecord.household.members.${i}.citizen`, 'FORBIDDEN']),
    );
    for (const i of others) assert.equal(members[i]!.citizen, null);
    const error = response.body.errors![0]!;
    assert.match(error.message, /^Công dân chỉ được xem hồ sơ của chính mình/);
    assert.equal(error.extensions?.reason, 'NOT_OWN_RECORD');
    const { served } = await recordsOf(response.requestId);
    assert.deepEqual(served[0]?.errorCodes, ['FORBIDDEN']);
  });

  test('a citizen the population database does not know: null with NOT_FOUND', async () => {
    const response = await post('{ myCitizenRecord { fullName } }', { token: await citizenToken(WELL_KNOWN.citizens.notFound).token });
    assert.deepEqual(response.body.data, { myCitizenRecord: null });
    assert.deepEqual(errorsOf(response), [['myCitizenRecord', 'NOT_FOUND']]);
  });
});

describe('a citizen asking for anything else is refused and audited', () => {
  const refused: Array<[string, string, Record<string, unknown>, string]> = [
    ["someone else's record", 'query($id: String!) { citizen(personalId: $id) { fullName } }', { id: SPOUSE_ID }, 'citizen'],
    ['their own record through the agency lookup', 'query($id: String!) { citizen(personalId: $id) { fullName } }', { id: OWN_ID }, 'citizen'],
    ['several records', 'query($ids: [String!]!) { citizens(personalIds: $ids) { fullName } }', { ids: [OWN_ID, SPOUSE_ID] }, 'citizens'],
    ['an enterprise by code', 'query($code: String!) { enterprise(code: $code) { name } }', { code: ENTERPRISE }, 'enterprise'],
  ];
  for (const [name, query, variables, field] of refused) {
    test(`${name}: UNAUTHORIZED_FIELD_OR_TYPE with the self-access message, nothing sent to national-data, a denied record`, async () => {
      const citizen = citizenToken(OWN_ID, { enterprise_code: ENTERPRISE });
      const response = await post(query, { token: await citizen.token, variables });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.data, { [field]: null });
      assert.deepEqual(errorsOf(response), [[field, 'UNAUTHORIZED_FIELD_OR_TYPE']]);
      assert.equal(response.body.errors![0]!.message, SELF_ACCESS_DENIAL_MESSAGE);
      const { graphql, served } = await recordsOf(response.requestId);
      assert.ok(graphql);
      assert.equal(graphql.outcome, 'denied');
      assert.deepEqual(graphql.errorCodes, ['UNAUTHORIZED_FIELD_OR_TYPE']);
      assert.equal(graphql.user, citizen.sub);
      assert.equal(graphql.purpose, 'self-access');
      assert.deepEqual(graphql.fields, [], 'nothing was let through');
      // Whom it asked about is recorded (the other person's access history shows the attempt).
      const asked =
        field === 'enterprise'
          ? [hash({ kind: 'enterprise-code', value: ENTERPRISE })]
          : Object.values(variables)
              .flat()
              .map((id) => personal(String(id)));
      assert.deepEqual([...graphql.subjects].sort(), [...asked].sort());
      assert.deepEqual(served, [], 'national-data was not called');
    });
  }

  test('alongside their own record: the own record is served, the other lookup refused', async () => {
    const response = await post(`{ myCitizenRecord { fullName } citizen(personalId: "${SPOUSE_ID}") { fullName } }`, {
      token: await citizenToken(OWN_ID).token,
    });
    assert.deepEqual(response.body.data, { myCitizenRecord: { fullName: 'Trần Quốc Hòa' }, citizen: null });
    assert.deepEqual(errorsOf(response), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    const { graphql, served } = await recordsOf(response.requestId);
    assert.equal(graphql?.outcome, 'partial');
    assert.equal(served.length, 1);
    assert.deepEqual(served[0]!.subjects, [personal(OWN_ID)], 'only the own record was served');
  });

  test('a citizen token without a well-formed personal_id is refused at authentication (401) and audited', async () => {
    for (const token of [citizenToken(undefined).token, citizenToken('0400749886').token]) {
      const response = await post('{ myCitizenRecord { fullName } }', { token: await token });
      assert.equal(response.status, 401);
      assert.deepEqual(errorsOf(response), [[undefined, 'UNAUTHENTICATED']]);
      assert.match(response.body.errors![0]!.message, /personal_id/);
      const { graphql, served } = await recordsOf(response.requestId);
      assert.equal(graphql?.outcome, 'denied');
      assert.deepEqual(served, []);
    }
  });
});

describe("a business representative reads their enterprise's record", () => {
  test('the enterprise of the token, when the register names them its legal representative, audited', async () => {
    const representative = citizenToken(representativeId, { enterprise_code: ENTERPRISE });
    const response = await post(
      '{ myEnterprise { code name status legalRepresentative { fullName personalId citizen { personalId } } headOffice { fullText } } }',
      { token: await representative.token },
    );
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    const enterprise = response.body.data.myEnterprise;
    assert.equal(enterprise.code, ENTERPRISE);
    assert.equal(enterprise.legalRepresentative.personalId, representativeId);
    assert.equal(enterprise.legalRepresentative.citizen.personalId, representativeId);
    const { graphql, served } = await recordsOf(response.requestId);
    assert.equal(graphql?.outcome, 'success');
    assert.equal(graphql?.user, representative.sub);
    assert.ok(graphql?.subjects.includes(hash({ kind: 'enterprise-code', value: ENTERPRISE })));
    assert.ok(served[0]?.subjects.includes(hash({ kind: 'enterprise-code', value: ENTERPRISE })));
    assert.equal(served[0]?.user, representative.sub);
  });

  test('an enterprise_code the register does not confirm: FORBIDDEN, the enterprise not served', async () => {
    const response = await post('{ myEnterprise { name } }', { token: await citizenToken(OWN_ID, { enterprise_code: ENTERPRISE }).token });
    assert.deepEqual(response.body.data, { myEnterprise: null });
    assert.deepEqual(errorsOf(response), [['myEnterprise', 'FORBIDDEN']]);
    assert.equal(response.body.errors![0]!.extensions?.reason, 'NOT_LEGAL_REPRESENTATIVE');
    assert.match(response.body.errors![0]!.message, /^Sổ đăng ký doanh nghiệp không ghi nhận bạn/);
    const { graphql, served } = await recordsOf(response.requestId);
    // Planned and refused by national-data: the gateway's record says so by its error code.
    assert.equal(graphql?.outcome, 'partial');
    assert.deepEqual(graphql?.errorCodes, ['FORBIDDEN']);
    assert.ok(graphql?.subjects.includes(hash({ kind: 'enterprise-code', value: ENTERPRISE })), 'whose record was asked for');
    assert.deepEqual(served[0]?.errorCodes, ['FORBIDDEN']);
    assert.deepEqual(served[0]?.subjects, [], 'nothing was served');
  });

  test('a citizen who represents no enterprise: null, no error', async () => {
    const response = await post('{ myEnterprise { name } }', { token: await citizenToken(OWN_ID).token });
    assert.deepEqual(response.body, { data: { myEnterprise: null } });
  });
});

describe('the self-access fields are for citizens only; agencies decide as before', () => {
  const callers: Array<[string, () => Promise<string>]> = [
    ['an agency system (even the population data provider)', () => systemToken(POLICE)],
    ['a civil servant signed in through the portal', civilServantToken],
  ];
  for (const [name, token] of callers) {
    test(`${name}: myCitizenRecord and myEnterprise are UNAUTHORIZED_FIELD_OR_TYPE, nothing sent to national-data`, async () => {
      const response = await post('{ myCitizenRecord { fullName } myEnterprise { name } }', { token: await token(), purpose: 'public-service:HS-1' });
      assert.deepEqual(response.body.data, { myCitizenRecord: null, myEnterprise: null });
      assert.deepEqual(errorsOf(response), [
        ['myCitizenRecord', 'UNAUTHORIZED_FIELD_OR_TYPE'],
        ['myEnterprise', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ]);
      assert.equal(response.body.errors![0]!.message, 'Unauthorized field or type');
      assert.deepEqual(response.body.errors![0]!.extensions?.missing, ['policy:self-access']);
      const { graphql, served } = await recordsOf(response.requestId);
      assert.equal(graphql?.outcome, 'denied');
      assert.deepEqual(served, []);
    });
  }

  test("agencies' grants are unaffected: the Police read a citizen, the school does not, everyone reads enterprise basics", async () => {
    const police = await post(`{ citizen(personalId: "${SPOUSE_ID}") { fullName dateOfBirth } }`, {
      token: await systemToken(POLICE),
      purpose: 'law-enforcement:VV-1',
    });
    assert.equal(police.body.errors, undefined);
    assert.equal(police.body.data.citizen.fullName, 'Ngô Thị Anh');
    const school = await post(`{ citizen(personalId: "${SPOUSE_ID}") { fullName } }`, { token: await systemToken(SCHOOL), purpose: 'education:1' });
    assert.deepEqual(errorsOf(school), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    assert.deepEqual(school.body.errors![0]!.extensions?.missing, ['policy:national-data.citizen.basic']);
    assert.equal(school.body.errors![0]!.message, 'Unauthorized field or type');
    const noPurpose = await post(`{ citizen(personalId: "${SPOUSE_ID}") { fullName } }`, { token: await systemToken(POLICE) });
    assert.deepEqual(errorsOf(noPurpose), [['citizen', 'PURPOSE_REQUIRED']]);
    const enterprise = await post(`{ enterprise(code: "${ENTERPRISE}") { name legalRepresentative { fullName } } }`, { token: await systemToken(SCHOOL) });
    assert.equal(enterprise.body.errors, undefined);
    assert.equal(typeof enterprise.body.data.enterprise.name, 'string');
    // An enterprise read is not personal data because self-access also covers the type.
    const { graphql } = await recordsOf(enterprise.requestId);
    assert.deepEqual(graphql?.personalFields, []);
  });
});
