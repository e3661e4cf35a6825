/** One contract for every CredentialRevocations adapter: the memory and Redis adapters must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { CredentialRevocations } from './credential-revocations.ts';

export interface CredentialRevocationsFixture {
  store: CredentialRevocations;
  /** A second store on the same backend (another replica), or the same store for the memory adapter. */
  peer: CredentialRevocations;
  cleanup(): Promise<void>;
}

const details = { at: '2026-12-06T10:00:00+07:00', reason: 'access request cancelled', by: 'operator.h41' };

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
      assert.equal(await fixture.store.isRevoked('congan-h41-dancu'), false);
    });

    it('revokes, lists in client id order with the details in UTC, and replaces the details of a second revocation', async () => {
      const { store, peer } = fixture;
      await store.revoke('b-client', details);
      await store.revoke('a-client', { ...details, reason: '  suspended  ' });
      assert.equal(await peer.isRevoked('b-client'), true);
      assert.deepEqual(await peer.list(), [
        { clientId: 'a-client', at: '2026-12-06T03:00:00.000Z', reason: 'suspended', by: 'operator.h41' },
        { clientId: 'b-client', at: '2026-12-06T03:00:00.000Z', reason: 'access request cancelled', by: 'operator.h41' },
      ]);
      await store.revoke('b-client', { ...details, by: 'registry' });
      assert.equal((await store.list()).find((r) => r.clientId === 'b-client')?.by, 'registry');
    });

    it('restores: true when it was revoked, false otherwise', async () => {
      const { store, peer } = fixture;
      await store.revoke('c-client', details);
      assert.equal(await peer.restore('c-client'), true);
      assert.equal(await store.isRevoked('c-client'), false);
      assert.equal(await store.restore('c-client'), false);
    });

    it('moves the version on with every change, not with a restore that changed nothing', async () => {
      const { store, peer } = fixture;
      const start = await store.version();
      await store.revoke('d-client', details);
      assert.equal(await peer.version(), start + 1);
      await store.restore('d-client');
      await store.restore('d-client');
      assert.equal(await peer.version(), start + 2);
    });

    it('notifies subscribers of the peer on revoke and on restore', async () => {
      const { store, peer } = fixture;
      const revoked = await nextChange(peer);
      await store.revoke('e-client', details);
      await revoked.seen;
      await revoked.stop();
      const restored = await nextChange(peer);
      await store.restore('e-client');
      await restored.seen;
      await restored.stop();
    });

    it('refuses bad input with a precise code and stores nothing', async () => {
      const { store } = fixture;
      const version = await store.version();
      await assert.rejects(store.revoke('has space', details), { code: 'BAD_USER_INPUT' });
      await assert.rejects(store.revoke('', details), { code: 'BAD_USER_INPUT' });
      await assert.rejects(store.revoke('f-client', { ...details, at: 'yesterday' }), { code: 'INVALID_DATE' });
      await assert.rejects(store.revoke('f-client', { ...details, at: '2026-13-45T00:00:00Z' }), { code: 'INVALID_DATE' });
      await assert.rejects(store.revoke('f-client', { ...details, reason: ' ' }), { code: 'BAD_USER_INPUT' });
      await assert.rejects(store.revoke('f-client', { ...details, by: '' }), { code: 'BAD_USER_INPUT' });
      assert.equal(await store.isRevoked('f-client'), false);
      assert.equal(await store.version(), version);
    });
  });
}
