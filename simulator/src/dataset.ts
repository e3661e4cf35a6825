/**
 * Deterministic synthetic national data: citizens grouped in households, and enterprises whose legal
 * representatives are citizens. The same seed gives the same records, byte for byte, on every machine.
 */
import type { ChiTietDoanhNghiep, CongDan, DiaChi, HoVaTen, NguoiThan, ThanhVienHo } from './contract.ts';
import { Prng, WeightedTable } from './prng.ts';
import { ETHNIC_WEIGHTS, NO_RELIGION_WEIGHT, RELIGIONS } from './data/ethnicity-religion.ts';
import {
  FAMILY_NAMES,
  FEMALE_GIVEN_NAMES,
  FEMALE_MIDDLE_NAMES,
  MALE_GIVEN_NAMES,
  MALE_MIDDLE_NAMES,
  STREET_NAMES,
  VILLAGE_NAMES,
  withoutDiacritics,
} from './data/names.ts';
import { BIRTH_PROVINCE_CODES_BEFORE_2025, loadPlaces, type Commune, type Places } from './data/places.ts';
import { BRAND_WORDS, BUSINESS_LINES, ENTERPRISE_STATUSES, LEGAL_FORMS, REPRESENTATIVE_POSITIONS } from './data/enterprises.ts';

export interface DatasetOptions {
  seed: number;
  /** At least this many citizens (whole households are generated, so a few more may be produced). */
  citizens: number;
  enterprises: number;
  /**
   * Communes that get `householdsPerFocusWard` more households after the random ones, so that every development
   * agency's own commune has residents (a commune People's Committee's grants are limited to its ward).
   */
  focusWards?: string[];
  householdsPerFocusWard?: number;
  /**
   * Identifiers this dataset must not produce: the test dataset is generated with the production dataset's ids here,
   * so that no record of one is in the other (another seed alone could repeat an id by chance).
   */
  avoid?: { citizenIds: Iterable<string>; enterpriseCodes: Iterable<string> };
}

export interface Dataset {
  citizens: Map<string, CongDan>;
  /** Personal IDs in generation order (household by household, head first). */
  citizenIds: string[];
  enterprises: Map<string, ChiTietDoanhNghiep>;
  enterpriseCodes: string[];
  householdCount: number;
}

/** Phường Trường Vinh (Nghệ An): the ward of the development commune agency 000.00.20.H41. */
export const DEVELOPMENT_FOCUS_WARDS = ['16690'];

export const DEFAULT_DATASET_OPTIONS: DatasetOptions = {
  seed: 20250701,
  citizens: 12_000,
  enterprises: 1_500,
  focusWards: DEVELOPMENT_FOCUS_WARDS,
  householdsPerFocusWard: 10,
};

/**
 * The test environment's dataset (the national platform's separate test endpoint, WSO2's sandbox): another seed,
 * fewer records, the same focus wards so that ward-limited test grants have residents; generated with the
 * production ids in `avoid`.
 */
export const TEST_DATASET_OPTIONS: DatasetOptions = {
  seed: 20251001,
  citizens: 3_000,
  enterprises: 400,
  focusWards: DEVELOPMENT_FOCUS_WARDS,
  householdsPerFocusWard: 10,
};

/** Year the synthetic data describes; ages are relative to it, nobody is born after it. */
const REFERENCE_YEAR = 2025;

interface Person {
  id: string;
  cmnd: string;
  name: HoVaTen;
  male: boolean;
  birth: { year: number; month: number; day: number };
  relation: string;
  father: Person | null;
  mother: Person | null;
}

/** Builds the whole dataset; about 50 ms for the defaults. */
export function generateDataset(options: DatasetOptions = DEFAULT_DATASET_OPTIONS): Dataset {
  const places = loadPlaces();
  const citizens = generateCitizens(
    new Prng(options.seed),
    places,
    options.citizens,
    options.focusWards ?? [],
    options.householdsPerFocusWard ?? 0,
    new Set(options.avoid?.citizenIds ?? []),
  );
  const enterprises = generateEnterprises(
    new Prng(options.seed ^ 0x5eed_d14e),
    places,
    { citizens: citizens.citizens, citizenIds: citizens.representativePool },
    options.enterprises,
    new Set(options.avoid?.enterpriseCodes ?? []),
  );
  return { citizens: citizens.citizens, citizenIds: citizens.citizenIds, householdCount: citizens.householdCount, ...enterprises };
}

