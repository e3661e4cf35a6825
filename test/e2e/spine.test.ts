/**
 * The spine end to end, across real processes over HTTP, with Redis behind every store: the gateway federates the
 * catalogs and national-data subgraphs; national-data reaches the national-platform simulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';

let p: PlatformFixture;
let citizenIds: string[];
let enterpriseCodes: string[];

before(async () => {
  // A short upstream deadline so the timeout case below stays quick; retries off so counts are exact.
  p = await startPlatformFixture({ redis: true, env: { NATIONAL_PLATFORM_TIMEOUT_MS: '800', NATIONAL_PLATFORM_BREAKER_FAILURES: '1000' } });
  const samples = await p.simulator.samples(100);
  citizenIds = samples.citizens;
  enterpriseCodes = samples.enterprises;
  assert.equal(citizenIds.length, 100);
});

after(async () => {
  await p?.close();
});

describe('a citizen joined across subgraphs', () => {
  test('ward, province and ethnicity names come from catalogs, the rest from the population database', async () => {
    const { status, body } = await p.query(
      `query Citizen($id: String!) {
        citizen(personalId: $id) {
          personalId fullName dateOfBirth gender
          ethnicity { code name }
          religion { code name }
          nationality { code name }
          permanentAddress { street ward { code tier name level province { code } } province { code name } }
          household { head { personalId } members { relation personalId } }
        }
      }`,
      { id: citizenIds[0] },
    );
    assert.equal(status, 200);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const citizen = body.data!.citizen;
    assert.equal(citizen.personalId, citizenIds[0]);
    assert.match(citizen.fullName, /\S+ \S+/);
    assert.match(citizen.ethnicity.code, /^\d{2}$/);
    assert.ok(citizen.ethnicity.name.length > 1, 'ethnicity name resolved by catalogs');
    if (citizen.religion !== null) assert.ok(citizen.religion.name.length > 1, `religion ${citizen.religion.code} is in the catalog`);
    assert.equal(citizen.nationality.code, 'VN');
    assert.equal(citizen.nationality.name, 'Việt Nam');
    const ward = citizen.permanentAddress.ward;
    assert.equal(ward.tier, 'TWO_TIER');
    assert.equal(ward.level, 'COMMUNE');
    assert.ok(ward.name.length > 1, 'ward name resolved by catalogs');
    assert.equal(ward.province.code, citizen.permanentAddress.province.code, 'the ward lies in the province the record names');
    assert.ok(citizen.household.members.some((m: { personalId: string }) => m.personalId === citizen.personalId));
  });

  test('100 citizens with their wards make one batch call upstream and one _entities fetch to catalogs', async () => {
    const before = { stats: await p.simulator.stats(), catalogs: await p.metric('lgsp_gateway_subgraph_fetches_total', { subgraph: 'catalogs' }) };
    const { body } = await p.query(`query Many($ids: [String!]!) { citizens(personalIds: $ids) { personalId permanentAddress { ward { name } } } }`, {
      ids: citizenIds,
    });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data!.citizens.length, 100);
    assert.ok(body.data!.citizens.every((c: any) => typeof c.permanentAddress.ward.name === 'string'));
    const stats = await p.simulator.stats();
    const calls = (name: string, s: typeof stats) => s.endpoints[name]?.requests ?? 0;
    assert.equal(calls('dancu.congdan.batch', stats) - calls('dancu.congdan.batch', before.stats), 1, 'one batch call to the national platform');
    assert.equal(calls('dancu.congdan', stats) - calls('dancu.congdan', before.stats), 0, 'no single lookups');
    const catalogFetches = (await p.metric('lgsp_gateway_subgraph_fetches_total', { subgraph: 'catalogs' })) - before.catalogs;
    assert.equal(catalogFetches, 1, 'one _entities fetch to catalogs');
  });

  test('an enterprise with its head office ward', async () => {
    const { body } = await p.query(
      `{ enterprise(code: "${enterpriseCodes[0]}") { code name status legalForm headOffice { ward { name province { name } } } businessLines { code name isMain } } }`,
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data!.enterprise.code, enterpriseCodes[0]);
    assert.ok(body.data!.enterprise.headOffice.ward.name.length > 1);
  });
});

describe('catalogs through the gateway', () => {
  test('accent-insensitive search and cursor pagination', async () => {
    const first = await p.query(
      `{ administrativeUnits(level: PROVINCE, search: "ha noi", first: 5) { totalCount edges { cursor node { code name } } pageInfo { hasNextPage endCursor } } }`,
    );
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    assert.deepEqual(
      first.body.data!.administrativeUnits.edges.map((e: any) => e.node.name),
      ['Hà Nội'],
    );

    const page1 = await p.query(
      `{ administrativeUnits(level: PROVINCE, first: 20) { totalCount edges { node { code } } pageInfo { hasNextPage endCursor } } }`,
    );
    const conn = page1.body.data!.administrativeUnits;
    assert.equal(conn.totalCount, 34);
    assert.equal(conn.pageInfo.hasNextPage, true);
    const page2 = await p.query(
      `query($after: String) { administrativeUnits(level: PROVINCE, first: 20, after: $after) { edges { node { code } } pageInfo { hasNextPage } } }`,
      { after: conn.pageInfo.endCursor },
    );
    assert.equal(page2.body.data!.administrativeUnits.edges.length, 14);
    assert.equal(page2.body.data!.administrativeUnits.pageInfo.hasNextPage, false);
  });

  test('a tampered cursor is INVALID_CURSOR', async () => {
    const page = await p.query(`{ administrativeUnits(level: PROVINCE, first: 2) { pageInfo { endCursor } } }`);
    const cursor: string = page.body.data!.administrativeUnits.pageInfo.endCursor;
    const tampered = cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA');
    const { body } = await p.query(`query($after: String) { administrativeUnits(level: PROVINCE, first: 2, after: $after) { edges { node { code } } } }`, {
      after: tampered,
    });
    assert.equal(body.errors?.[0]?.extensions?.code, 'INVALID_CURSOR');
  });
});

describe('bad input gets a precise error and the gateway keeps serving', () => {
  test('malformed GraphQL is 400 GRAPHQL_PARSE_FAILED', async () => {
    const { status, contentType, body } = await p.query('{ citizen(personalId: "1"');
    assert.equal(status, 400);
    assert.match(contentType ?? '', /application\/graphql-response\+json/);
    assert.equal(body.errors?.[0]?.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  });

  test('an unknown field is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const { status, body } = await p.query('{ citizen(personalId: "001099012345") { favouriteColour } }');
    assert.equal(status, 400);
    assert.equal(body.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  });

  test('a personal ID that is not 12 digits is INVALID_PERSONAL_ID', async () => {
    const { status, body } = await p.query('{ citizen(personalId: "12345") { fullName } }');
    assert.equal(status, 200);
    assert.equal(body.data?.citizen, null);
    assert.equal(body.errors?.[0]?.extensions?.code, 'INVALID_PERSONAL_ID');
    assert.deepEqual(body.errors?.[0]?.path, ['citizen']);
  });

  test('unknown codes: a citizen is NOT_FOUND, a unit is null', async () => {
    const { body } = await p.query('{ citizen(personalId: "999999999999") { fullName } administrativeUnit(code: "99999") { name } }');
    assert.equal(body.data?.citizen, null);
    assert.equal(body.data?.administrativeUnit, null);
    assert.equal(body.errors?.find((e) => e.path?.[0] === 'citizen')?.extensions?.code, 'NOT_FOUND');
  });

  test('a failing national platform nulls only its fields (UPSTREAM_UNAVAILABLE); catalogs still answer', async () => {
    await p.simulator.settings({ failureRate: 1 });
    try {
      const { status, body } = await p.query(`{ citizen(personalId: "${citizenIds[1]}") { fullName } administrativeUnit(code: "01") { name } }`);
      assert.equal(status, 200);
      assert.equal(body.data?.citizen, null);
      assert.equal(body.data?.administrativeUnit?.name, 'Hà Nội');
      assert.equal(body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE');
      assert.deepEqual(body.errors?.[0]?.path, ['citizen']);
    } finally {
      await p.simulator.settings({ failureRate: 0 });
    }
  });

  test('a slow national platform is UPSTREAM_TIMEOUT for its fields only', async () => {
    await p.simulator.settings({ latencyMs: 3_000 });
    try {
      const { body } = await p.query(`{ citizen(personalId: "${citizenIds[2]}") { fullName } ethnicGroup(code: "01") { name } }`);
      assert.equal(body.data?.citizen, null);
      assert.equal(body.data?.ethnicGroup?.name, 'Kinh');
      assert.equal(body.errors?.[0]?.extensions?.code, 'UPSTREAM_TIMEOUT');
    } finally {
      await p.simulator.settings({ latencyMs: 0 });
    }
    const again = await p.query(`{ citizen(personalId: "${citizenIds[2]}") { personalId } }`);
    assert.equal(again.body.data?.citizen?.personalId, citizenIds[2], 'serves again once the platform recovers');
  });

  test('subgraphs refuse calls that do not come from the gateway', async () => {
    for (const url of [p.platform.urls.catalogs, p.platform.urls.nationalData]) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      assert.equal(res.status, 401, url);
      const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
      assert.equal(body.errors[0]!.extensions.code, 'UNAUTHENTICATED');
    }
  });

  test('health and metrics', async () => {
    const ready = await fetch(p.platform.urls.health);
    assert.equal(ready.status, 200);
    assert.ok((await p.metric('lgsp_gateway_operations_total')) > 0);
  });
});
