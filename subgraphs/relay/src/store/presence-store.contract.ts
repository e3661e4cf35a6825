/** One contract for every PresenceStore adapter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { PresenceStore } from './presence-store.ts';
import type { Fixture } from './packet-store.contract.ts';

export function describePresenceStoreContract(name: string, make: () => Promise<Fixture<PresenceStore>>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    const f = contractFixture(make);

    it('answers the latest activity of any system of an agency, never moving back', async () => {
      assert.equal(await f.store.lastSeen('A', 9000), null);
      await f.store.markActive('A', 's1', 1000);
      await f.store.markActive('A', 's2', 3000);
      await f.store.markActive('A', 's2', 2000);
      assert.equal(await f.store.lastSeen('A', 9000), 3000);
      assert.equal(await f.store.lastSeen('B', 9000), null);
    });

    it('lists each system of an agency with its latest activity, most recent first', async () => {
      await f.store.markActive('C', 'sys-old', 1000);
      await f.store.markActive('C', 'sys-new', 5000);
      await f.store.markActive('C', 'sys-old', 2000);
      assert.deepEqual(await f.store.systems('C', 9000), [
        { system: 'sys-new', lastSeenMs: 5000 },
        { system: 'sys-old', lastSeenMs: 2000 },
      ]);
      assert.deepEqual(await f.store.systems('nobody', 9000), []);
    });

    it('sees a held system now while its hold runs, then at its last report when the hold ran out', async () => {
      await f.store.hold('H', 'listener', 1000, 61_000);
      assert.equal(await f.store.lastSeen('H', 1000), 1000);
      assert.equal(await f.store.lastSeen('H', 49_999), 49_999, 'seen now, long after the report');
      await f.store.hold('H', 'listener', 50_000, 110_000); // renewed
      await f.store.markActive('H', 'listener', 70_000); // a call does not end the hold
      assert.equal(await f.store.lastSeen('H', 109_999), 109_999, 'held past the first lease');
      // Not renewed: the subscription may have gone right after the last sign of it.
      assert.equal(await f.store.lastSeen('H', 110_000), 70_000);
      assert.deepEqual(await f.store.systems('H', 200_000), [{ system: 'listener', lastSeenMs: 70_000 }]);
    });

    it('never shortens a hold: a report with an earlier end (another replica, activity only) keeps the later one', async () => {
      await f.store.hold('R', 'listener', 1000, 61_000);
      await f.store.hold('R', 'listener', 5000, 5000);
      await f.store.hold('R', 'listener', 6000, 30_000);
      assert.equal(await f.store.lastSeen('R', 60_000), 60_000, 'held to the end of the longest lease');
      assert.equal(await f.store.lastSeen('R', 61_000), 6000, 'then seen at its last report');
      await f.store.hold('R', 'listener', 70_000, 130_000); // it subscribes again
      assert.equal(await f.store.lastSeen('R', 80_000), 80_000);
    });

    it('combines activity and holds per agency over several systems', async () => {
      await f.store.markActive('M', 'caller', 4000);
      await f.store.hold('M', 'listener', 1000, 10_000);
      await f.store.hold('M', 'gone', 2000, 2000);
      await f.store.hold('other', 'listener', 1000, 100_000);
      assert.deepEqual(await f.store.systems('M', 6000), [
        { system: 'listener', lastSeenMs: 6000 },
        { system: 'caller', lastSeenMs: 4000 },
        { system: 'gone', lastSeenMs: 2000 },
      ]);
      assert.equal(await f.store.lastSeen('M', 6000), 6000);
      assert.deepEqual(await f.store.systems('M', 20_000), [
        { system: 'caller', lastSeenMs: 4000 },
        { system: 'gone', lastSeenMs: 2000 },
        { system: 'listener', lastSeenMs: 1000 },
      ]);
      assert.equal(await f.store.lastSeen('M', 20_000), 4000);
      assert.equal(await f.store.lastSeen('other', 20_000), 20_000);
    });
  });
}
