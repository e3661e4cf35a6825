/** One contract for every ChangeLog adapter: memory, Redis and HTTP must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { ChangeInput, ChangeLog } from './change-log.ts';

export interface ChangeLogFixture {
  log: ChangeLog;
  /** A second log on the same backend (another process), or the same log for the memory adapter. */
  peer: ChangeLog;
  cleanup(): Promise<void>;
}

/** A change record to append (tests). */
export const sampleChange = (entityId: string, overrides: Partial<ChangeInput> = {}): ChangeInput => ({
  at: '2026-12-06T08:00:00.000Z',
  actor: { kind: 'operator', username: 'nguyen.van.a' },
  entity: 'grant',
  entityId,
  action: 'put',
  before: null,
  after: { id: entityId, purposes: ['education'] },
  ...overrides,
});

export function describeChangeLogContract(name: string, makeLog: () => Promise<ChangeLogFixture>): void {
  describe(`ChangeLog contract: ${name}`, () => {
    const fixture = contractFixture(makeLog);

    it('starts empty', async () => {
      assert.deepEqual(await fixture.log.list({ limit: 10 }), []);
    });

    it('appends and answers the record with an id; the peer lists it, newest first', async () => {
      const { log, peer } = fixture;
      const first = await log.append(sampleChange('g1'));
      assert.match(first.id, /^\d+-\d+$/);
      assert.deepEqual({ ...first, id: 'x' }, { id: 'x', ...sampleChange('g1') });
      const second = await log.append(
        sampleChange('g1', { action: 'revoke', before: { id: 'g1' }, after: null, actor: { kind: 'user', username: 'u', agencyCode: '000.00.20.H41' } }),
      );
      const third = await log.append(sampleChange('A.1', { entity: 'agency', action: 'RENAME', at: undefined }));
      assert.ok(Math.abs(Date.parse(third.at) - Date.now()) < 60_000, 'at defaults to now');
      assert.deepEqual(
        (await peer.list({ limit: 10 })).map((r) => r.id),
        [third.id, second.id, first.id],
      );
      assert.deepEqual((await peer.list({ limit: 10 }))[1], second);
    });

    it('filters by entity and id, limits, and pages with before', async () => {
      const { log } = fixture;
      for (let i = 0; i < 5; i += 1) await log.append(sampleChange(`p${i % 2}`, { action: `step-${i}` }));
      assert.deepEqual(
        (await log.list({ entity: 'grant', id: 'p0', limit: 10 })).map((r) => r.action),
        ['step-4', 'step-2', 'step-0'],
      );
      assert.deepEqual(
        (await log.list({ entity: 'agency', limit: 10 })).map((r) => r.entityId),
        ['A.1'],
      );
      assert.deepEqual(await log.list({ entity: 'nothing', limit: 10 }), []);
      const page1 = await log.list({ entity: 'grant', limit: 2 });
      assert.deepEqual(
        page1.map((r) => r.action),
        ['step-4', 'step-3'],
      );
      const page2 = await log.list({ entity: 'grant', limit: 2, before: page1[1]!.id });
      assert.deepEqual(
        page2.map((r) => r.action),
        ['step-2', 'step-1'],
      );
    });

    it('refuses a bad record or query with a message naming the problem, and stores nothing', async () => {
      const { log } = fixture;
      const count = (await log.list({ limit: 1000 })).length;
      await assert.rejects(log.append(sampleChange('x', { actor: { kind: 'Bad Kind' } })), /actor\.kind/);
      await assert.rejects(log.append(sampleChange('x', { at: 'yesterday' })), /at: must be an ISO 8601 date-time/);
      await assert.rejects(log.append({ ...sampleChange('x'), entity: '' }), /entity/);
      await assert.rejects(log.append(sampleChange('x', { after: 'x'.repeat(300_000) })), /bytes/);
      await assert.rejects(log.list({ limit: 0 }), /limit/);
      await assert.rejects(log.list({ limit: 10, before: 'nope' }), /before/);
      assert.equal((await log.list({ limit: 1000 })).length, count);
    });
  });
}
