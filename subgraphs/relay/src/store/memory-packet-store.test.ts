/** What only the in-memory packet store does: it keeps a bounded number of finished packets (embedded mode). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryPacketStore } from './memory-packet-store.ts';
import { samplePacket as sample } from './packet-store.contract.ts';
import type { Packet } from '../domain/types.ts';

const AGENCY = '000.00.04.H41';
/** A sample packet with one delivery, to AGENCY. */
const samplePacket = (id: string, sequence: number): Packet => ({
  ...sample(id, sequence),
  deliveries: [
    {
      agencyCode: AGENCY,
      status: 'NOTIFIED',
      attempts: 0,
      queueEntryId: null,
      queuedAt: null,
      claimedAt: null,
      claimedBy: null,
      deliveredAt: null,
      updatedAt: 'x',
    },
  ],
});

const DAY = 24 * 3_600_000;

describe('in-memory packet store', () => {
  it('keeps at most maxFinished finished packets, forgetting the oldest finished with their history and inbox entries', async () => {
    const store = createMemoryPacketStore({ maxFinished: 3 });
    for (let i = 0; i < 6; i += 1) {
      await store.create(samplePacket(`p${i}`, i + 1), [{ status: 'REQUESTED', at: 'x', recipient: null, detail: null }], Date.now() + DAY);
      await store.addToInbox(AGENCY, `p${i}`, i + 1);
    }
    // p0..p4 finish in this order (p5 stays unfinished); 90 days of retention, longer than one Node timer can wait.
    for (const i of [0, 1, 2, 3, 4]) await store.update(`p${i}`, (p) => ({ ...p, state: 'DONE' }), { retainMs: 90 * DAY });
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const gone of ['p0', 'p1']) {
      assert.equal(await store.get(gone), null, `${gone} forgotten`);
      assert.deepEqual(await store.history(gone), []);
    }
    for (const kept of ['p2', 'p3', 'p4', 'p5']) assert.notEqual(await store.get(kept), null, `${kept} kept`);
    assert.deepEqual((await store.inbox(AGENCY, 10, null)).ids, ['p5', 'p4', 'p3', 'p2'], 'the inbox lists only what is kept');
    // Finishing again moves a packet to the newest end: p2 outlives p3 now.
    await store.retain('p2', 90 * DAY);
    await store.update('p5', (p) => ({ ...p, state: 'DONE' }), { retainMs: 90 * DAY });
    assert.equal(await store.get('p3'), null);
    assert.notEqual(await store.get('p2'), null);
  });
});
