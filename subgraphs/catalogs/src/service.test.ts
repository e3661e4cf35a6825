/** The subgraph over real HTTP, with real tokens and the Redis store (unique key prefix per run). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ANONYMOUS,
  connectRedis,
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  type InternalTokenIssuer,
  type RedisClient,
} from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { loadCatalogsConfig } from './config.ts';
import { readReferenceJson } from './data/reference/reference.ts';
import type { CatalogName } from './domain/catalog.ts';
import { startCatalogs, type RunningCatalogs } from './service.ts';
import type { CatalogStore } from './store/catalog-store.ts';
import { createRedisCatalogStore } from './store/redis-catalog-store.ts';

/** Counts the store calls the service makes (a decorator over the real Redis store, not a mock). */
function countingStore(inner: CatalogStore) {
  const calls: string[] = [];
  const store: CatalogStore = {
    currentVersion: (c) => (calls.push(`currentVersion ${c}`), inner.currentVersion(c)),
    versions: (c) => (calls.push(`versions ${c}`), inner.versions(c)),
    versionInfo: (c, v) => (calls.push(`versionInfo ${c}`), inner.versionInfo(c, v)),
    readPayload: (c, v) => (calls.push(`readPayload ${c} ${v}`), inner.readPayload(c, v)),
    publish: (c, n, o) => (calls.push(`publish ${c}`), inner.publish(c, n, o)),
    setCurrentVersion: (c, v) => (calls.push(`setCurrentVersion ${c}`), inner.setCurrentVersion(c, v)),
  };
  return { store, calls };
}

