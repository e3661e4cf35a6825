/** One contract for every CredentialRevocations adapter: memory, Redis and HTTP must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { CredentialRevocations, RevocationDetails } from './credential-revocations.ts';

export interface CredentialRevocationsFixture {
  store: CredentialRevocations;
  /** A second store on the same backend (another process), or the same store for the memory adapter. */
  peer: CredentialRevocations;
  cleanup(): Promise<void>;
}

/** Revocation details (tests). */
export const sampleRevocation = (overrides: Partial<RevocationDetails> = {}): RevocationDetails => ({
  at: '2026-12-06T08:00:00.000Z',
  reason: 'access request AR-1 suspended',
  by: 'operator.h41',
  ...overrides,
});

async function nextChange(store: CredentialRevocations): Promise<{ seen: Promise<void>; stop: () => Promise<void> }> {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  const stop = await store.subscribe(() => resolve());
  return { seen, stop };
}

export function describeCredentialRevocationsContract(name: string, make: () => Promise<CredentialRevocationsFixture>): void {
  describe(`CredentialRevocations contract: ${name}`, () => {
    const fixture = contractFixture(make);

    it('starts empty', async () => {
      assert.deepEqual(await fixture.store.list(), []);
      assert.equal(await fixture.store.isRevoked('truongvinh-school'), false);
    });

    it('revokes, and the peer hears of it and sees it; revoking again replaces the details', async () => {
      const { store, peer } = fixture;
      const before = await peer.version();
      const change = await nextChange(peer);
      await store.revoke('truongvinh-school', sampleRevocation());
      await change.seen;
      await change.stop();
      assert.equal(await peer.version(), before + 1);
      assert.equal(await peer.isRevoked('truongvinh-school'), true);
      await store.revoke('a-client', sampleRevocation({ reason: 'first' }));
      await store.revoke('a-client', sampleRevocation({ reason: 'second', by: 'system' }));
      assert.deepEqual(await peer.list(), [
        { clientId: 'a-client', ...sampleRevocation({ reason: 'second', by: 'system' }) },
        { clientId: 'truongvinh-school', ...sampleRevocation() },
      ]);
    });

    it('restores: true once, then false; the peer hears of it', async () => {
      const { store, peer } = fixture;
      const version = await peer.version();
      const change = await nextChange(peer);
      assert.equal(await store.restore('a-client'), true);
      await change.seen;
      await change.stop();
      assert.equal(await peer.version(), version + 1);
      assert.equal(await store.restore('a-client'), false);
      assert.equal(await peer.version(), version + 1, 'restoring what is not revoked changes nothing');
      assert.equal(await peer.isRevoked('a-client'), false);
      assert.deepEqual(
        (await peer.list()).map((r) => r.clientId),
        ['truongvinh-school'],
      );
    });

    it('refuses bad input with a message naming the problem, and stores nothing', async () => {
      const { store } = fixture;
      const version = await store.version();
      await assert.rejects(store.revoke('bad client', sampleRevocation()), /clientId/);
      await assert.rejects(store.revoke('c', sampleRevocation({ at: 'now' })), /at: must be an ISO 8601 date-time/);
      await assert.rejects(store.revoke('c', sampleRevocation({ reason: '' })), /reason/);
      await assert.rejects(store.revoke('c', { ...sampleRevocation(), extra: 1 } as never), /extra|Unrecognized/);
      await assert.rejects(store.isRevoked(''), /clientId/);
      assert.equal(await store.version(), version);
      assert.equal(await store.isRevoked('c'), false);
    });
  });
}
