/** One contract for every RegistryStore adapter: the memory and Redis adapters must behave the same. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { Agency, AgencyApplication, InformationSystem } from '../domain/model.ts';
import type { RegistryStore } from './registry-store.ts';

export interface StoreFixture {
  store: RegistryStore;
  cleanup(): Promise<void>;
}

const at = '2026-12-01T01:00:00.000Z';
const agency = (code: string, name: string, revision = 0): Agency => ({
  code,
  name,
  shortName: null,
  englishName: null,
  parentCode: null,
  status: 'ACTIVE',
  successorCodes: [],
  effectiveFrom: null,
  revision,
  createdAt: at,
  updatedAt: at,
});
const system = (id: string, agencyCode: string): InformationSystem => ({
  id,
  agencyCode,
  name: id,
  purpose: 'test',
  contacts: [],
  environments: ['test'],
  healthEndpoints: [],
  credentials: [],
  revision: 0,
  createdAt: at,
  updatedAt: at,
});

const application = (id: string, name: string): AgencyApplication => ({
  id,
  agencyCode: '000.00.04.H41',
  name,
  description: null,
  loginUrl: 'https://motcua.stp.nghean.gov.vn/',
  logoutUrl: 'https://motcua.stp.nghean.gov.vn/logout',
  redirectUris: ['https://motcua.stp.nghean.gov.vn/cb'],
  clientId: `000.00.04.h41.sso.${id.slice(4, 12)}`,
  enabled: true,
  removed: null,
  revision: 0,
  createdAt: at,
  updatedAt: at,
});

export function describeRegistryStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`RegistryStore contract: ${name}`, () => {
    const fixture = contractFixture(makeStore);

    it('has nothing before the first commit, and version 0', async () => {
      const { store } = fixture;
      assert.equal(await store.get('agencies', '000.00.03.H41'), null);
      assert.deepEqual(await store.list('systems'), []);
      assert.equal(await store.version('services'), 0);
    });

    it('writes new records at revision 1, lists them in key order and moves only the touched versions', async () => {
      const { store } = fixture;
      const result = await store.commit([
        { collection: 'agencies', record: agency('000.00.04.H41', 'Sở Tư pháp'), expectedRevision: 0 },
        { collection: 'agencies', record: agency('000.00.03.H41', 'Sở Tài chính'), expectedRevision: 0 },
        { collection: 'systems', record: system('000.00.03.H41:a', '000.00.03.H41'), expectedRevision: 0 },
      ]);
      assert.deepEqual(result, { committed: true, revisions: [1, 1, 1] });
      assert.deepEqual(
        (await store.list('agencies')).map((a) => [a.code, a.revision]),
        [
          ['000.00.03.H41', 1],
          ['000.00.04.H41', 1],
        ],
      );
      assert.equal((await store.get('systems', '000.00.03.H41:a'))?.agencyCode, '000.00.03.H41');
      assert.equal(await store.version('agencies'), 1);
      assert.equal(await store.version('systems'), 1);
      assert.equal(await store.version('services'), 0);
    });

    it('replaces a record only over the revision it read', async () => {
      const { store } = fixture;
      const first = await store.commit([{ collection: 'agencies', record: agency('000.00.03.H41', 'Sở Tài chính Nghệ An'), expectedRevision: 1 }]);
      assert.deepEqual(first, { committed: true, revisions: [2] });
      const stale = await store.commit([{ collection: 'agencies', record: agency('000.00.03.H41', 'stale'), expectedRevision: 1 }]);
      assert.deepEqual(stale, { committed: false, conflict: { collection: 'agencies', key: '000.00.03.H41' } });
      const read = await store.get('agencies', '000.00.03.H41');
      assert.equal(read?.name, 'Sở Tài chính Nghệ An');
      assert.equal(read?.revision, 2);
      assert.equal(await store.version('agencies'), 2);
    });

    it('writes nothing of a commit when one of its records moved on', async () => {
      const { store } = fixture;
      const result = await store.commit([
        { collection: 'agencies', record: agency('000.00.05.H41', 'Sở Y tế'), expectedRevision: 0 },
        { collection: 'systems', record: system('000.00.03.H41:a', '000.00.03.H41'), expectedRevision: 0 },
      ]);
      assert.deepEqual(result, { committed: false, conflict: { collection: 'systems', key: '000.00.03.H41:a' } });
      assert.equal(await store.get('agencies', '000.00.05.H41'), null);
      assert.equal(await store.version('agencies'), 2);
      assert.equal(await store.version('systems'), 1);
    });

    it("keeps agencies' single sign-on applications by id, over the revision read, with their own version", async () => {
      const { store } = fixture;
      const before = await store.version('agencies');
      assert.deepEqual(await store.commit([{ collection: 'applications', record: application('app-0000000000b2', 'Một cửa'), expectedRevision: 0 }]), {
        committed: true,
        revisions: [1],
      });
      const removed = { ...application('app-0000000000b2', 'Một cửa'), enabled: false, removed: { at, by: 'operator.lgsp', reason: 'thử' } };
      assert.deepEqual(await store.commit([{ collection: 'applications', record: removed, expectedRevision: 0 }]), {
        committed: false,
        conflict: { collection: 'applications', key: 'app-0000000000b2' },
      });
      assert.deepEqual(await store.commit([{ collection: 'applications', record: removed, expectedRevision: 1 }]), { committed: true, revisions: [2] });
      assert.deepEqual(await store.get('applications', 'app-0000000000b2'), { ...removed, revision: 2 });
      assert.deepEqual(
        (await store.list('applications')).map((a) => [a.id, a.enabled]),
        [['app-0000000000b2', false]],
      );
      assert.equal(await store.version('applications'), 2);
      assert.equal(await store.version('agencies'), before);
    });

    it('returns copies: changing what was read does not change the store', async () => {
      const { store } = fixture;
      const read = (await store.get('agencies', '000.00.04.H41'))!;
      read.name = 'changed';
      read.successorCodes.push('x');
      const again = (await store.get('agencies', '000.00.04.H41'))!;
      assert.equal(again.name, 'Sở Tư pháp');
      assert.deepEqual(again.successorCodes, []);
    });
  });
}