describe('catalogs subgraph over HTTP (Redis store)', () => {
  let redis: RedisClient;
  let issuer: InternalTokenIssuer;
  let service: RunningCatalogs;
  let counted: ReturnType<typeof countingStore>;
  const keyPrefix = testKeyPrefix();

  const post = async (body: unknown, token?: string) =>
    fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await post({ query, variables }, await issuer.tokenFor(ANONYMOUS));
    return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions: { code: string } }> };
  };
  const errorCode = (result: { errors?: Array<{ extensions: { code: string } }> }) => result.errors?.[0]?.extensions.code;

  before(async () => {
    redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    counted = countingStore(createRedisCatalogStore(redis, { keyPrefix }));
    const config = loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent', CATALOGS_VERSION_CHECK_MS: '0' });
    service = await startCatalogs(config, {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
      store: counted.store,
      logger: createLogger('catalogs-test', 'silent'),
    });
  });

  after(async () => {
    await service?.close().catch(() => undefined); // the keys go even when the service did not close cleanly
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) keys.push(...batch); // the prefix is this test's own
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('seeded every catalog into Redis under lgsp-style keys', async () => {
    for (const catalog of ['ADMINISTRATIVE_UNITS', 'ETHNIC_GROUPS', 'RELIGIONS', 'COUNTRIES', 'AGENCIES'] as CatalogName[]) {
      assert.equal(await redis.get(`${keyPrefix}catalogs:{${catalog.toLowerCase()}}:current`), '1', catalog);
    }
  });

  it('refuses a call without the gateway token (401) or with a token from another issuer', async () => {
    const none = await post({ query: '{ catalogVersion(catalog: ETHNIC_GROUPS) { version } }' });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as any).errors[0].extensions.code, 'UNAUTHENTICATED');
    const stranger = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const forged = await post({ query: '{ catalogVersion(catalog: ETHNIC_GROUPS) { version } }' }, await stranger.tokenFor(ANONYMOUS));
    assert.equal(forged.status, 401);
  });

  it('finds "Hà Nội" when asked for "ha noi", and "Hòa"/"Hoà" spellings alike', async () => {
    const result = await gql(`{
      hn: administrativeUnits(search: "ha noi", level: PROVINCE) { totalCount edges { node { code fullName tier level validFrom validTo } } }
      a: administrativeUnits(search: "yên hoà") { totalCount edges { node { code fullName } } }
      b: administrativeUnits(search: "${'Yên Hòa'.normalize('NFD')}") { totalCount edges { node { code } } }
    }`);
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data.hn.edges[0].node, {
      code: '01',
      fullName: 'Thành phố Hà Nội',
      tier: 'TWO_TIER',
      level: 'PROVINCE',
      validFrom: '2025-07-01',
      validTo: null,
    });
    assert.ok(result.data.a.edges.some((e: any) => e.node.code === '00175'));
    assert.deepEqual(result.data.b, { totalCount: result.data.a.totalCount, edges: result.data.a.edges.map((e: any) => ({ node: { code: e.node.code } })) });
  });

  it('pages through a list with signed cursors: every unit once, in order', async () => {
    const query = `query($after: String) { administrativeUnits(parentCode: "01", first: 50, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { code } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 10; page += 1) {
      const result = await gql(query, { after });
      assert.equal(result.errors, undefined);
      const connection = result.data.administrativeUnits;
      total = connection.totalCount;
      seen.push(...connection.edges.map((e: any) => e.node.code));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    assert.ok(total > 100, 'Hà Nội has more than 100 communes');
    assert.deepEqual([...seen].sort(), seen);
  });

  it('refuses tampered cursors, cursors for other arguments and bad page sizes with stable codes', async () => {
    const first = await gql('{ administrativeUnits(level: COMMUNE, first: 2) { pageInfo { endCursor } } }');
    const cursor: string = first.data.administrativeUnits.pageInfo.endCursor;
    const [body, mac] = cursor.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString()) as [number, number, string];
    const tampered = `${Buffer.from(JSON.stringify([decoded[0], 3000, decoded[2]])).toString('base64url')}.${mac}`;
    const q = 'query($after: String, $level: AdministrativeLevel) { administrativeUnits(level: $level, first: 2, after: $after) { totalCount } }';
    assert.equal(errorCode(await gql(q, { after: tampered, level: 'COMMUNE' })), 'INVALID_CURSOR');
    assert.equal(errorCode(await gql(q, { after: cursor, level: 'PROVINCE' })), 'INVALID_CURSOR');
    assert.equal(errorCode(await gql(q, { after: 'bm90IGEgY3Vyc29y', level: 'COMMUNE' })), 'INVALID_CURSOR');
    assert.equal((await gql(q, { after: cursor, level: 'COMMUNE' })).errors, undefined);
    assert.equal(errorCode(await gql('{ administrativeUnits(first: 101) { totalCount } }')), 'LIMIT_EXCEEDED');
    assert.equal(errorCode(await gql('{ administrativeUnits(first: -1) { totalCount } }')), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql('{ administrativeUnits(level: DISTRICT) { totalCount } }')), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql('{ administrativeUnits(parentCode: "99") { totalCount } }')), 'NOT_FOUND');
    assert.equal(errorCode(await gql('{ administrativeUnit(code: "abc") { code } }')), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql('{ administrativeUnits(version: 99) { totalCount } }')), 'NOT_FOUND');
    assert.equal(errorCode(await gql('{ nope }')), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('returns null for an unknown code, and walks parent, children and successors', async () => {
    const result = await gql(`{
      unknown: administrativeUnit(code: "99999") { code }
      old: administrativeUnit(code: "00001", tier: THREE_TIER) {
        fullName level validTo parent { code level } province { code } successors { code tier fullName }
      }
      district: administrativeUnit(code: "001", tier: THREE_TIER) { children(first: 3) { totalCount edges { node { code } } pageInfo { hasNextPage } } }
      hn: administrativeUnit(code: "01") { children(first: 1) { totalCount } predecessors { code tier } }
      ethnic: ethnicGroup(code: "99") { name }
    }`);
    assert.equal(result.errors, undefined);
    assert.equal(result.data.unknown, null);
    assert.equal(result.data.ethnic, null);
    assert.deepEqual(result.data.old, {
      fullName: 'Phường Phúc Xá',
      level: 'COMMUNE',
      validTo: '2025-06-30',
      parent: { code: '001', level: 'DISTRICT' },
      province: { code: '01' },
      successors: [{ code: '00097', tier: 'TWO_TIER', fullName: 'Phường Hồng Hà' }],
    });
    assert.equal(result.data.district.children.totalCount, 13);
    assert.equal(result.data.district.children.pageInfo.hasNextPage, true);
    assert.ok(result.data.hn.children.totalCount > 100);
    assert.deepEqual(result.data.hn.predecessors, [{ code: '01', tier: 'THREE_TIER' }]);
  });

  it('serves ethnic groups, religions, countries and agencies', async () => {
    const result = await gql(`{
      ethnicGroups { code }
      kinh: ethnicGroup(code: "01") { name }
      religions(search: "hoa hao") { code name }
      vn: country(code: "VNM") { code alpha3 numeric name englishName }
      countries(search: "viet") { code }
      agency(code: "000.00.00.H41") { name level parent { code } administrativeUnit { code fullName } children { code kind } }
      hospital: agency(code: "000.01.05.H41") { level parent { code name } }
      check: agencyCodeCheck(code: "000.01.00.H41") { valid reason }
    }`);
    assert.equal(result.errors, undefined);
    assert.equal(result.data.ethnicGroups.length, 54);
    assert.equal(result.data.kinh.name, 'Kinh');
    assert.deepEqual(
      result.data.religions.map((r: any) => r.code),
      ['05'],
    );
    assert.deepEqual(result.data.vn, { code: 'VN', alpha3: 'VNM', numeric: '704', name: 'Việt Nam', englishName: 'Vietnam' });
    assert.deepEqual(
      result.data.countries.map((c: any) => c.code),
      ['VN'],
    );
    assert.equal(result.data.agency.level, 1);
    assert.equal(result.data.agency.parent, null);
    assert.deepEqual(result.data.agency.administrativeUnit, { code: '40', fullName: 'Tỉnh Nghệ An' });
    assert.ok(result.data.agency.children.some((c: any) => c.kind === 'POLICE'));
    assert.deepEqual(result.data.hospital, { level: 3, parent: { code: '000.00.05.H41', name: 'Sở Y tế tỉnh Nghệ An' } });
    assert.equal(result.data.check.valid, false);
    assert.equal(errorCode(await gql('{ agency(code: "H41") { name } }')), 'BAD_USER_INPUT');
  });

  it('resolves 100 entity references with no Redis call per reference', async () => {
    const listing = await gql('{ administrativeUnits(level: COMMUNE, first: 100) { edges { node { code } } } }');
    const codes: string[] = listing.data.administrativeUnits.edges.map((e: any) => e.node.code);
    const representations = [
      ...codes.map((code) => ({ __typename: 'AdministrativeUnit', code, tier: 'TWO_TIER' })),
      { __typename: 'AdministrativeUnit', code: '99999', tier: 'TWO_TIER' },
      { __typename: 'EthnicGroup', code: '01' },
      { __typename: 'Country', code: 'VN' },
      { __typename: 'Religion', code: '01' },
      { __typename: 'Agency', code: '000.00.00.H41' },
    ];
    counted.calls.length = 0;
    const result = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on AdministrativeUnit { code name province { name } }
        ... on EthnicGroup { name } ... on Country { name } ... on Religion { name } ... on Agency { name } } }`,
      { r: representations },
    );
    assert.equal(result.errors, undefined);
    assert.equal(result.data._entities.length, 105);
    assert.equal(result.data._entities[0].code, codes[0]);
    assert.equal(result.data._entities[100], null);
    assert.equal(result.data._entities[101].name, 'Kinh');
    // One read of each current pointer for the whole request; the versions are already indexed in memory.
    assert.deepEqual([...counted.calls].sort(), [
      'currentVersion ADMINISTRATIVE_UNITS',
      'currentVersion AGENCIES',
      'currentVersion COUNTRIES',
      'currentVersion ETHNIC_GROUPS',
      'currentVersion RELIGIONS',
    ]);
  });

  it('serves a newly published version, still reads the old one by number, and reports versions', async () => {
    const file = readReferenceJson('vn-units-2026-07-25.json');
    const pageOne = await gql('{ administrativeUnits(parentCode: "75", first: 5) { pageInfo { endCursor } } }');
    const imported = await service.catalogs.importAdministrativeUnits(file, { source: 'file vn-units-2026-07-25.json', label: 'vn-units-2026-07-25' });
    assert.equal(imported.published?.version, 2);
    const result = await gql(`{
      now: administrativeUnit(code: "75") { fullName catalogVersion }
      before: administrativeUnit(code: "75", version: 1) { fullName catalogVersion }
      info: catalogVersion(catalog: ADMINISTRATIVE_UNITS) { version label source itemCount current }
      first: catalogVersion(catalog: ADMINISTRATIVE_UNITS, version: 1) { version current }
      all: catalogVersions(catalog: ADMINISTRATIVE_UNITS) { version }
    }`);
    assert.equal(result.errors, undefined);
    assert.deepEqual(result.data.now, { fullName: 'Thành phố Đồng Nai', catalogVersion: 2 });
    assert.deepEqual(result.data.before, { fullName: 'Tỉnh Đồng Nai', catalogVersion: 1 });
    assert.deepEqual(result.data.info, {
      version: 2,
      label: 'vn-units-2026-07-25',
      source: 'file vn-units-2026-07-25.json',
      itemCount: 3355 + 10810,
      current: true,
    });
    assert.deepEqual(result.data.first, { version: 1, current: false });
    assert.deepEqual(
      result.data.all.map((v: any) => v.version),
      [1, 2],
    );
    // A cursor from before the import keeps reading version 1.
    const next = await gql('query($a: String) { administrativeUnits(parentCode: "75", first: 1, after: $a) { edges { node { catalogVersion } } } }', {
      a: pageOne.data.administrativeUnits.pageInfo.endCursor,
    });
    assert.equal(next.data.administrativeUnits.edges[0].node.catalogVersion, 1);
    assert.equal(errorCode(await gql('{ catalogVersion(catalog: RELIGIONS, version: 7) { version } }')), 'NOT_FOUND');
  });
});

describe('catalogs subgraph on the in-memory store', () => {
  it('starts without Redis and answers', async () => {
    const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const service = await startCatalogs(loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent' }), {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    });
    try {
      const response = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(ANONYMOUS)}` },
        body: JSON.stringify({ query: '{ administrativeUnits(level: PROVINCE) { totalCount } }' }),
      });
      assert.deepEqual(await response.json(), { data: { administrativeUnits: { totalCount: 34 } } });
      const ready = await fetch(service.url.replace('/graphql', '/health/ready'));
      assert.equal(ready.status, 200);
    } finally {
      await service.close();
    }
  });
});
