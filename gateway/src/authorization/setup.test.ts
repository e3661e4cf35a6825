/**
 * The gateway without Redis, as `npm start` runs it: its grants are the registry's, read over the registry's access
 * API (a real server on loopback holding them in memory). The gateway seeds the registry's empty store from
 * GRANTS_FILE and hears of every change the registry makes at once.
 */
import { readGrantsFile } from '@lgsp/access';
import { sampleGrant } from '@lgsp/access/contract';
import { startAccessServer, TEST_ACCESS_TOKEN } from '@lgsp/access/testing';
import { createLogger, type Principal } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEVELOPMENT_GRANTS_FILE } from './config.ts';
import { startAuthorization } from './setup.ts';

const SCHOOL = '000.01.06.H41';
const school: Principal = { kind: 'system', agencyCode: SCHOOL, systemId: 'test', roles: [], scopes: [], purpose: 'education:HS-1' };

test('grants held by the registry: seeded from GRANTS_FILE over HTTP, and a change there applies to the next decision at once', async () => {
  const registry = await startAccessServer();
  const authorization = await startAuthorization(
    { mode: 'filter', grantsFile: DEVELOPMENT_GRANTS_FILE, grantsCacheTtlMs: 3_600_000, redisKeyPrefix: 'unused:' },
    {
      redis: undefined,
      registry: { baseUrl: registry.url, token: TEST_ACCESS_TOKEN },
      logger: createLogger('gateway', 'silent'),
      supergraph: () => {
        throw new Error('not planned in this test');
      },
    },
  );
  try {
    const file = await readGrantsFile(DEVELOPMENT_GRANTS_FILE);
    assert.deepEqual(
      (await registry.grants.list()).map((g) => g.id),
      file.grants.map((g) => g.id).sort(),
      'the registry store was seeded',
    );
    const policy = 'national-data.citizen.personal';
    assert.equal((await authorization.decider.accessFor(school)).policy(policy).granted, false);
    const invalidated = new Promise<void>((resolve) => authorization.decider.onInvalidated(resolve));
    await registry.grants.put(sampleGrant('registry.AR-9.production', { consumer: SCHOOL, fieldSets: [policy], purposes: ['education'] }));
    await invalidated;
    assert.equal((await authorization.decider.accessFor(school)).policy(policy).granted, true);
    assert.equal((await authorization.decider.accessFor({ ...school, environment: 'test' })).policy(policy).granted, false, 'not for test credentials');
  } finally {
    await authorization.close();
    await registry.close();
  }
});
