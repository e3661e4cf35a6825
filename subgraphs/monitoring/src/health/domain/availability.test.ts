import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availabilityOf } from './availability.ts';
import type { HealthTransition } from './model.ts';

const t = (atMs: number, to: HealthTransition['to']): HealthTransition => ({
  systemId: 's',
  agencyCode: 'a',
  from: 'UNKNOWN',
  to,
  atMs,
  level: 1,
  source: 'pull',
  detail: null,
});

test('availability is up time over known time, the start status taken from before the period', () => {
  // 0–1000 s: before the period (ONLINE from -500 s). Period 0–1000 s: online 0–600, offline 600–900, degraded 900–1000.
  const a = availabilityOf('ONLINE', [t(600_000, 'OFFLINE'), t(900_000, 'DEGRADED')], 0, 1_000_000);
  assert.deepEqual(a, { upSeconds: 700, degradedSeconds: 100, downSeconds: 300, unknownSeconds: 0, percent: 70, reason: null });
});

test('unknown time counts for neither; a period with nothing known has no availability', () => {
  const a = availabilityOf('UNKNOWN', [t(250_000, 'ONLINE'), t(750_000, 'OFFLINE')], 0, 1_000_000);
  assert.deepEqual(a, { upSeconds: 500, degradedSeconds: 0, downSeconds: 250, unknownSeconds: 250, percent: 66.667, reason: null });
  assert.equal(availabilityOf('UNKNOWN', [], 0, 1000).percent, null);
  // Transitions outside the period only set the starting status.
  assert.equal(availabilityOf('UNKNOWN', [t(-5, 'OFFLINE'), t(2000, 'ONLINE')], 0, 1000).percent, 0);
});
