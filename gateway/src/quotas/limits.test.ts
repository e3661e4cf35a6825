/** Which quota applies (limits.ts), as a table: grants → the quota per service, or none. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Environment } from '@lgsp/kit';
import type { Grant, Quota } from '@lgsp/access';
import { moreGenerous, quotasFrom } from './limits.ts';

const NOW = Date.parse('2026-12-06T12:00:00Z');
let n = 0;
function grant(service: string, quota?: Quota, extra: Partial<Grant> & { environment?: Environment } = {}): Grant {
  n += 1;
  return {
    id: `g${n}`,
    provider: '000.00.09.H41',
    consumer: '000.00.03.H41',
    service,
    fieldSets: [`${service}.basic`],
    purposes: ['*'],
    validFrom: '2026-01-01T00:00:00Z',
    ...(quota === undefined ? {} : { quota }),
    ...extra,
  };
}

const cases: Array<{ name: string; grants: Grant[]; environment?: Environment; expected: Record<string, Quota> }> = [
  { name: 'no grant: no quota', grants: [], expected: {} },
  { name: 'a grant without quota: no quota', grants: [grant('people-data')], expected: {} },
  { name: 'one quota', grants: [grant('people-data', { requests: 10, perSeconds: 60 })], expected: { 'people-data': { requests: 10, perSeconds: 60 } } },
  {
    name: 'the largest of several, by rate',
    grants: [
      grant('people-data', { requests: 10, perSeconds: 60 }),
      grant('people-data', { requests: 1, perSeconds: 1 }),
      grant('people-data', { requests: 30, perSeconds: 60 }),
    ],
    expected: { 'people-data': { requests: 1, perSeconds: 1 } },
  },
  {
    name: 'equal rates: the one allowing more at once',
    grants: [grant('people-data', { requests: 1, perSeconds: 1 }), grant('people-data', { requests: 60, perSeconds: 60 })],
    expected: { 'people-data': { requests: 60, perSeconds: 60 } },
  },
  {
    name: 'a grant without quota does not lift the quota of another grant for the service',
    grants: [grant('people-data'), grant('people-data', { requests: 5, perSeconds: 60 })],
    expected: { 'people-data': { requests: 5, perSeconds: 60 } },
  },
  {
    name: 'per service',
    grants: [grant('people-data', { requests: 5, perSeconds: 60 }), grant('places', { requests: 7, perSeconds: 1 })],
    expected: { 'people-data': { requests: 5, perSeconds: 60 }, places: { requests: 7, perSeconds: 1 } },
  },
  {
    name: 'grants not in force are ignored (not yet, expired)',
    grants: [
      grant('people-data', { requests: 5, perSeconds: 60 }, { validFrom: '2027-01-01T00:00:00Z' }),
      grant('places', { requests: 5, perSeconds: 60 }, { validTo: '2026-12-06T12:00:00Z' }),
    ],
    expected: {},
  },
  {
    name: "a test-environment grant's quota does not limit production callers",
    grants: [grant('people-data', { requests: 5, perSeconds: 60 }, { environment: 'test' })],
    expected: {},
  },
  {
    name: 'and limits test callers; production grants (environment absent) do not',
    grants: [grant('people-data', { requests: 5, perSeconds: 60 }, { environment: 'test' }), grant('places', { requests: 9, perSeconds: 60 })],
    environment: 'test',
    expected: { 'people-data': { requests: 5, perSeconds: 60 } },
  },
];

for (const c of cases) {
  test(`quotasFrom: ${c.name}`, () => {
    assert.deepEqual(Object.fromEntries(quotasFrom(c.grants, c.environment ?? 'production', NOW)), c.expected);
  });
}

test('moreGenerous compares rates, then the burst', () => {
  assert.equal(moreGenerous({ requests: 2, perSeconds: 1 }, { requests: 100, perSeconds: 60 }), true);
  assert.equal(moreGenerous({ requests: 100, perSeconds: 60 }, { requests: 2, perSeconds: 1 }), false);
  assert.equal(moreGenerous({ requests: 60, perSeconds: 60 }, { requests: 1, perSeconds: 1 }), true);
  assert.equal(moreGenerous({ requests: 1, perSeconds: 1 }, { requests: 1, perSeconds: 1 }), false);
});
