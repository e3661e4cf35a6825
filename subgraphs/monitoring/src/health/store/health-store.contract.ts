/** The behaviour every HealthStore adapter shares (memory, Redis): one suite, run against each. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture, type ContractFixture } from '@lgsp/kit/contract-fixture';
import type { HealthSample, HealthTransition, SystemState } from '../domain/model.ts';
import type { HealthStore } from './health-store.ts';

export interface HealthStoreFixture extends ContractFixture {
  store: HealthStore;
}

const sample = (systemId: string, atMs: number, status: HealthSample['status'] = 'UP'): HealthSample => ({
  systemId,
  agencyCode: 'A',
  level: 1,
  source: 'pull',
  status,
  atMs,
  latencyMs: 5,
  checks: [],
  detail: null,
});
const transition = (systemId: string, atMs: number, to: HealthTransition['to']): HealthTransition => ({
  systemId,
  agencyCode: 'A',
  from: 'UNKNOWN',
  to,
  atMs,
  level: 1,
  source: 'pull',
  detail: null,
});
const state = (systemId: string, agencyCode: string): SystemState => ({
  systemId,
  agencyCode,
  status: 'ONLINE',
  sinceMs: 1,
  consecutiveFailures: 0,
  latest: {},
  lastSampleMs: null,
});

export function describeHealthStoreContract(name: string, make: () => Promise<HealthStoreFixture>): void {
  describe(`HealthStore contract: ${name}`, () => {
    const f = contractFixture(make);

    it('keeps states, all or per agency', async () => {
      await f.store.putState(state('A:one', 'A'));
      await f.store.putState(state('B:two', 'B'));
      await f.store.putState({ ...state('A:one', 'A'), status: 'OFFLINE' });
      assert.equal((await f.store.state('A:one'))?.status, 'OFFLINE');
      assert.equal(await f.store.state('nobody'), null);
      assert.deepEqual(
        (await f.store.states('B')).map((s) => s.systemId),
        ['B:two'],
      );
      assert.ok((await f.store.states()).length >= 2);
    });

    it('answers samples and transitions of a period, oldest first, equal ones kept apart', async () => {
      for (const at of [3000, 1000, 2000, 2000]) await f.store.addSample(sample('S:1', at));
      assert.deepEqual(
        (await f.store.samples('S:1', 1000, 3000, 10)).map((s) => s.atMs),
        [1000, 2000, 2000],
      );
      assert.deepEqual(
        (await f.store.samples('S:1', 0, 10_000, 2)).map((s) => s.atMs),
        [1000, 2000],
      );
      assert.deepEqual(await f.store.samples('S:1', 0, 10_000, 1).then((s) => s[0]), sample('S:1', 1000));
      await f.store.addTransition(transition('S:1', 5000, 'OFFLINE'));
      await f.store.addTransition(transition('S:1', 4000, 'ONLINE'));
      assert.deepEqual(
        (await f.store.transitions('S:1', 0, 10_000)).map((t) => t.to),
        ['ONLINE', 'OFFLINE'],
      );
      assert.equal((await f.store.lastTransitionBefore('S:1', 5000))?.to, 'ONLINE');
      assert.equal((await f.store.lastTransitionBefore('S:1', 5001))?.to, 'OFFLINE');
      assert.equal(await f.store.lastTransitionBefore('S:1', 4000), null);
    });

    it('adds to daily rollups', async () => {
      await f.store.addToRollup('R:1', '2026-11-02', { upSeconds: 60, degradedSeconds: 0, downSeconds: 30, samples: 2, failures: 1 });
      await f.store.addToRollup('R:1', '2026-11-02', { upSeconds: 60, degradedSeconds: 15, downSeconds: 0, samples: 1, failures: 0 });
      await f.store.addToRollup('R:1', '2026-11-01', { upSeconds: 1, degradedSeconds: 0, downSeconds: 0, samples: 1, failures: 0 });
      assert.deepEqual(await f.store.rollups('R:1', '2026-11-01', '2026-11-30'), [
        { day: '2026-11-01', upSeconds: 1, degradedSeconds: 0, downSeconds: 0, samples: 1, failures: 0 },
        { day: '2026-11-02', upSeconds: 120, degradedSeconds: 15, downSeconds: 30, samples: 3, failures: 1 },
      ]);
    });

    it('accepts a push once: a nonce seen or a time not newer is refused', async () => {
      assert.equal(await f.store.acceptPush('P:1', 'n-1', 1000, 60_000), true);
      assert.equal(await f.store.acceptPush('P:1', 'n-1', 2000, 60_000), false, 'nonce seen');
      assert.equal(await f.store.acceptPush('P:1', 'n-2', 1000, 60_000), false, 'not newer');
      assert.equal(await f.store.acceptPush('P:1', 'n-2', 1001, 60_000), true);
      assert.equal(await f.store.acceptPush('P:2', 'n-1', 1000, 60_000), true, 'nonces are per system');
    });

    it('trims raw samples by time, history by its own longer bound', async () => {
      await f.store.putState(state('T:1', 'A'));
      for (const at of [100, 200, 300]) await f.store.addSample(sample('T:1', at));
      await f.store.addTransition(transition('T:1', 100, 'ONLINE'));
      await f.store.addTransition(transition('T:1', 300, 'OFFLINE'));
      await f.store.addToRollup('T:1', '2026-01-01', { upSeconds: 1, degradedSeconds: 0, downSeconds: 0, samples: 1, failures: 0 });
      await f.store.addToRollup('T:1', '2026-03-01', { upSeconds: 1, degradedSeconds: 0, downSeconds: 0, samples: 1, failures: 0 });
      const counts = await f.store.trim(250, 150, '2026-02-01');
      assert.ok(counts.samples >= 2 && counts.transitions >= 1 && counts.rollups >= 1, JSON.stringify(counts));
      assert.deepEqual(
        (await f.store.samples('T:1', 0, 1000, 10)).map((s) => s.atMs),
        [300],
      );
      assert.deepEqual(
        (await f.store.transitions('T:1', 0, 1000)).map((t) => t.atMs),
        [300],
      );
      assert.deepEqual(
        (await f.store.rollups('T:1', '2000-01-01', '2099-01-01')).map((r) => r.day),
        ['2026-03-01'],
      );
    });
  });
}
