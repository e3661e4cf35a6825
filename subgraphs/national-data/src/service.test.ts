/** The subgraph over HTTP, with the kit's internal token, against the real simulator. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANONYMOUS,
  type Principal,
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  loadConfig,
  type InternalTokenIssuer,
} from '@lgsp/kit';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN, WELL_KNOWN_TEST } from '@lgsp/simulator/well-known';
import { configSchema } from './config.ts';
import { startNationalData, type RunningNationalData } from './service.ts';

let sim: RunningSimulator;
let service: RunningNationalData;
let issuer: InternalTokenIssuer;

interface GraphQLResult {
  data?: any;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  auth: 'gateway' | 'none' | Principal = 'gateway',
): Promise<{ status: number; body: GraphQLResult }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth === 'gateway') headers.authorization = `Bearer ${await issuer.tokenFor(ANONYMOUS)}`;
  else if (auth !== 'none') headers.authorization = `Bearer ${await issuer.tokenFor(auth)}`;
  const res = await fetch(service.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as GraphQLResult };
}

const codesAt = (result: GraphQLResult) => (result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);

before(async () => {
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const config = loadConfig('national-data', configSchema, {
    PORT: '0',
    NATIONAL_PLATFORM_URL: sim.url,
    NATIONAL_PLATFORM_TEST_URL: sim.test.url,
    NATIONAL_PLATFORM_TIMEOUT_MS: '800', // generous for a cold first call on a loaded CI machine; the timeout test waits out 2 s
    NATIONAL_PLATFORM_RETRY_BASE_MS: '1',
    NATIONAL_PLATFORM_BREAKER_FAILURES: '50',
  });
  service = await startNationalData(config, {
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger('national-data-test', 'silent'),
  });
});
after(async () => {
  await service.close();
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  sim.test.reset();
});

const CITIZEN_FIELDS = `
  personalId fullName familyName middleName givenName dateOfBirth gender
  ethnicity { code } religion { code } nationality { code }
  permanentAddress { street ward { code tier } province { code tier } fullText }
  currentAddress { ward { code } }
  household { number head { personalId fullName } members { relation relationLabel personalId citizen { fullName dateOfBirth } } }`;

describe('access', () => {
  test('a call without the gateway token is refused with 401', async () => {
    const res = await graphql('{ citizen(personalId: "040074988660") { fullName } }', {}, 'none');
    assert.equal(res.status, 401);
    assert.equal(res.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
    assert.equal(sim.stats().totalRequests, 0);
  });
});

describe('citizen', () => {
  test('happy path: record, catalog stubs, household with members', async () => {
    const { body } = await graphql(`query($id: String!) { citizen(personalId: $id) { ${CITIZEN_FIELDS} } }`, { id: WELL_KNOWN.citizens.householdHead });
    assert.equal(body.errors, undefined);
    const c = body.data.citizen;
    assert.equal(c.fullName, 'Trần Quốc Hòa');
    assert.deepEqual([c.familyName, c.middleName, c.givenName], ['Trần', 'Quốc', 'Hòa']);
    assert.equal(c.dateOfBirth, '1974-06-17');
    assert.equal(c.gender, 'MALE');
    assert.deepEqual(c.ethnicity, { code: '01' });
    assert.equal(c.religion, null);
    assert.deepEqual(c.nationality, { code: 'VN' });
    assert.deepEqual(c.permanentAddress.ward, { code: '16750', tier: 'TWO_TIER' });
    assert.deepEqual(c.permanentAddress.province, { code: '40', tier: 'TWO_TIER' });
    assert.equal(c.household.head.personalId, WELL_KNOWN.citizens.householdHead);
    assert.equal(c.household.members.length, 5);
    assert.deepEqual(c.household.members[1].relation, 'SPOUSE');
    assert.equal(c.household.members[1].citizen.fullName, 'Ngô Thị Anh');
    // The root lookup is one call; the head and the 5 members (deduplicated) are one batch call.
    const stats = sim.stats().endpoints;
    assert.equal(stats['dancu.congdan'].requests, 1);
    assert.equal(stats['dancu.congdan.batch'].requests, 1);
  });

  test('a personal ID that is not 12 digits → INVALID_PERSONAL_ID, nothing sent upstream', async () => {
    const { body } = await graphql('{ citizen(personalId: "12345") { fullName } }');
    assert.equal(body.data.citizen, null);
    assert.deepEqual(codesAt(body), [['citizen', 'INVALID_PERSONAL_ID']]);
    assert.equal(sim.stats().endpoints['dancu.congdan'].requests, 0);
  });

  test('an unknown personal ID → null with NOT_FOUND at its path', async () => {
    const { body } = await graphql(`{ citizen(personalId: "${WELL_KNOWN.citizens.notFound}") { fullName } }`);
    assert.equal(body.data.citizen, null);
    assert.deepEqual(codesAt(body), [['citizen', 'NOT_FOUND']]);
  });

  test('100 citizens → exactly one batch call to the platform', async () => {
    const ids = sim.dataset.citizenIds.slice(200, 300);
    const { body } = await graphql('query($ids: [String!]!) { citizens(personalIds: $ids) { personalId fullName permanentAddress { ward { code } } } }', {
      ids,
    });
    assert.equal(body.errors, undefined);
    assert.deepEqual(
      body.data.citizens.map((c: { personalId: string }) => c.personalId),
      ids,
    );
    const stats = sim.stats().endpoints;
    assert.equal(stats['dancu.congdan.batch'].requests, 1);
    assert.equal(stats['dancu.congdan.batch'].idsRequested, 100);
    assert.equal(stats['dancu.congdan'].requests, 0);
  });

  test('100 entity references from the gateway (_entities) → one batch call', async () => {
    const representations = sim.dataset.citizenIds.slice(1000, 1100).map((personalId) => ({ __typename: 'Citizen', personalId }));
    const { body } = await graphql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { personalId gender } } }', { r: representations });
    assert.equal(body.errors, undefined);
    assert.equal(body.data._entities.length, 100);
    assert.equal(sim.stats().endpoints['dancu.congdan.batch'].requests, 1);
  });

  test('citizens: missing and malformed items are null with their own errors; the others are returned', async () => {
    const ids = [WELL_KNOWN.citizens.spouse, WELL_KNOWN.citizens.notFound, 'abc', WELL_KNOWN.citizens.hanoiHead];
    const { body } = await graphql('query($ids: [String!]!) { citizens(personalIds: $ids) { fullName } }', { ids });
    assert.deepEqual(body.data.citizens, [{ fullName: 'Ngô Thị Anh' }, null, null, { fullName: 'Nguyễn Ngọc Hiếu' }]);
    assert.deepEqual(codesAt(body).sort(), [
      ['citizens.1', 'NOT_FOUND'],
      ['citizens.2', 'INVALID_PERSONAL_ID'],
    ]);
    assert.equal(sim.stats().endpoints['dancu.congdan.batch'].requests, 1);
  });

  test('more than 100 personal IDs → LIMIT_EXCEEDED', async () => {
    const ids = sim.dataset.citizenIds.slice(0, 101);
    const { body } = await graphql('query($ids: [String!]!) { citizens(personalIds: $ids) { fullName } }', { ids });
    assert.deepEqual(codesAt(body), [['citizens', 'LIMIT_EXCEEDED']]);
    assert.equal(sim.stats().totalRequests, 0);
  });

  test('personal data is not cached across requests', async () => {
    const query = `{ citizen(personalId: "${WELL_KNOWN.citizens.spouse}") { fullName } }`;
    await graphql(query);
    await graphql(query);
    assert.equal(sim.stats().endpoints['dancu.congdan'].requests, 2);
  });
});

describe('enterprise', () => {
  test('happy path, with the legal representative joined to the population database', async () => {
    const { body } = await graphql(`{ enterprise(code: "${WELL_KNOWN.enterprises.jointStock}") {
      code name foreignName shortName status statusLabel legalForm legalFormLabel registeredCapital foundingDate
      legalRepresentative { fullName personalId position citizen { fullName } }
      headOffice { street ward { code tier } province { code } }
      businessLines { code name isMain } } }`);
    assert.equal(body.errors, undefined);
    const e = body.data.enterprise;
    assert.equal(e.name, 'CÔNG TY CỔ PHẦN THIẾT BỊ LỘC TÂN');
    assert.equal(e.legalForm, 'JOINT_STOCK');
    assert.equal(e.status, 'ACTIVE');
    assert.equal(typeof e.registeredCapital, 'number');
    assert.match(e.foundingDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(e.legalRepresentative.citizen.fullName, e.legalRepresentative.fullName);
    assert.equal(e.headOffice.ward.tier, 'TWO_TIER');
    assert.equal(e.businessLines.filter((b: { isMain: boolean }) => b.isMain).length, 1);
  });

  test('malformed code → INVALID_ENTERPRISE_CODE; unknown → NOT_FOUND', async () => {
    const bad = await graphql('{ enterprise(code: "12") { name } }');
    assert.deepEqual(codesAt(bad.body), [['enterprise', 'INVALID_ENTERPRISE_CODE']]);
    const missing = await graphql(`{ enterprise(code: "${WELL_KNOWN.enterprises.notFound}") { name } }`);
    assert.deepEqual(codesAt(missing.body), [['enterprise', 'NOT_FOUND']]);
  });
});

describe('a failing or slow platform affects only its fields', () => {
  const query = `{ citizen(personalId: "${WELL_KNOWN.citizens.spouse}") { fullName } enterprise(code: "${WELL_KNOWN.enterprises.hanoi}") { name } }`;

  test('population failing → UPSTREAM_UNAVAILABLE for citizen, enterprise intact', async () => {
    sim.configure({ endpoints: { 'dancu.congdan': { failureRate: 1 } } });
    const { status, body } = await graphql(query);
    assert.equal(status, 200);
    assert.equal(body.data.citizen, null);
    assert.match(body.data.enterprise.name, /^CÔNG TY/);
    assert.deepEqual(codesAt(body), [['citizen', 'UPSTREAM_UNAVAILABLE']]);
  });

  test('population slower than the timeout → UPSTREAM_TIMEOUT for citizen, enterprise intact', async () => {
    sim.configure({ endpoints: { 'dancu.congdan': { latencyMs: 2_000 } } });
    const { body } = await graphql(query);
    assert.equal(body.data.citizen, null);
    assert.match(body.data.enterprise.name, /^CÔNG TY/);
    assert.deepEqual(codesAt(body), [['citizen', 'UPSTREAM_TIMEOUT']]);
  });

  test("household members failing do not hide the citizen's own fields", async () => {
    sim.configure({ endpoints: { 'dancu.congdan.batch': { failureRate: 1 } } });
    const { body } = await graphql(
      `{ citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName household { members { relation citizen { fullName } } } } }`,
    );
    assert.equal(body.data.citizen.fullName, 'Trần Quốc Hòa');
    assert.equal(body.data.citizen.household.members.length, 5);
    // The head was already loaded in this request (the root field): the loader reuses it; the 4 others fail.
    const members = body.data.citizen.household.members as Array<{ citizen: { fullName: string } | null }>;
    assert.equal(members[0]!.citizen?.fullName, 'Trần Quốc Hòa');
    assert.ok(members.slice(1).every((m) => m.citizen === null));
    assert.deepEqual(
      codesAt(body),
      [1, 2, 3, 4].map((i) => [`citizen.household.members.${i}.citizen`, 'UPSTREAM_UNAVAILABLE']),
    );
  });

  test("population failing → an enterprise and its representative are served, only the representative's record is null", async () => {
    sim.configure({ endpoints: { 'dancu.congdan': { failureRate: 1 }, 'dancu.congdan.batch': { failureRate: 1 } } });
    const { body } = await graphql(
      `{ enterprise(code: "${WELL_KNOWN.enterprises.jointStock}") { name legalRepresentative { fullName personalId citizen { fullName } } } }`,
    );
    assert.equal(body.data.enterprise.name, 'CÔNG TY CỔ PHẦN THIẾT BỊ LỘC TÂN');
    assert.match(body.data.enterprise.legalRepresentative.fullName, /\S+ \S+/);
    assert.match(body.data.enterprise.legalRepresentative.personalId, /^\d{12}$/);
    assert.equal(body.data.enterprise.legalRepresentative.citizen, null);
    assert.deepEqual(codesAt(body), [['enterprise.legalRepresentative.citizen', 'UPSTREAM_UNAVAILABLE']]);
  });

  test('enterprise registry failing → UPSTREAM_UNAVAILABLE for enterprise, citizen intact', async () => {
    sim.configure({ endpoints: { 'dkdn.chiTietDoanhNghiep': { failureRate: 1 } } });
    const { body } = await graphql(query);
    assert.equal(body.data.enterprise, null);
    assert.equal(body.data.citizen.fullName, 'Ngô Thị Anh');
    assert.deepEqual(codesAt(body), [['enterprise', 'UPSTREAM_UNAVAILABLE']]);
  });
});

test('configuration errors name the variable; development credentials are refused in production', () => {
  assert.throws(() => loadConfig('national-data', configSchema, { NATIONAL_PLATFORM_URL: 'not a url' }), /NATIONAL_PLATFORM_URL: must be an absolute URL/);
  assert.throws(() => loadConfig('national-data', configSchema, { NATIONAL_PLATFORM_TIMEOUT_MS: '0' }), /NATIONAL_PLATFORM_TIMEOUT_MS: must be > 0/);
  assert.throws(
    () => loadConfig('national-data', configSchema, { NODE_ENV: 'production' }),
    /NATIONAL_PLATFORM_CONSUMER_KEY: .*NATIONAL_PLATFORM_CONSUMER_SECRET: /s,
  );
  const prod = loadConfig('national-data', configSchema, {
    NODE_ENV: 'production',
    NATIONAL_PLATFORM_CONSUMER_KEY: 'issued-key',
    NATIONAL_PLATFORM_CONSUMER_SECRET: 'issued-secret',
    NATIONAL_PLATFORM_TEST_CONSUMER_KEY: 'issued-test-key',
    NATIONAL_PLATFORM_TEST_CONSUMER_SECRET: 'issued-test-secret',
  });
  assert.equal(prod.NATIONAL_PLATFORM_URL, 'http://127.0.0.1:4200');
  assert.equal(prod.NATIONAL_PLATFORM_TEST_URL, 'http://127.0.0.1:4200/test');
});

describe('test and production environments never cross', () => {
  const system = (environment?: 'test' | 'production'): Principal => ({
    kind: 'system',
    agencyCode: '000.00.20.H41',
    systemId: 'congan-h41-dancu',
    clientId: environment === 'test' ? 'congan-h41-dancu-test' : 'congan-h41-dancu',
    roles: ['agency-system'],
    scopes: [],
    ...(environment === undefined ? {} : { environment }),
  });
  const testCaller = system('test');
  const citizenQuery = 'query($id: String!) { citizen(personalId: $id) { personalId fullName household { members { personalId citizen { fullName } } } } }';
  const enterpriseQuery = 'query($code: String!) { enterprise(code: $code) { code name legalRepresentative { personalId citizen { fullName } } } }';

  test('a test principal reads test records, household members and representatives included, from the test endpoint only', async () => {
    const { body } = await graphql(citizenQuery, { id: WELL_KNOWN_TEST.citizens.householdHead }, testCaller);
    assert.equal(body.errors, undefined);
    assert.equal(body.data.citizen.fullName, 'Võ Mạnh Thắng');
    for (const member of body.data.citizen.household.members) assert.ok(sim.test.dataset.citizens.has(member.personalId) && member.citizen !== null);
    const enterprise = await graphql(enterpriseQuery, { code: WELL_KNOWN_TEST.enterprises.oneMemberLlc }, testCaller);
    assert.equal(enterprise.body.errors, undefined);
    assert.equal(enterprise.body.data.enterprise.name, 'CÔNG TY TNHH MỘT THÀNH VIÊN THƯƠNG MẠI NAM THUẬN');
    assert.ok(enterprise.body.data.enterprise.legalRepresentative.citizen.fullName);
    assert.equal(sim.stats().totalRequests, 0, 'the production endpoint was never called');
    assert.ok(sim.test.stats().totalRequests > 0);
  });

  test('a test principal never sees a production record: root fields, lists and entity references', async () => {
    const citizen = await graphql(citizenQuery, { id: WELL_KNOWN.citizens.householdHead }, testCaller);
    assert.equal(citizen.body.data.citizen, null);
    assert.deepEqual(codesAt(citizen.body), [['citizen', 'NOT_FOUND']]);
    const enterprise = await graphql(enterpriseQuery, { code: WELL_KNOWN.enterprises.jointStock }, testCaller);
    assert.equal(enterprise.body.data.enterprise, null);
    const list = await graphql(
      'query($ids: [String!]!) { citizens(personalIds: $ids) { personalId } }',
      { ids: [WELL_KNOWN.citizens.spouse, WELL_KNOWN_TEST.citizens.ngheAnHead, WELL_KNOWN.citizens.hanoiHead] },
      testCaller,
    );
    assert.deepEqual(list.body.data.citizens, [null, { personalId: WELL_KNOWN_TEST.citizens.ngheAnHead }, null]);
    const references = sim.dataset.citizenIds.slice(0, 20).map((personalId) => ({ __typename: 'Citizen', personalId }));
    const entities = await graphql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { personalId } } }', { r: references }, testCaller);
    assert.deepEqual(
      entities.body.data._entities,
      references.map(() => null),
    );
    assert.equal(sim.stats().totalRequests, 0, 'the production endpoint was never called');
  });

  test('a production principal (environment production or absent) never sees a test record', async () => {
    for (const caller of [system('production'), system(), ANONYMOUS]) {
      const citizen = await graphql(citizenQuery, { id: WELL_KNOWN_TEST.citizens.householdHead }, caller);
      assert.equal(citizen.body.data.citizen, null);
      assert.deepEqual(codesAt(citizen.body), [['citizen', 'NOT_FOUND']]);
      const enterprise = await graphql(enterpriseQuery, { code: WELL_KNOWN_TEST.enterprises.dissolved }, caller);
      assert.equal(enterprise.body.data.enterprise, null);
      const own = await graphql(citizenQuery, { id: WELL_KNOWN.citizens.householdHead }, caller);
      assert.equal(own.body.data.citizen.fullName, 'Trần Quốc Hòa');
    }
    assert.equal(sim.test.stats().totalRequests, 0, 'the test endpoint was never called');
  });

  test('a failing test endpoint fails only test callers; production callers are served', async () => {
    sim.test.configure({ failureRate: 1 });
    const failing = await graphql(citizenQuery, { id: WELL_KNOWN_TEST.citizens.householdHead }, testCaller);
    assert.deepEqual(codesAt(failing.body), [['citizen', 'UPSTREAM_UNAVAILABLE']]);
    const served = await graphql(citizenQuery, { id: WELL_KNOWN.citizens.householdHead }, system());
    assert.equal(served.body.errors, undefined);
    assert.equal(service.connectors.production.guards.population.breaker.state, 'closed');
  });
});
