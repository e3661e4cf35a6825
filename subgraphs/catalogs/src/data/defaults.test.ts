import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdminUnitIndex } from '../domain/admin-units.ts';
import { searchKey } from '../domain/text.ts';
import { buildDefaultAdminUnits } from './admin-units-default.ts';
import { readReferenceText } from './reference/reference.ts';
import { defaultAgencies, defaultCountries, defaultEthnicGroups, defaultReligions } from './defaults.ts';

/** Minimal CSV reader for the reference file (quoted fields with commas). */
function readCsv(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].map((m) => m[2] ?? m[1] ?? '').slice(0, -1));
}

describe('ethnic groups (Decision 121-TCTK/PPCĐ)', () => {
  const { payload, source } = defaultEthnicGroups();
  it('names its legal source and has the 54 groups coded 01–54', () => {
    assert.match(source, /121-TCTK\/PPCĐ/);
    assert.deepEqual(
      payload.map((g) => g.code),
      Array.from({ length: 54 }, (_, i) => String(i + 1).padStart(2, '0')),
    );
  });
  it('agrees with the independent transcription in reference/ code by code (55 "Người nước ngoài" is not an ethnic group)', () => {
    const reference = readCsv(readReferenceText('ethnic-groups-qd121-tctk.csv')).slice(1);
    assert.equal(reference.length, 54);
    assert.ok(!reference.some(([code]) => Number(code) > 54));
    for (const [code, name] of reference) {
      const ours = payload.find((g) => g.code === code);
      assert.ok(ours, `code ${code} missing`);
      assert.equal(ours.name.normalize('NFC'), name!.normalize('NFC'), `code ${code}`);
    }
  });
});

describe('religions', () => {
  it('lists the 16 recognised religions with their source and our own codes', () => {
    const { payload, source } = defaultReligions();
    assert.equal(payload.length, 16);
    assert.match(source, /Ban Tôn giáo Chính phủ/);
    assert.equal(new Set(payload.map((r) => r.code)).size, 16);
    assert.ok(payload.some((r) => searchKey(r.name) === 'phat giao hoa hao'));
  });
});

describe('countries (ISO 3166-1 from i18n-iso-countries)', () => {
  it('has Vietnamese and English names, alpha-3 and numeric codes, and leaves out XK', () => {
    const { payload } = defaultCountries();
    assert.equal(payload.length, 249);
    const vn = payload.find((c) => c.code === 'VN');
    assert.deepEqual(vn, { code: 'VN', alpha3: 'VNM', numeric: '704', name: 'Việt Nam', englishName: 'Vietnam' });
    assert.ok(!payload.some((c) => c.code === 'XK'));
    for (const c of payload) assert.match(`${c.code} ${c.alpha3} ${c.numeric}`, /^[A-Z]{2} [A-Z]{3} \d{3}$/);
  });
});

describe('development agencies', () => {
  it('is marked as development data and has the agencies the next issues need', () => {
    const { payload, source } = defaultAgencies();
    assert.match(source, /DEVELOPMENT DATA/);
    const kinds = new Set(payload.map((a) => a.kind));
    for (const kind of ['PEOPLES_COMMITTEE', 'OFFICE', 'POLICE', 'HOSPITAL', 'SCHOOL']) assert.ok(kinds.has(kind as never), kind);
    const names = payload.map((a) => a.name).join('\n');
    assert.match(names, /Sở Tài chính/);
    assert.match(names, /Sở Tư pháp/);
    assert.ok(
      payload.some((a) => a.kind === 'PEOPLES_COMMITTEE' && a.parentCode !== null && a.administrativeUnitCode !== null),
      'a commune People’s Committee',
    );
  });
});

describe('default administrative units', () => {
  it('has 34 provinces and 3,321 communes (two-tier), 63/696/10,051 (three-tier) and a mapping between them', async () => {
    const { payload, skippedMappings } = await buildDefaultAdminUnits();
    const index = new AdminUnitIndex(payload, 1);
    assert.deepEqual(index.counts.TWO_TIER, { PROVINCE: 34, DISTRICT: 0, COMMUNE: 3321 });
    assert.deepEqual(index.counts.THREE_TIER, { PROVINCE: 63, DISTRICT: 696, COMMUNE: 10051 });
    // Rows of the package's mapping without an old code, or naming one of the 10 old codes the three-tier package lacks.
    assert.deepEqual(skippedMappings, { missingOldCode: 938, unknownOldUnit: 15, unknownNewUnit: 0 });
    const phucXa = index.get('THREE_TIER', '00001')!;
    assert.deepEqual(
      index.successors(phucXa).map((u) => u.fullName),
      ['Phường Hồng Hà'],
    );
    assert.equal(phucXa.validTo, '2025-06-30');
    assert.equal(index.get('TWO_TIER', '00004')!.validFrom, '2025-07-01');
    // Every two-tier commune but a handful has predecessors.
    const communes = index.list({ tier: 'TWO_TIER', level: 'COMMUNE' });
    assert.ok(communes.filter((u) => index.predecessors(u).length === 0).length < 10);
    // Province names and kinds.
    assert.equal(index.get('TWO_TIER', '01')!.fullName, 'Thành phố Hà Nội');
    assert.equal(index.get('TWO_TIER', '75')!.fullName, 'Tỉnh Đồng Nai');
    assert.equal(index.get('THREE_TIER', '001')!.type, 'Quận');
  });
});
