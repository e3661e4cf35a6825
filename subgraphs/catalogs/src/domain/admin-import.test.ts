import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { defaultVersion } from '../data/defaults.ts';
import { readReferenceJson } from '../data/reference/reference.ts';
import { createMemoryCatalogStore } from '../store/memory-catalog-store.ts';
import { noCatalogEvents, type CatalogEvents } from './catalog-events.ts';
import { CatalogChangeNotAnnouncedError, Catalogs, type ImportResult } from './catalogs.ts';

const readJson = readReferenceJson;

describe('importing the 2026-07-25 two-tier list (thanglequoc format)', () => {
  let catalogs: Catalogs;
  let result: ImportResult;
  before(async () => {
    catalogs = new Catalogs({ store: createMemoryCatalogStore(), events: noCatalogEvents, versionCheckIntervalMs: 0 });
    await catalogs.seed(defaultVersion);
    result = await catalogs.importAdministrativeUnits(readJson('vn-units-2026-07-25.json'), {
      source: 'file vn-units-2026-07-25.json',
      label: 'vn-units-2026-07-25',
      effectiveFrom: '2026-04-30',
    });
  });

  it('publishes a new current version and keeps the previous one readable', async () => {
    assert.equal(result.previous.version, 1);
    assert.equal(result.published?.version, 2);
    assert.equal(await catalogs.currentVersion('ADMINISTRATIVE_UNITS'), 2);
    const v1 = await catalogs.index('ADMINISTRATIVE_UNITS', 1);
    const v2 = await catalogs.index('ADMINISTRATIVE_UNITS', 2);
    assert.equal(v1.get('TWO_TIER', '75')!.fullName, 'Tỉnh Đồng Nai');
    assert.equal(v2.get('TWO_TIER', '75')!.fullName, 'Thành phố Đồng Nai');
    assert.equal(v2.get('TWO_TIER', '75')!.validFrom, '2026-04-30');
    assert.deepEqual(v2.counts.TWO_TIER, { PROVINCE: 34, DISTRICT: 0, COMMUNE: 3321 });
    // The three-tier list is carried over unchanged.
    assert.deepEqual(v2.counts.THREE_TIER, v1.counts.THREE_TIER);
  });

  it('reports the province renamed to Thành phố Đồng Nai and the ten xã of province 75 that became phường', () => {
    const renamed = result.changes.renamed;
    assert.deepEqual(
      renamed.find((r) => r.code === '75'),
      { code: '75', level: 'PROVINCE', from: 'Tỉnh Đồng Nai', to: 'Thành phố Đồng Nai' },
    );
    const becamePhuong = renamed.filter((r) => r.level === 'COMMUNE' && r.from.startsWith('Xã ') && r.to.startsWith('Phường '));
    assert.equal(becamePhuong.length, 10);
    assert.ok(becamePhuong.some((r) => r.code === '26368' && r.to === 'Phường Long Thành'));
    assert.equal(renamed.length, 11, 'nothing else is a rename');
  });

  it('does not report tone placement, apostrophes or case as renames', () => {
    const codes = new Set(result.changes.renamed.map((r) => r.code));
    assert.ok(!codes.has('00175'), 'Phường Yên Hòa → Phường Yên Hoà');
    assert.ok(!codes.has('24184'), "Xã Ea H’Leo → Xã Ea H'Leo");
    assert.ok(!codes.has('06325'), 'Xã Bắc Sơn → xã Bắc Sơn');
    assert.ok(result.changes.respelled.some((r) => r.code === '00175' && r.to === 'Phường Yên Hoà'));
    assert.ok(result.changes.respelled.length > 150);
  });

  it('reports the codes 06978/23938 of the file as added and 06970/23737 as removed, and flags them as recodes', () => {
    assert.deepEqual(
      result.changes.added.map((u) => [u.code, u.fullName]),
      [
        ['06978', 'Xã Ba Chẽ'],
        ['23938', 'Xã Ia Mơ'],
      ],
    );
    assert.deepEqual(
      result.changes.removed.map((u) => [u.code, u.fullName]),
      [
        ['06970', 'Xã Ba Chẽ'],
        ['23737', 'Xã Ia Mơ'],
      ],
    );
    assert.deepEqual(
      result.changes.possibleRecodes.map((r) => [r.from, r.to]),
      [
        ['06970', '06978'],
        ['23737', '23938'],
      ],
    );
    assert.deepEqual(result.changes.reparented, []);
  });

  it('keeps the old → new mapping pointing at the corrected codes', async () => {
    const v2 = await catalogs.index('ADMINISTRATIVE_UNITS', 2);
    const baChe = v2.get('TWO_TIER', '06978')!;
    const predecessors = v2.predecessors(baChe);
    assert.ok(predecessors.length > 0);
    for (const old of predecessors) assert.ok(v2.successors(old).some((u) => u.code === '06978'));
  });

  it('publishes nothing when the same file is imported again', async () => {
    const again = await catalogs.importAdministrativeUnits(readJson('vn-units-2026-07-25.json'), { source: 'again' });
    assert.equal(again.changes.unchanged, true);
    assert.equal(again.changes.respelled.length, 0);
    assert.equal(again.published, null);
    assert.equal(await catalogs.currentVersion('ADMINISTRATIVE_UNITS'), 2);
  });
});