// ---------------------------------------------------------------------------------------------- citizens

function generateCitizens(prng: Prng, places: Places, target: number, focusWards: string[], householdsPerFocusWard: number, avoid: Set<string>) {
  const familyNames = new WeightedTable(FAMILY_NAMES);
  const ethnicities = new WeightedTable(ETHNIC_WEIGHTS);
  const religions = new WeightedTable<string | null>([[null, NO_RELIGION_WEIGHT], ...RELIGIONS.map((r) => [r.code, r.weight] as const)]);
  // Avoided ids count as used: a new person never gets one.
  const usedIds = new Set<string>(avoid);
  const citizens = new Map<string, CongDan>();
  const citizenIds: string[] = [];
  let householdCount = 0;

  const newPerson = (male: boolean, year: number, familyName: string, relation: string, provinceCode: string): Person => {
    const birth = { year, month: prng.int(1, 12), day: 1 };
    birth.day = prng.int(1, daysInMonth(birth.year, birth.month));
    const name: HoVaTen = { Ho: familyName, ChuDem: middleName(prng, male, year), Ten: prng.pick(male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES) };
    const id = personalId(prng, usedIds, male, year, provinceCode);
    const cmnd = year <= 1998 && prng.chance(0.6) ? `${prng.int(0, 3)}${prng.digits(8)}` : '';
    return { id, cmnd, name, male, birth, relation, father: null, mother: null };
  };

  const addHousehold = (commune: Places['communes'][number]): void => {
    householdCount++;
    const province = places.provinceByCode.get(commune.provinceCode)!;
    const permanent = address(prng, commune, province.name);
    // About one household in ten lives elsewhere (students, workers in the big cities) than where it is registered.
    const current = prng.chance(0.1)
      ? (() => {
          const elsewhere = prng.pick(places.communes);
          return address(prng, elsewhere, places.provinceByCode.get(elsewhere.provinceCode)!.name);
        })()
      : permanent;
    const ethnic = ethnicities.pick(prng);
    const religion = religions.pick(prng);
    const members = household(prng, familyNames, newPerson, commune.provinceCode);
    const head = members[0]!;
    const householdNo = `${commune.provinceCode}${String(householdCount).padStart(8, '0')}`;
    const memberList: ThanhVienHo[] = members.map((m) => ({ SoDinhDanh: m.id, HoVaTen: m.name, QuanHe: m.relation }));
    for (const person of members) {
      // Within a household ethnicity and religion are mostly shared; a spouse sometimes differs.
      const ownEthnic = person.relation === 'Vợ' || person.relation === 'Chồng' ? (prng.chance(0.9) ? ethnic : ethnicities.pick(prng)) : ethnic;
      const ownReligion = prng.chance(0.95) ? religion : religions.pick(prng);
      const record: CongDan = {
        SoDinhDanh: person.id,
        SoCMND: person.cmnd,
        HoVaTen: person.name,
        NgayThangNamSinh: { NgayThangNam: `${person.birth.year}${pad2(person.birth.month)}${pad2(person.birth.day)}` },
        GioiTinh: person.male ? '1' : '2',
        DanToc: ownEthnic,
        TonGiao: ownReligion,
        QuocTich: 'VN',
        NoiThuongTru: permanent,
        NoiOHienTai: current,
        Cha: person.father === null ? null : relative(person.father),
        Me: person.mother === null ? null : relative(person.mother),
        MaHo: householdNo,
        ChuHo: { SoDinhDanh: head.id, HoVaTen: head.name },
        QuanHeVoiChuHo: person.relation,
        ThanhVienHo: memberList,
      };
      citizens.set(person.id, record);
      citizenIds.push(person.id);
    }
  };

  while (citizenIds.length < target) addHousehold(prng.pick(places.communes));
  // Enterprises draw their representatives from these, so that they too stay the same whatever the focus wards are.
  const representativePool = citizenIds.slice();
  // After the random households, so that the records above stay the same whatever the focus wards are.
  for (const code of focusWards) {
    const commune = places.communes.find((c) => c.code === code);
    if (commune === undefined) throw new Error(`focus ward ${code} is not a commune of the two-tier list`);
    for (let i = 0; i < householdsPerFocusWard; i++) addHousehold(commune);
  }
  return { citizens, citizenIds, householdCount, representativePool };
}

