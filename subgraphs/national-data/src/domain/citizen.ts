/** A citizen as the population database (CSDL quốc gia về dân cư) describes them; plain data, no GraphQL. */

export type Gender = 'MALE' | 'FEMALE';

export type HouseholdRelation = 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'GRANDCHILD' | 'SIBLING' | 'OTHER';

export interface Address {
  /** House number, street or hamlet. */
  street: string | null;
  /** GSO commune code (two-tier list). */
  wardCode: string;
  wardName: string;
  /** GSO province code. */
  provinceCode: string;
  provinceName: string;
  fullText: string | null;
}

export interface HouseholdMember {
  personalId: string;
  fullName: string;
  relation: HouseholdRelation;
  /** The relation as recorded, in Vietnamese ("Vợ", "Con", …). */
  relationLabel: string;
}

export interface Household {
  number: string;
  headPersonalId: string;
  members: HouseholdMember[];
}

export interface Citizen {
  personalId: string;
  familyName: string;
  middleName: string | null;
  givenName: string;
  fullName: string;
  /** ISO 8601 date (yyyy-mm-dd). */
  dateOfBirth: string;
  gender: Gender;
  ethnicCode: string;
  religionCode: string | null;
  nationalityCode: string;
  permanentAddress: Address;
  currentAddress: Address;
  household: Household | null;
}

const RELATIONS: Record<string, HouseholdRelation> = {
  'chủ hộ': 'HEAD',
  vợ: 'SPOUSE',
  chồng: 'SPOUSE',
  con: 'CHILD',
  'con đẻ': 'CHILD',
  'con nuôi': 'CHILD',
  cha: 'PARENT',
  mẹ: 'PARENT',
  bố: 'PARENT',
  cháu: 'GRANDCHILD',
  'cháu nội': 'GRANDCHILD',
  'cháu ngoại': 'GRANDCHILD',
  anh: 'SIBLING',
  chị: 'SIBLING',
  em: 'SIBLING',
};

/** Maps a recorded relation to the head of household ("Vợ", "Con", …) to its kind; unknown labels are OTHER. */
export function householdRelation(label: string): HouseholdRelation {
  return RELATIONS[label.trim().normalize('NFC').toLowerCase()] ?? 'OTHER';
}

/** "Trần", "Quốc", "Hòa" → "Trần Quốc Hòa" (an empty middle name is skipped). */
export function joinName(family: string, middle: string | null, given: string): string {
  return [family, middle ?? '', given].filter((part) => part.trim() !== '').join(' ');
}

/** yyyyMMdd (or yyyy) as recorded → ISO 8601 (yyyy-mm-dd, or yyyy when only the year is known). */
export function isoDate(recorded: string): string {
  const value = recorded.trim();
  if (/^\d{8}$/.test(value)) return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  if (/^\d{4}$/.test(value)) return value;
  if (/^\d{2}\/\d{2}\/\d{4}$/.test(value)) return `${value.slice(6, 10)}-${value.slice(3, 5)}-${value.slice(0, 2)}`;
  throw new Error(`unrecognised date "${value}"`);
}
