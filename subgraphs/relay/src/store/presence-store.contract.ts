/** One contract for every PresenceStore adapter. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PresenceStore } from './presence-store.ts';
import type { Fixture } from './packet-store.contract.ts';

export function describePresenceStoreContract(name: string, make: () => Promise<Fixture<PresenceStore>>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let f: Fixture<PresenceStore>;
    before(async () => {
      f = await make();
    });
    after(async () => {
      await f.cleanup();
    });

    it('answers the latest activity of any system of an agency, never moving back', async () => {
      assert.equal(await f.store.lastSeen('A'), null);
      await f.store.markActive('A', 's1', 1000);
      await f.store.markActive('A', 's2', 3000);
      await f.store.markActive('A', 's2', 2000);
      assert.equal(await f.store.lastSeen('A'), 3000);
      assert.equal(await f.store.lastSeen('B'), null);
    });

    it('lists each system of an agency with its latest activity, most recent first', async () => {
      await f.store.markActive('C', 'sys-old', 1000);
      await f.store.markActive('C', 'sys-new', 5000);
      await f.store.markActive('C', 'sys-old', 2000);
      assert.deepEqual(await f.store.systems('C'), [
        { system: 'sys-new', lastSeenMs: 5000 },
        { system: 'sys-old', lastSeenMs: 2000 },
      ]);
      assert.deepEqual(await f.store.systems('nobody'), []);
    });
  });
}
