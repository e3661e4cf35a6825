import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEFAULT_DATASET_OPTIONS, enterpriseCheckDigit, generateDataset } from './dataset.ts';
import { loadPlaces, BIRTH_PROVINCE_CODES_BEFORE_2025 } from './data/places.ts';
import { WELL_KNOWN } from './well-known.ts';

const dataset = generateDataset();
const citizens = [...dataset.citizens.values()];
const enterprises = [...dataset.enterprises.values()];

test('the same seed gives the same records; another seed gives others', () => {
  const again = generateDataset();
  assert.deepEqual(again.citizenIds, dataset.citizenIds);
  assert.deepEqual(again.citizens.get(dataset.citizenIds[500]!), dataset.citizens.get(dataset.citizenIds[500]!));
  assert.deepEqual(again.enterprises.get(dataset.enterpriseCodes[42]!), dataset.enterprises.get(dataset.enterpriseCodes[42]!));
  const other = generateDataset({ ...DEFAULT_DATASET_OPTIONS, seed: 7 });
  assert.notDeepEqual(other.citizenIds.slice(0, 10), dataset.citizenIds.slice(0, 10));
});

test('at least 10,000 citizens in households and 1,000 enterprises', () => {
  assert.ok(dataset.citizens.size >= 10_000, `${dataset.citizens.size} citizens`);
  assert.equal(dataset.citizenIds.length, dataset.citizens.size, 'personal IDs are unique');
  assert.ok(dataset.enterprises.size >= 1_000);
  assert.ok(dataset.householdCount > 2_000 && dataset.householdCount < dataset.citizens.size / 2, `${dataset.householdCount} households`);
});

