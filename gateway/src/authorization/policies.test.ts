/** Grants → decisions: agencies, purposes, validity dates, row conditions, invalidation across replicas, and self-access. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ANONYMOUS, connectRedis, type Principal } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { createMemoryGrantStore, createRedisGrantStore, grantKeyPattern, readGrantsFile, seedGrants } from '@lgsp/access';
import { sampleGrant } from '@lgsp/access/contract';
import { DEVELOPMENT_GRANTS_FILE } from './config.ts';
import { PolicyDecider, purposeCategory } from './policies.ts';
import { SELF_ACCESS_POLICY, SELF_ACCESS_PURPOSE, withSelfAccessPurpose } from './self-access.ts';

const file = await readGrantsFile(DEVELOPMENT_GRANTS_FILE);
const POLICE = '000.00.02.H41';
const FINANCE = '000.00.03.H41';
const JUSTICE = '000.00.04.H41';
const COMMUNE = '000.00.20.H41';
const SCHOOL = '000.01.06.H41';
const system = (agencyCode: string, purpose?: string): Principal => ({
  kind: 'system',
  agencyCode,
  systemId: 'test',
  roles: [],
  scopes: [],
  ...(purpose ? { purpose } : {}),
});

async function developmentDecider(now?: () => number) {
  const store = createMemoryGrantStore();
  await seedGrants(store, file);
  const decider = new PolicyDecider(store, { fieldSets: file.fieldSets, cacheTtlMs: 60_000, ...(now ? { now } : {}) });
  await decider.start();
  return { store, decider };
}

const granted = async (decider: PolicyDecider, principal: Principal, policy: string) => (await decider.accessFor(principal)).policy(policy);

describe('development grants', () => {
  test('only the Police and the commune read date of birth, addresses and household; the commune only for its ward', async () => {
    const { decider } = await developmentDecider();
    const personal = 'national-data.citizen.personal';
    assert.deepEqual(await granted(decider, system(POLICE, 'law-enforcement:VV-1'), personal), { granted: true, rowConditions: undefined });
    assert.deepEqual(await granted(decider, system(COMMUNE, 'public-service:HS-1'), personal), { granted: true, rowConditions: [{ residentOfWard: '16690' }] });
    for (const agency of [FINANCE, JUSTICE, SCHOOL, '000.00.01.H41', '000.01.05.H41']) {
      assert.deepEqual(await granted(decider, system(agency, 'public-service:HS-1'), personal), { granted: false, code: 'UNAUTHORIZED_FIELD_OR_TYPE' }, agency);
    }
  });

  test('personal data needs a declared purpose, and a purpose the grant covers', async () => {
    const { decider } = await developmentDecider();
    assert.deepEqual(await granted(decider, system(POLICE), 'national-data.citizen.basic'), { granted: false, code: 'PURPOSE_REQUIRED' });
    assert.deepEqual(await granted(decider, system(COMMUNE, 'healthcare:X'), 'national-data.citizen.basic'), {
      granted: false,
      code: 'UNAUTHORIZED_FIELD_OR_TYPE',
    });
    assert.equal((await granted(decider, system(COMMUNE, 'residence-management'), 'national-data.citizen.basic')).granted, true);
  });

  test('every agency reads enterprise basics without a purpose; only Finance and Justice the representative ID', async () => {
    const { decider } = await developmentDecider();
    for (const agency of [POLICE, FINANCE, JUSTICE, COMMUNE, SCHOOL]) {
      assert.equal((await granted(decider, system(agency), 'national-data.enterprise.basic')).granted, true, agency);
      const representative = await granted(decider, system(agency, 'public-service:HS-2'), 'national-data.enterprise.representative-id');
      assert.equal(representative.granted, agency === FINANCE || agency === JUSTICE, agency);
    }
  });

  test('anonymous callers and callers without an agency hold no policy', async () => {
    const { decider } = await developmentDecider();
    const anonymous = await decider.accessFor(ANONYMOUS);
    assert.equal(anonymous.authenticated, false);
    assert.equal(anonymous.policy('national-data.enterprise.basic').granted, false);
    const noAgency = await decider.accessFor({ kind: 'user', userId: 'u', roles: [], scopes: ['openid'] });
    assert.equal(noAgency.authenticated, true);
    assert.equal(noAgency.policy('national-data.enterprise.basic').granted, false);
    assert.deepEqual([...noAgency.scopes], ['openid']);
  });

  test('purpose category: the part before ":"', () => {
    assert.equal(purposeCategory('Public-Service:HS-000.00.20.H41-251103-0001'), 'public-service');
    assert.equal(purposeCategory('healthcare'), 'healthcare');
  });
});

describe('validity dates', () => {
  test('a grant applies from validFrom (inclusive) to validTo (exclusive), even while cached', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = createMemoryGrantStore([
      sampleGrant('window', {
        validFrom: '2026-02-01T00:00:00Z',
        validTo: '2026-03-01T00:00:00Z',
        fieldSets: ['national-data.enterprise.basic'],
        purposes: ['*'],
      }),
    ]);
    const decider = new PolicyDecider(store, { fieldSets: file.fieldSets, cacheTtlMs: 3_600_000, now: () => now });
    const principal = system(COMMUNE);
    const at = async (iso: string) => {
      now = Date.parse(iso);
      return (await granted(decider, principal, 'national-data.enterprise.basic')).granted;
    };
    assert.equal(await at('2026-01-31T23:59:59.999Z'), false, 'not yet valid');
    assert.equal(await at('2026-02-01T00:00:00Z'), true, 'from validFrom');
    assert.equal(await at('2026-02-28T23:59:59.999Z'), true);
    assert.equal(await at('2026-03-01T00:00:00Z'), false, 'expired at validTo');
  });
});

describe('environments', () => {
  test('a grant serves only callers of its environment: test credentials under test grants, production ones under the others', async () => {
    const store = createMemoryGrantStore([
      sampleGrant('registry.AR-1.test', { consumer: SCHOOL, purposes: ['education'], environment: 'test' }),
      sampleGrant('registry.AR-2.production', {
        consumer: SCHOOL,
        fieldSets: ['national-data.citizen.personal'],
        purposes: ['education'],
        environment: 'production',
      }),
      sampleGrant('operator-typed', { consumer: SCHOOL, fieldSets: ['national-data.enterprise.basic'], purposes: ['*'] }),
    ]);
    const decider = new PolicyDecider(store, { fieldSets: file.fieldSets, cacheTtlMs: 60_000 });
    await decider.start();
    const production = system(SCHOOL, 'education:HS-1');
    const test: Principal = { ...production, environment: 'test' };
    const decisions = async (principal: Principal) => {
      const access = await decider.accessFor(principal);
      return ['national-data.citizen.basic', 'national-data.citizen.personal', 'national-data.enterprise.basic'].map((p) => access.policy(p).granted);
    };
    assert.deepEqual(await decisions(test), [true, false, false], 'test: only the test grant');
    assert.deepEqual(await decisions(production), [false, true, true], 'production (explicit or absent environment): never the test grant');
    assert.deepEqual(await decisions({ ...production, environment: 'production' }), [false, true, true]);
    await decider.close();
  });
});

describe('row conditions', () => {
  test('unconditional when any matching grant has no condition; otherwise every condition is listed', async () => {
    const store = createMemoryGrantStore([
      sampleGrant('w1', { rowCondition: { residentOfWard: '16690' } }),
      sampleGrant('w2', { rowCondition: { residentOfWard: '16681' } }),
    ]);
    const decider = new PolicyDecider(store, { fieldSets: file.fieldSets, cacheTtlMs: 60_000 });
    await decider.start();
    const access = await decider.accessFor(system(COMMUNE, 'public-service:1'));
    assert.deepEqual(access.rowConditionsFor(['national-data.citizen.basic', 'national-data.enterprise.basic']), {
      'national-data.citizen.basic': [{ residentOfWard: '16690' }, { residentOfWard: '16681' }],
    });
    await store.put(sampleGrant('w3'));
    const after = await decider.accessFor(system(COMMUNE, 'public-service:1'));
    assert.equal(after.rowConditionsFor(['national-data.citizen.basic']), undefined);
    await decider.close();
  });
});

describe('cache invalidation', () => {
  test('memory: a change applies to the next decision at once (cache TTL one hour)', async () => {
    const store = createMemoryGrantStore();
    const decider = new PolicyDecider(store, { fieldSets: file.fieldSets, cacheTtlMs: 3_600_000 });
    await decider.start();
    assert.equal((await granted(decider, system(SCHOOL), 'national-data.enterprise.basic')).granted, false);
    await store.put(sampleGrant('school', { consumer: SCHOOL, fieldSets: ['national-data.enterprise.basic'], purposes: ['*'] }));
    assert.equal((await granted(decider, system(SCHOOL), 'national-data.enterprise.basic')).granted, true);
    await store.remove('school');
    assert.equal((await granted(decider, system(SCHOOL), 'national-data.enterprise.basic')).granted, false);
    await decider.close();
  });

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = testKeyPrefix();
  const clients: Awaited<ReturnType<typeof connectRedis>>[] = [];
  after(async () => {
    const [first] = clients;
    if (first !== undefined)
      for await (const keys of first.scanIterator({ MATCH: grantKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await first.del(keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  test('redis: two replicas; a grant changed through one is seen by the other as soon as it is notified', async () => {
    for (let i = 0; i < 2; i++) clients.push(await connectRedis(redisUrl));
    const storeA = createRedisGrantStore(clients[0]!, { keyPrefix });
    const storeB = createRedisGrantStore(clients[1]!, { keyPrefix });
    const replicaA = new PolicyDecider(storeA, { fieldSets: file.fieldSets, cacheTtlMs: 3_600_000 });
    const replicaB = new PolicyDecider(storeB, { fieldSets: file.fieldSets, cacheTtlMs: 3_600_000 });
    await replicaA.start();
    await replicaB.start();
    const school = system(SCHOOL);
    // Both replicas cache "no grant" for the school.
    assert.equal((await granted(replicaA, school, 'national-data.enterprise.basic')).granted, false);
    assert.equal((await granted(replicaB, school, 'national-data.enterprise.basic')).granted, false);

    const invalidated = new Promise<void>((resolve) => {
      const off = replicaB.onInvalidated(() => {
        off();
        resolve();
      });
    });
    await storeA.put(sampleGrant('school', { consumer: SCHOOL, fieldSets: ['national-data.enterprise.basic'], purposes: ['*'] }));
    await invalidated;
    assert.equal((await granted(replicaB, school, 'national-data.enterprise.basic')).granted, true);

    const revoked = new Promise<void>((resolve) => {
      const off = replicaB.onInvalidated(() => {
        off();
        resolve();
      });
    });
    await storeA.remove('school');
    await revoked;
    assert.equal((await granted(replicaB, school, 'national-data.enterprise.basic')).granted, false);
    await Promise.all([replicaA.close(), replicaB.close(), storeA.close(), storeB.close()]);
  });
});

describe('self-access: the citizen role holds it, no grant gives it', () => {
  const citizen = (extra: Partial<Principal> = {}): Principal => ({
    kind: 'user',
    userId: 'sub-1',
    personalId: '040074988660',
    roles: ['citizen'],
    scopes: [],
    ...extra,
  });

  test('a citizen: self-access granted whatever the purpose, unconditionally (national-data checks the record is theirs)', async () => {
    const { decider } = await developmentDecider();
    const access = await decider.accessFor(citizen());
    assert.deepEqual(access.policy(SELF_ACCESS_POLICY), { granted: true, rowConditions: undefined });
    assert.deepEqual((await decider.accessFor(citizen({ purpose: 'public-service:HS-1' }))).policy(SELF_ACCESS_POLICY), {
      granted: true,
      rowConditions: undefined,
    });
    assert.equal(access.rowConditionsFor([SELF_ACCESS_POLICY]), undefined);
  });

  test('a citizen holds no agency field set, not even the ones granted to every agency', async () => {
    const { decider } = await developmentDecider();
    const access = await decider.accessFor(citizen({ purpose: 'self-access' }));
    for (const fieldSet of file.fieldSets) assert.equal(access.policy(fieldSet.policy).granted, false, fieldSet.policy);
  });

  test('nobody else holds it: agencies (even the population provider), civil servants, anonymous, a citizen role without a personal ID', async () => {
    const { decider } = await developmentDecider();
    const others: Principal[] = [
      system(POLICE, 'law-enforcement:1'),
      { kind: 'user', agencyCode: COMMUNE, userId: 'u', roles: ['civil-servant'], scopes: [], purpose: 'self-access' },
      ANONYMOUS,
      citizen({ personalId: undefined }),
      { ...citizen(), kind: 'system' },
    ];
    for (const principal of others) {
      assert.deepEqual(
        await granted(decider, principal, SELF_ACCESS_POLICY),
        { granted: false, code: 'UNAUTHORIZED_FIELD_OR_TYPE' },
        JSON.stringify(principal),
      );
    }
  });

  test('no grant can name it: a field set of a grant is <service>.<name>, and self-access is no service', async () => {
    const { store } = await developmentDecider();
    await assert.rejects(store.put(sampleGrant('self-access-for-school', { consumer: SCHOOL, fieldSets: [SELF_ACCESS_POLICY], purposes: ['*'] })), {
      message: /fieldSets.0: must be a policy name/,
    });
  });

  test("a citizen's purpose is self-access unless they declare one; nobody else gets a default", () => {
    assert.equal(withSelfAccessPurpose(citizen()).purpose, SELF_ACCESS_PURPOSE);
    assert.equal(withSelfAccessPurpose(citizen({ purpose: 'public-service:HS-1' })).purpose, 'public-service:HS-1');
    assert.equal(withSelfAccessPurpose(system(POLICE)).purpose, undefined);
  });
});