describe('importing the three-tier simplified list', () => {
  it('replaces the three-tier list and reports the differences with the package’s mixed-vintage list', async () => {
    const catalogs = new Catalogs({ store: createMemoryCatalogStore(), events: noCatalogEvents, versionCheckIntervalMs: 0 });
    await catalogs.seed(defaultVersion);
    const result = await catalogs.importAdministrativeUnits(readJson('vn-units-2025-03-01-three-tier.json'), { source: 'three-tier', dryRun: true });
    assert.equal(result.tier, 'THREE_TIER');
    assert.equal(result.published, null);
    assert.equal(result.changes.removed.length, 26);
    assert.equal(result.changes.added.length, 10);
    assert.ok(result.changes.removed.some((u) => u.code === '26935' && u.level === 'COMMUNE'));
    assert.ok(result.changes.added.some((u) => u.code === '03980' && u.fullName === 'Phường Mộc Lỵ'));
  });
});

describe('refusing a bad file', () => {
  const badInput = (e: unknown) => e instanceof LgspError && e.code === ErrorCode.BAD_USER_INPUT;
  it('says what is wrong', async () => {
    const catalogs = new Catalogs({ store: createMemoryCatalogStore(), events: noCatalogEvents, versionCheckIntervalMs: 0 });
    await catalogs.seed(defaultVersion);
    await assert.rejects(catalogs.importAdministrativeUnits({ hello: 'world' }, { source: 'x' }), badInput);
    await assert.rejects(
      catalogs.importAdministrativeUnits([{ Code: '1', Name: 'A', FullName: 'Tỉnh A', Wards: [] }], { source: 'x' }),
      (e: unknown) => badInput(e) && /0\.Code: must be a GSO code of 2 digits/.test((e as Error).message),
    );
    await assert.rejects(
      catalogs.importAdministrativeUnits(
        [{ Code: '01', Name: 'A', FullName: 'Tỉnh A', Wards: [{ Code: '00001', Name: 'B', FullName: 'Xã B', ProvinceCode: '02' }] }],
        { source: 'x' },
      ),
      (e: unknown) => badInput(e) && /ProvinceCode 02/.test((e as Error).message),
    );
    assert.equal(await catalogs.currentVersion('ADMINISTRATIVE_UNITS'), 1);
  });
});

describe('announcing a published version (the CatalogEvents port)', () => {
  const file = () => readJson('vn-units-2026-07-25.json');

  it('announces once, after the version is stored and current; not for seeds, dry runs or unchanged files', async () => {
    const store = createMemoryCatalogStore();
    const announced: Array<{ catalog: string; version: number; currentWhenAnnounced: number | null }> = [];
    const events: CatalogEvents = {
      async versionPublished(info) {
        announced.push({ catalog: info.catalog, version: info.version, currentWhenAnnounced: await store.currentVersion(info.catalog) });
        return `${announced.length}-0`;
      },
    };
    const catalogs = new Catalogs({ store, events, versionCheckIntervalMs: 0 });
    await catalogs.seed(defaultVersion);
    await catalogs.importAdministrativeUnits(file(), { source: 'dry', dryRun: true });
    assert.deepEqual(announced, []);
    const result = await catalogs.importAdministrativeUnits(file(), { source: 'file' });
    assert.equal(result.eventId, '1-0');
    assert.deepEqual(announced, [{ catalog: 'ADMINISTRATIVE_UNITS', version: 2, currentWhenAnnounced: 2 }]);
    const again = await catalogs.importAdministrativeUnits(file(), { source: 'file' });
    assert.equal(again.published, null);
    assert.equal(again.eventId, null);
    assert.equal(announced.length, 1);
  });

  it('keeps the version published when the announcement fails, and says so', async () => {
    const store = createMemoryCatalogStore();
    const events: CatalogEvents = { versionPublished: () => Promise.reject(new Error('event topic unreachable')) };
    const catalogs = new Catalogs({ store, events, versionCheckIntervalMs: 0 });
    await catalogs.seed(defaultVersion);
    await assert.rejects(catalogs.importAdministrativeUnits(file(), { source: 'file' }), (error: unknown) => {
      assert.ok(error instanceof CatalogChangeNotAnnouncedError);
      assert.match(
        error.message,
        /ADMINISTRATIVE_UNITS version 2 was published and is current, but its catalog-changed event could not be published: event topic unreachable/,
      );
      assert.equal(error.result.published.version, 2);
      assert.equal(error.result.eventId, null);
      assert.equal(error.result.changes.added.length, 2);
      return true;
    });
    assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 2);
  });
});