test('personal IDs have the structure of Thông tư 59/2021/TT-BCA and match birth year and gender', () => {
  const provinces = new Set<string>(BIRTH_PROVINCE_CODES_BEFORE_2025);
  for (const c of citizens) {
    assert.match(c.SoDinhDanh, /^\d{12}$/);
    assert.ok(provinces.has(c.SoDinhDanh.slice(1, 3)) && c.SoDinhDanh[0] === '0', `${c.SoDinhDanh}: birth province code`);
    const year = Number(c.NgayThangNamSinh.NgayThangNam.slice(0, 4));
    const centuryGender = Number(c.SoDinhDanh[3]);
    assert.equal(centuryGender, (Math.floor(year / 100) - 19) * 2 + (c.GioiTinh === '1' ? 0 : 1), `${c.SoDinhDanh}: century/gender digit`);
    assert.equal(c.SoDinhDanh.slice(4, 6), String(year % 100).padStart(2, '0'), `${c.SoDinhDanh}: year digits`);
    const date = c.NgayThangNamSinh.NgayThangNam;
    const parsed = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`);
    assert.equal(parsed.toISOString().slice(0, 10).replaceAll('-', ''), date, `${date} is a calendar date`);
  }
});

test('addresses are real two-tier communes with their province', () => {
  const places = loadPlaces();
  const communes = new Map(places.communes.map((c) => [c.code, c]));
  assert.equal(places.provinces.length, 34);
  assert.equal(places.communes.length, 3321);
  for (const c of citizens) {
    for (const address of [c.NoiThuongTru, c.NoiOHienTai]) {
      const commune = communes.get(address.MaXa);
      assert.ok(commune !== undefined, `${address.MaXa} is a commune`);
      assert.equal(address.MaTinh, commune.provinceCode);
      assert.equal(address.TenXa, commune.name);
    }
  }
  for (const e of enterprises) assert.equal(communes.get(e.HOAdress.WardID)?.provinceCode, e.HOAdress.CityID);
});

test('names, ethnicity and religion follow realistic distributions', () => {
  const share = (predicate: (c: (typeof citizens)[number]) => boolean) => citizens.filter(predicate).length / citizens.length;
  const nguyen = share((c) => c.HoVaTen.Ho === 'Nguyễn');
  assert.ok(nguyen > 0.33 && nguyen < 0.45, `Nguyễn ${nguyen}`);
  const kinh = share((c) => c.DanToc === '01');
  assert.ok(kinh > 0.8 && kinh < 0.9, `Kinh ${kinh}`);
  assert.ok(
    citizens.every((c) => /^(0[1-9]|[1-4]\d|5[0-4])$/.test(c.DanToc)),
    'ethnic codes 01–54',
  );
  const religious = share((c) => c.TonGiao !== null);
  assert.ok(religious > 0.08 && religious < 0.2, `religious ${religious}`);
  assert.ok(citizens.every((c) => c.QuocTich === 'VN'));
  // Given names are drawn by gender: "Thị" is a female middle name only.
  assert.ok(citizens.filter((c) => c.HoVaTen.ChuDem === 'Thị').every((c) => c.GioiTinh === '2'));
  assert.ok(citizens.filter((c) => c.HoVaTen.ChuDem === 'Văn').every((c) => c.GioiTinh === '1'));
});

test('households are consistent: one head, members listed on every record, parents exist', () => {
  const byHousehold = new Map<string, typeof citizens>();
  for (const c of citizens) byHousehold.set(c.MaHo, [...(byHousehold.get(c.MaHo) ?? []), c]);
  assert.equal(byHousehold.size, dataset.householdCount);
  for (const [, members] of byHousehold) {
    const heads = members.filter((m) => m.QuanHeVoiChuHo === 'Chủ hộ');
    assert.equal(heads.length, 1);
    for (const m of members) {
      assert.equal(m.ChuHo.SoDinhDanh, heads[0]!.SoDinhDanh);
      assert.deepEqual(
        m.ThanhVienHo.map((t) => t.SoDinhDanh),
        members.map((x) => x.SoDinhDanh),
      );
      for (const parent of [m.Cha, m.Me]) if (parent !== null) assert.ok(dataset.citizens.has(parent.SoDinhDanh));
    }
  }
});

test('enterprise codes carry a valid check digit; representatives are citizens', () => {
  for (const e of enterprises) {
    const code = e.MainInformation.ENTERPRISE_GDT_CODE;
    assert.match(code, /^\d{10}$/);
    assert.equal(enterpriseCheckDigit(code.slice(0, 9)), Number(code[9]), code);
    assert.equal(e.BusinessActivity.filter((b) => b.IS_MAIN === 'Y').length, 1);
    const rep = e.LegalRepresentative[0]!;
    assert.ok(dataset.citizens.has(rep.PERSONAL_ID), `${code}: representative ${rep.PERSONAL_ID}`);
    const founded = e.MainInformation.FOUNDING_DATE.split('/').reverse().join('');
    const amended = e.MainInformation.LAST_AMEND_DATE.split('/').reverse().join('');
    assert.ok(amended >= founded, `${code}: amended ${amended} before founded ${founded}`);
  }
  assert.equal(new Set(enterprises.map((e) => e.MainInformation.NAME)).size, enterprises.length, 'enterprise names are unique');
});

test('the well-known records of CONTRACT.md exist (and the not-found ones do not)', async () => {
  const contract = await readFile(new URL('../CONTRACT.md', import.meta.url), 'utf8');
  for (const [role, id] of Object.entries(WELL_KNOWN.citizens)) {
    assert.equal(dataset.citizens.has(id), role !== 'notFound', `${role} ${id}`);
    assert.ok(contract.includes(id), `CONTRACT.md names ${id}`);
  }
  for (const [role, code] of Object.entries(WELL_KNOWN.enterprises)) {
    assert.equal(dataset.enterprises.has(code), role !== 'notFound', `${role} ${code}`);
    assert.ok(contract.includes(code), `CONTRACT.md names ${code}`);
  }
  const head = dataset.citizens.get(WELL_KNOWN.citizens.householdHead)!;
  assert.deepEqual(head.HoVaTen, { Ho: 'Trần', ChuDem: 'Quốc', Ten: 'Hòa' });
  assert.equal(head.ThanhVienHo.length, 5);
});

test('every development agency ward has residents, and adding them changes no other record', async () => {
  const { DEVELOPMENT_FOCUS_WARDS } = await import('./dataset.ts');
  for (const ward of DEVELOPMENT_FOCUS_WARDS) {
    const residents = dataset.citizenIds.filter((id) => dataset.citizens.get(id)!.NoiThuongTru.MaXa === ward);
    assert.ok(residents.length >= 10, `ward ${ward} has ${residents.length} residents`);
  }
  const without = generateDataset({ ...DEFAULT_DATASET_OPTIONS, focusWards: [] });
  assert.deepEqual(dataset.citizenIds.slice(0, without.citizenIds.length), without.citizenIds);
  assert.deepEqual([...dataset.enterprises.values()], [...without.enterprises.values()]);
});

test('the test dataset: another seed, none of the production ids, and the reverse', async () => {
  const { generateTestDataset } = await import('./service.ts');
  const { WELL_KNOWN_TEST } = await import('./well-known.ts');
  const testData = generateTestDataset(dataset);
  assert.ok(testData.citizens.size >= 3_000 && testData.enterprises.size === 400);
  for (const id of testData.citizenIds) assert.ok(!dataset.citizens.has(id), `test citizen ${id} is also a production record`);
  for (const code of testData.enterpriseCodes) assert.ok(!dataset.enterprises.has(code), `test enterprise ${code} is also a production record`);
  for (const id of Object.values(WELL_KNOWN.citizens)) assert.ok(!testData.citizens.has(id), `production's ${id} is in the test dataset`);
  for (const code of Object.values(WELL_KNOWN.enterprises)) assert.ok(!testData.enterprises.has(code), `production's ${code} is in the test dataset`);
  // Test enterprises' representatives are test citizens: a test record never points into production.
  for (const code of testData.enterpriseCodes) assert.ok(testData.citizens.has(testData.enterprises.get(code)!.LegalRepresentative[0]!.PERSONAL_ID));
  const contract = await readFile(new URL('../CONTRACT.md', import.meta.url), 'utf8');
  for (const [role, id] of Object.entries(WELL_KNOWN_TEST.citizens)) {
    assert.ok(testData.citizens.has(id), `test ${role} ${id}`);
    assert.ok(contract.includes(id), `CONTRACT.md names ${id}`);
  }
  for (const [role, code] of Object.entries(WELL_KNOWN_TEST.enterprises)) {
    assert.ok(testData.enterprises.has(code), `test ${role} ${code}`);
    assert.ok(contract.includes(code), `CONTRACT.md names ${code}`);
  }
  assert.equal(testData.citizens.get(WELL_KNOWN_TEST.citizens.wardResident)!.NoiThuongTru.MaXa, '16690');
  assert.equal(testData.enterprises.get(WELL_KNOWN_TEST.enterprises.dissolved)!.MainInformation.ENTERPRISE_STATUS, '4');
});

test('avoided ids are never produced, even by the very seed that produced them', () => {
  const small = { ...DEFAULT_DATASET_OPTIONS, citizens: 500, enterprises: 100, focusWards: [] };
  const first = generateDataset(small);
  const second = generateDataset({ ...small, avoid: { citizenIds: first.citizenIds, enterpriseCodes: first.enterpriseCodes } });
  assert.ok(second.citizens.size >= 500 && second.enterprises.size === 100);
  for (const id of second.citizenIds) assert.ok(!first.citizens.has(id), id);
  for (const code of second.enterpriseCodes) assert.ok(!first.enterprises.has(code), code);
});