type NewPerson = (male: boolean, year: number, familyName: string, relation: string, provinceCode: string) => Person;

/** A household: head first, then spouse, children, grandchildren, a parent or a sibling of the head. */
function household(prng: Prng, familyNames: WeightedTable<string>, newPerson: NewPerson, provinceCode: string): Person[] {
  const headMale = prng.chance(0.72);
  const headYear = prng.int(1940, 2003);
  const headFamily = familyNames.pick(prng);
  const head = newPerson(headMale, headYear, headFamily, 'Chủ hộ', provinceCode);
  const members = [head];

  const headAge = REFERENCE_YEAR - headYear;
  const married = headAge >= 24 && prng.chance(headMale ? 0.88 : 0.35);
  let spouse: Person | null = null;
  if (married) {
    const spouseYear = clamp(headYear + (headMale ? prng.int(0, 6) : -prng.int(0, 6)), 1935, 2005);
    spouse = newPerson(!headMale, spouseYear, familyNames.pick(prng), headMale ? 'Vợ' : 'Chồng', provinceCode);
    members.push(spouse);
  }
  const father = headMale ? head : spouse;
  const mother = headMale ? spouse : head;
  const motherYear = mother?.birth.year ?? headYear;

  // Children: fewer for younger heads; the children's family name is the father's.
  if (headAge >= 22) {
    const childCount = headAge < 30 ? prng.int(0, 2) : weightedChildCount(prng);
    let year = motherYear + prng.int(20, 28);
    for (let i = 0; i < childCount && year <= REFERENCE_YEAR; i++) {
      const childMale = prng.chance(0.51);
      const child = newPerson(childMale, year, father?.name.Ho ?? familyNames.pick(prng), 'Con', provinceCode);
      child.father = father;
      child.mother = mother;
      members.push(child);
      year += prng.int(2, 5);
    }
  }
  // Older households often include grandchildren (cháu) of a grown-up son living with them.
  const grownSon = members.find((m) => m.relation === 'Con' && m.male && REFERENCE_YEAR - m.birth.year >= 24);
  if (grownSon !== undefined && prng.chance(0.4)) {
    const count = prng.int(1, 2);
    for (let i = 0; i < count; i++) {
      const year = grownSon.birth.year + prng.int(22, 32) + i * 2;
      if (year > REFERENCE_YEAR) break;
      const grandchild = newPerson(prng.chance(0.51), year, grownSon.name.Ho, 'Cháu', provinceCode);
      grandchild.father = grownSon;
      members.push(grandchild);
    }
  }
  // A widowed parent of the head lives with younger heads in about one household in eight.
  if (headAge < 55 && prng.chance(0.12)) {
    const parentMale = prng.chance(0.3);
    const parent = newPerson(
      parentMale,
      clamp(headYear - prng.int(20, 32), 1925, 1990),
      parentMale ? head.name.Ho : familyNames.pick(prng),
      parentMale ? 'Cha' : 'Mẹ',
      provinceCode,
    );
    members.push(parent);
    if (parentMale) head.father = parent;
    else head.mother = parent;
  }
  // Occasionally an unmarried younger sibling of the head.
  if (prng.chance(0.04)) {
    const year = clamp(headYear + prng.int(2, 10), 1940, REFERENCE_YEAR - 16);
    const siblingMale = prng.chance(0.5);
    members.push(newPerson(siblingMale, year, head.name.Ho, 'Em', provinceCode));
  }
  return members;
}

function weightedChildCount(prng: Prng): number {
  const r = prng.next();
  return r < 0.08 ? 0 : r < 0.3 ? 1 : r < 0.72 ? 2 : r < 0.92 ? 3 : 4;
}

