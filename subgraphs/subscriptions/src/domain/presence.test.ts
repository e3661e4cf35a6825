import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@lgsp/kit';
import { createPresenceTracker, type PresentSystem } from './presence.ts';

const silent = createLogger('presence-test', 'silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a report holds the systems for a lease longer than the interval; after the last release nothing more is reported', async () => {
  const reports: Array<{ systems: string[]; heldForMs: number }> = [];
  const intervalMs = 40;
  const tracker = createPresenceTracker({
    report: async (systems: PresentSystem[], heldForMs: number) => void reports.push({ systems: systems.map((s) => s.systemId), heldForMs }),
    intervalMs,
    logger: silent,
  });
  const lease = 3 * intervalMs; // three intervals
  try {
    const system = { agencyCode: '000.00.05.H41', systemId: '000.00.05.H41:vpdt' };
    const first = tracker.hold(system);
    const second = tracker.hold(system);
    await sleep(intervalMs * 2.5);
    assert.deepEqual(reports[0], { systems: [system.systemId], heldForMs: lease }, 'reported at once when it first subscribes');
    assert.ok(reports.length >= 2, 'renewed every interval');
    assert.ok(
      reports.every((r) => r.heldForMs === lease && r.systems[0] === system.systemId),
      JSON.stringify(reports),
    );

    first();
    first(); // idempotent
    await sleep(5);
    assert.ok(
      reports.every((r) => r.heldForMs === lease),
      'still held by its other subscription',
    );
    second();
    const count = reports.length;
    await sleep(intervalMs * 2.5);
    assert.equal(reports.length, count, 'not reported after its release: the lease runs out by itself');
    assert.deepEqual(tracker.held(), []);
  } finally {
    await tracker.close();
  }
});

test('a test-environment system is reported with its environment, apart from a production system of the same id', async () => {
  const reports: PresentSystem[][] = [];
  const tracker = createPresenceTracker({ report: async (systems) => void reports.push(systems), intervalMs: 60_000, logger: silent });
  try {
    const production = { agencyCode: '000.00.05.H41', systemId: '000.00.05.H41:vpdt' };
    const test = { ...production, environment: 'test' as const };
    const releaseProduction = tracker.hold(production);
    const releaseTest = tracker.hold(test);
    await sleep(5);
    assert.deepEqual(reports, [[production], [test]], 'each reported at once when it first subscribes, the test one naming its environment');
    releaseProduction();
    assert.deepEqual(tracker.held(), [test], "the production system's release does not end the test system's hold");
    releaseTest();
    assert.deepEqual(tracker.held(), []);
  } finally {
    await tracker.close();
  }
});