function middleName(prng: Prng, male: boolean, year: number): string {
  // "Văn" and "Thị" dominate among citizens born before 1990 and are much rarer since.
  const traditional = year < 1990 ? (male ? 0.55 : 0.7) : male ? 0.2 : 0.25;
  if (prng.chance(traditional)) return male ? 'Văn' : 'Thị';
  const pool = male ? MALE_MIDDLE_NAMES : FEMALE_MIDDLE_NAMES;
  // Some younger citizens carry two middle names ("Nguyễn Ngọc Bảo Anh").
  if (year >= 1995 && prng.chance(0.1)) return `${prng.pick(pool)} ${prng.pick(pool)}`;
  return prng.pick(pool);
}

/**
 * A valid, unique personal ID (Thông tư 59/2021/TT-BCA, Điều 7): 3-digit code of the province where the birth was
 * registered, 1 digit for century and gender (0/1 = 20th century male/female, 2/3 = 21st century), the last two
 * digits of the year of birth, then 6 random digits.
 */
function personalId(prng: Prng, used: Set<string>, male: boolean, year: number, residenceProvince: string): string {
  // Most people are registered where they live; the rest come from anywhere in the 63 provinces of the time.
  const birthProvince = prng.chance(0.75) ? residenceProvince : prng.pick(BIRTH_PROVINCE_CODES_BEFORE_2025);
  const century = Math.floor(year / 100) - 19; // 1900s → 0, 2000s → 1
  const centuryGender = century * 2 + (male ? 0 : 1);
  const prefix = `0${birthProvince}${centuryGender}${pad2(year % 100)}`;
  for (;;) {
    const id = prefix + prng.digits(6);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

function address(prng: Prng, commune: Commune, provinceName: string): DiaChi {
  let detail: string;
  if (commune.kind === 'PHUONG') {
    const street = prng.pick(STREET_NAMES);
    detail = prng.chance(0.4) ? `Số ${prng.int(1, 120)}, ngõ ${prng.int(1, 300)}, đường ${street}` : `Số ${prng.int(1, 400)}, đường ${street}`;
  } else if (commune.kind === 'DAC_KHU') {
    detail = `Khu ${prng.int(1, 12)}`;
  } else {
    // Southern provinces call their hamlets "ấp", the northern mountains "bản", elsewhere "thôn" or "xóm".
    const southern = Number(commune.provinceCode) >= 70;
    const highland = ['04', '08', '11', '12', '14', '15'].includes(commune.provinceCode);
    detail = southern
      ? `Ấp ${prng.pick(VILLAGE_NAMES)}`
      : highland
        ? `Bản ${prng.pick(VILLAGE_NAMES)}`
        : prng.chance(0.7)
          ? `Thôn ${prng.pick(VILLAGE_NAMES)}`
          : `Xóm ${prng.int(1, 15)}`;
  }
  return {
    ChiTiet: detail,
    MaXa: commune.code,
    TenXa: commune.name,
    MaTinh: commune.provinceCode,
    TenTinh: provinceName,
    QuocGia: 'VN',
    DiaChiDayDu: `${detail}, ${commune.name}, ${provinceName}`,
  };
}

function relative(person: Person): NguoiThan {
  return { SoDinhDanh: person.id, QuocTich: 'VN', HoVaTen: person.name };
}

// ---------------------------------------------------------------------------------------------- enterprises

/** GSO province code → the tax authority's 2-digit prefix where it differs (Hà Nội 01, Hải Phòng 02, TP.HCM 03, Đà Nẵng 04). */
const TAX_PREFIX: Record<string, string> = { '01': '01', '31': '02', '79': '03', '48': '04' };

function generateEnterprises(prng: Prng, places: Places, people: { citizens: Map<string, CongDan>; citizenIds: string[] }, count: number, avoid: Set<string>) {
  const legalForms = new WeightedTable(LEGAL_FORMS.map((f) => [f, f.weight] as const));
  const statuses = new WeightedTable(ENTERPRISE_STATUSES.map((s) => [s, s.weight] as const));
  const adults = people.citizenIds.filter((id) => birthYear(people.citizens.get(id)!) <= 2000);
  const enterprises = new Map<string, ChiTietDoanhNghiep>();
  const enterpriseCodes: string[] = [];
  const usedNames = new Set<string>();

  for (let n = 1; enterpriseCodes.length < count; n++) {
    const commune = prng.pick(places.communes);
    const province = places.provinceByCode.get(commune.provinceCode)!;
    const code = enterpriseCode(prng, TAX_PREFIX[commune.provinceCode] ?? commune.provinceCode, enterprises, avoid);
    const form = legalForms.pick(prng);
    const mainLine = prng.pick(BUSINESS_LINES);
    const { name, shortName, foreignName } = enterpriseNames(prng, form, mainLine, usedNames);
    const status = statuses.pick(prng);
    const foundingYear = prng.int(1995, 2025);
    const founding = { year: foundingYear, month: prng.int(1, foundingYear === 2025 ? 6 : 12), day: 1 };
    founding.day = prng.int(1, daysInMonth(founding.year, founding.month));
    const changes = prng.int(0, Math.min(12, REFERENCE_YEAR - foundingYear));
    let lastAmend = founding;
    if (changes > 0) {
      const year = prng.int(foundingYear, REFERENCE_YEAR);
      const month = prng.int(1, year === REFERENCE_YEAR ? 6 : 12);
      lastAmend = { year, month, day: prng.int(1, daysInMonth(year, month)) };
      if (dateKey(lastAmend) < dateKey(founding)) lastAmend = founding;
    }

    const capitalMillions = form.id === '3' ? prng.int(1_000, 500_000) : form.id === '4' ? prng.int(100, 5_000) : prng.int(100, 20_000);
    const capital = capitalMillions * 1_000_000;
    // The legal representative is a citizen of the population database who was an adult at founding.
    let representative = people.citizens.get(prng.pick(adults))!;
    for (let tries = 0; tries < 20 && birthYear(representative) > foundingYear - 20; tries++) representative = people.citizens.get(prng.pick(adults))!;
    const representativeName = fullName(representative.HoVaTen);
    const position =
      form.id === '4'
        ? 'Chủ doanh nghiệp'
        : form.id === '3'
          ? prng.pick(['Tổng giám đốc', 'Chủ tịch Hội đồng quản trị', 'Giám đốc'])
          : prng.pick(REPRESENTATIVE_POSITIONS.slice(0, 2).concat('Chủ tịch công ty'));

    const lines = new Set([mainLine]);
    const extra = prng.int(1, 5);
    for (let i = 0; i < extra; i++) lines.add(prng.pick(BUSINESS_LINES));

    const street = commune.kind === 'PHUONG' ? `Số ${prng.int(1, 500)}, đường ${prng.pick(STREET_NAMES)}` : `Thôn ${prng.pick(VILLAGE_NAMES)}`;
    const members = form.id === '2' || form.id === '3' || form.id === '5' ? capitalMembers(prng, capital, representativeName) : [];

    enterprises.set(code, {
      MainInformation: {
        ENTERPRISE_ID: String(100_000 + n),
        ENTERPRISE_GDT_CODE: code,
        ENTERPRISE_TYPE_ID: form.id,
        ENTERPRISE_TYPE_NAME: form.name,
        NAME: name,
        SHORT_NAME: shortName,
        NAME_F: foreignName,
        FOUNDING_DATE: ddMMyyyy(founding),
        LAST_AMEND_DATE: ddMMyyyy(lastAmend),
        NUMBER_CHANGES: changes,
        ENTERPRISE_STATUS: status.code,
        ENTERPRISE_STATUS_NAME: status.name,
        LEGAL_NAMES: representativeName,
        CAPITAL_AMOUNT: capital,
      },
      HOAdress: {
        CityID: province.code,
        CityName: province.name,
        DistrictID: '',
        DistrictName: '',
        WardID: commune.code,
        WardName: commune.name,
        StreetNumber: street,
        AddressFullText: `${street}, ${commune.name}, ${province.name}`,
      },
      BusinessActivity: [...lines].map((line) => ({ CODE: line.code, NAME: line.name, IS_MAIN: line === mainLine ? 'Y' : 'N' })),
      Member: members,
      LegalRepresentative: [{ FULL_NAME: representativeName, PERSONAL_ID: representative.SoDinhDanh, POSITION: position }],
      DataCount: 1,
      Status: '1',
      Message: 'Thành công',
    });
    enterpriseCodes.push(code);
  }
  return { enterprises, enterpriseCodes };
}

/**
 * A 10-digit enterprise code (mã số doanh nghiệp = mã số thuế): 2-digit province prefix, 7-digit sequence and a
 * check digit over the first nine with weights 31, 29, 23, 19, 17, 13, 7, 5, 3 (10 − sum mod 11; a remainder of
 * 0 is never issued).
 */
function enterpriseCode(prng: Prng, prefix: string, used: Map<string, unknown>, avoid: Set<string>): string {
  for (;;) {
    const body = prefix + prng.digits(7);
    const check = enterpriseCheckDigit(body);
    if (check === null) continue;
    const code = body + String(check);
    if (!used.has(code) && !avoid.has(code)) return code;
  }
}

export function enterpriseCheckDigit(firstNine: string): number | null {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * weights[i]!;
  const check = 10 - (sum % 11);
  return check === 10 ? null : check;
}

function enterpriseNames(prng: Prng, form: (typeof LEGAL_FORMS)[number], line: (typeof BUSINESS_LINES)[number], used: Set<string>) {
  for (let attempt = 0; ; attempt++) {
    const words = [prng.pick(BRAND_WORDS), prng.pick(BRAND_WORDS)];
    if (words[0] === words[1]) continue;
    if (attempt > 5) words.push(prng.pick(BRAND_WORDS));
    const brand = words.join(' ');
    const prefix =
      form.id === '1'
        ? 'CÔNG TY TNHH MỘT THÀNH VIÊN'
        : form.id === '2'
          ? 'CÔNG TY TNHH'
          : form.id === '3'
            ? 'CÔNG TY CỔ PHẦN'
            : form.id === '4'
              ? 'DOANH NGHIỆP TƯ NHÂN'
              : 'CÔNG TY HỢP DANH';
    const name = `${prefix} ${line.trade.toUpperCase()} ${brand.toUpperCase()}`;
    if (used.has(name)) continue;
    used.add(name);
    const ascii = withoutDiacritics(brand).toUpperCase();
    const foreignName = `${ascii} ${line.english} ${form.english}`;
    const shortName = form.id === '3' ? `${ascii} JSC` : form.id === '4' ? `DNTN ${ascii}` : `${ascii} CO., LTD`;
    return { name, shortName, foreignName };
  }
}

function capitalMembers(prng: Prng, capital: number, firstMember: string) {
  const count = prng.int(2, 4);
  const shares: number[] = [];
  let remaining = 100;
  for (let i = 0; i < count - 1; i++) {
    const share = prng.int(5, Math.max(5, Math.floor(remaining / 2)));
    shares.push(share);
    remaining -= share;
  }
  shares.unshift(remaining);
  return shares.map((ratio, i) => ({
    MEMBER_NAME: i === 0 ? firstMember : `${FAMILY_NAMES[prng.int(0, 15)]![0]} ${prng.pick(MALE_MIDDLE_NAMES)} ${prng.pick(MALE_GIVEN_NAMES)}`,
    AMOUNT: (capital / 100) * ratio,
    RATIO_PERCENT: ratio,
    COUNTRY: 'VN',
  }));
}

// ---------------------------------------------------------------------------------------------- helpers

export function fullName(name: HoVaTen): string {
  return [name.Ho, name.ChuDem, name.Ten].filter((part) => part !== '').join(' ');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function ddMMyyyy(d: { year: number; month: number; day: number }): string {
  return `${pad2(d.day)}/${pad2(d.month)}/${d.year}`;
}

function birthYear(citizen: CongDan): number {
  return Number(citizen.NgayThangNamSinh.NgayThangNam.slice(0, 4));
}

function dateKey(d: { year: number; month: number; day: number }): number {
  return d.year * 10_000 + d.month * 100 + d.day;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
