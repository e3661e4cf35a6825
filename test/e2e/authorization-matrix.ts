/**
 * The authorization matrix as data (specs as data, not as code): who calls, what they ask, what they see. One end-to-end test
 * walks every row through the real platform with real tokens from the development identity provider, for each kind
 * of client: HS256 client assertion (client-secret-jwt), RS256 client assertion (client-jwt), a civil
 * servant's authorization-code + PKCE login, and a citizen's sign-in through VDXP (the issuer brokered to the VDXP
 * simulator). The grants behind it are gateway/src/authorization/grants/development-grants.json; citizens hold none,
 * only the policy self-access (gateway/src/authorization/self-access.ts).
 */

/** Who calls: a development agency-system client, a civil servant, a citizen (VDXP account), or nobody. */
export const callers = {
  anonymous: { kind: 'anonymous' },
  police: { kind: 'client', clientId: 'congan-h41-dancu', auth: 'RS256 (client-jwt)', agency: '000.00.02.H41 Công an tỉnh' },
  finance: { kind: 'client', clientId: 'sotaichinh-h41-dkkd', auth: 'HS256 (client-secret-jwt)', agency: '000.00.03.H41 Sở Tài chính' },
  justice: { kind: 'client', clientId: 'sotuphap-h41-hotich', auth: 'RS256 (client-jwt)', agency: '000.00.04.H41 Sở Tư pháp' },
  commune: { kind: 'client', clientId: 'ubnd-truongvinh-motcua', auth: 'HS256 (client-secret-jwt)', agency: '000.00.20.H41 UBND phường Trường Vinh' },
  hospital: { kind: 'client', clientId: 'bvhndk-h41-his', auth: 'RS256 (client-jwt)', agency: '000.01.05.H41 Bệnh viện HNĐK' },
  office: { kind: 'client', clientId: 'vpubnd-h41-motcua', auth: 'HS256 (client-secret-jwt)', agency: '000.00.01.H41 Văn phòng UBND tỉnh' },
  communeClerk: { kind: 'user', username: 'hoa.vo', auth: 'authorization code + PKCE', agency: '000.00.20.H41 UBND phường Trường Vinh' },
  schoolClerk: { kind: 'user', username: 'thu.bui', auth: 'authorization code + PKCE', agency: '000.01.06.H41 THPT Huỳnh Thúc Kháng' },
  // VDXP simulator accounts (simulator/CONTRACT.md § VDXP): no agency.
  citizen: { kind: 'citizen', personalId: '040074988660', auth: 'VDXP sign-in, VNeID level 2', agency: 'none (Trần Quốc Hòa)' },
  citizenLevelOne: { kind: 'citizen', personalId: '017155513357', auth: 'VDXP sign-in, VNeID level 1', agency: 'none (Nguyễn Thị Hằng)' },
  representative: {
    kind: 'citizen',
    personalId: '011173898166',
    auth: 'VDXP sign-in, VNeID level 2',
    agency: 'none (Lê Tuyết Uyên, legal representative of 0491470798)',
  },
} as const;

export type CallerName = keyof typeof callers;

/** What they ask. `$id` is a citizen's personal ID, `$code` an enterprise code (chosen by the row's `subject`). */
export const operations = {
  catalog: '{ administrativeUnit(code: "40") { name } }',
  citizenBasic: 'query($id: String!) { citizen(personalId: $id) { fullName gender ethnicity { name } } }',
  citizenPersonal: 'query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth permanentAddress { ward { name } } household { number } } }',
  enterprise: 'query($code: String!) { enterprise(code: $code) { name legalRepresentative { fullName personalId } } }',
  /** Self-access (policy `self-access`): a citizen's own record, a business representative's enterprise. */
  myCitizenRecord: '{ myCitizenRecord { fullName dateOfBirth } }',
  myEnterprise: '{ myEnterprise { name } }',
} as const;

export type OperationName = keyof typeof operations;

export interface MatrixRow {
  caller: CallerName;
  operation: OperationName;
  /** X-LGSP-Purpose: `<category>:<reference>`; omitted = none declared. */
  purpose?: string;
  /** Which citizen: one living in Phường Trường Vinh (commune 16690, the commune agency's ward) or elsewhere. */
  subject?: 'citizenInWard' | 'citizenElsewhere' | 'enterprise';
  /** Dotted response paths that must hold a value. */
  visible: string[];
  /** Dotted response paths that must be null, each with an error of this code at that path. */
  denied: Array<[path: string, code: 'UNAUTHORIZED_FIELD_OR_TYPE' | 'PURPOSE_REQUIRED']>;
  /** Requests the gateway sends to the national-data subgraph for this operation. */
  nationalDataFetches: number;
}

const U = 'UNAUTHORIZED_FIELD_OR_TYPE' as const;
const personal = ['citizen.dateOfBirth', 'citizen.permanentAddress', 'citizen.household'];

export const matrix: MatrixRow[] = [
  // Deny unless granted: nobody anonymous reads anything, not even catalogs; nothing is fetched for them.
  { caller: 'anonymous', operation: 'catalog', visible: [], denied: [['administrativeUnit', U]], nationalDataFetches: 0 },
  { caller: 'anonymous', operation: 'citizenBasic', subject: 'citizenInWard', visible: [], denied: [['citizen', U]], nationalDataFetches: 0 },
  // Every authenticated caller reads catalogs.
  { caller: 'schoolClerk', operation: 'catalog', visible: ['administrativeUnit.name'], denied: [], nationalDataFetches: 0 },
  { caller: 'finance', operation: 'catalog', visible: ['administrativeUnit.name'], denied: [], nationalDataFetches: 0 },
  // The Police (provider of population data) read everything about citizens, for any purpose.
  {
    caller: 'police',
    operation: 'citizenPersonal',
    subject: 'citizenElsewhere',
    purpose: 'residence-management:CT-2026-1',
    visible: ['citizen.fullName', ...personal],
    denied: [],
    nationalDataFetches: 1,
  },
  // …but not an enterprise representative's personal ID: only Finance and Justice are granted that.
  {
    caller: 'police',
    operation: 'enterprise',
    subject: 'enterprise',
    visible: ['enterprise.name', 'enterprise.legalRepresentative.fullName'],
    denied: [['enterprise.legalRepresentative.personalId', U]],
    nationalDataFetches: 1,
  },
  {
    caller: 'finance',
    operation: 'enterprise',
    subject: 'enterprise',
    purpose: 'business-registration:DN-2026-42',
    visible: ['enterprise.legalRepresentative.personalId'],
    denied: [],
    nationalDataFetches: 1,
  },
  {
    caller: 'justice',
    operation: 'enterprise',
    subject: 'enterprise',
    purpose: 'judicial-record:LLTP-2026-9',
    visible: ['enterprise.legalRepresentative.personalId'],
    denied: [],
    nationalDataFetches: 1,
  },
  // The personal ID is personal data: even Finance must declare why it reads it; the rest still comes back.
  {
    caller: 'finance',
    operation: 'enterprise',
    subject: 'enterprise',
    visible: ['enterprise.name'],
    denied: [['enterprise.legalRepresentative.personalId', 'PURPOSE_REQUIRED']],
    nationalDataFetches: 1,
  },
  // Finance has no grant on citizens: the whole fetch is never sent.
  {
    caller: 'finance',
    operation: 'citizenBasic',
    subject: 'citizenInWard',
    purpose: 'public-service:HS-1',
    visible: [],
    denied: [['citizen', U]],
    nationalDataFetches: 0,
  },
  // Justice reads identity for civil status, not residence or household.
  {
    caller: 'justice',
    operation: 'citizenPersonal',
    subject: 'citizenInWard',
    purpose: 'civil-status:HT-2026-7',
    visible: ['citizen.fullName'],
    denied: personal.map((p) => [p, U] as [string, typeof U]),
    nationalDataFetches: 1,
  },
  // The commune reads residence data only for citizens who live in its ward (a row condition applied per record).
  {
    caller: 'commune',
    operation: 'citizenPersonal',
    subject: 'citizenInWard',
    purpose: 'public-service:000.00.20.H41-251103-0001',
    visible: ['citizen.fullName', ...personal],
    denied: [],
    nationalDataFetches: 1,
  },
  {
    caller: 'commune',
    operation: 'citizenPersonal',
    subject: 'citizenElsewhere',
    purpose: 'public-service:000.00.20.H41-251103-0002',
    visible: ['citizen.fullName'],
    denied: personal.map((p) => [p, U] as [string, typeof U]),
    nationalDataFetches: 1,
  },
  // Personal data needs a declared purpose, and one the grant names.
  { caller: 'hospital', operation: 'citizenBasic', subject: 'citizenInWard', visible: [], denied: [['citizen', 'PURPOSE_REQUIRED']], nationalDataFetches: 0 },
  {
    caller: 'hospital',
    operation: 'citizenBasic',
    subject: 'citizenInWard',
    purpose: 'healthcare:KCB-88',
    visible: ['citizen.fullName', 'citizen.ethnicity.name'],
    denied: [],
    nationalDataFetches: 1,
  },
  {
    caller: 'office',
    operation: 'citizenBasic',
    subject: 'citizenInWard',
    purpose: 'healthcare:KCB-88',
    visible: [],
    denied: [['citizen', U]],
    nationalDataFetches: 0,
  },
  // A civil servant signed in through the portal sees what their agency is granted.
  {
    caller: 'communeClerk',
    operation: 'citizenPersonal',
    subject: 'citizenInWard',
    purpose: 'public-service:000.00.20.H41-251103-0003',
    visible: ['citizen.fullName', ...personal],
    denied: [],
    nationalDataFetches: 1,
  },
  {
    caller: 'communeClerk',
    operation: 'citizenPersonal',
    subject: 'citizenElsewhere',
    purpose: 'public-service:000.00.20.H41-251103-0004',
    visible: ['citizen.fullName'],
    denied: personal.map((p) => [p, U] as [string, typeof U]),
    nationalDataFetches: 1,
  },
  {
    caller: 'schoolClerk',
    operation: 'citizenBasic',
    subject: 'citizenInWard',
    purpose: 'public-service:HS-2',
    visible: [],
    denied: [['citizen', U]],
    nationalDataFetches: 0,
  },
  // Self-access is the citizen role's alone: no agency system (not even the population data provider), no civil
  // servant reaches a citizen's own-record fields, whatever its grants; nothing is fetched for them.
  { caller: 'police', operation: 'myCitizenRecord', purpose: 'law-enforcement:VV-1', visible: [], denied: [['myCitizenRecord', U]], nationalDataFetches: 0 },
  { caller: 'communeClerk', operation: 'myCitizenRecord', visible: [], denied: [['myCitizenRecord', U]], nationalDataFetches: 0 },
  { caller: 'finance', operation: 'myEnterprise', purpose: 'business-registration:DN-1', visible: [], denied: [['myEnterprise', U]], nationalDataFetches: 0 },
  // A citizen reads their own record (every field of it, no purpose needed: recorded as self-access) …
  { caller: 'citizen', operation: 'myCitizenRecord', visible: ['myCitizenRecord.fullName', 'myCitizenRecord.dateOfBirth'], denied: [], nationalDataFetches: 1 },
  // … and nothing an agency's grant gives: not someone else's record, not an enterprise by code; nothing is fetched.
  { caller: 'citizen', operation: 'citizenBasic', subject: 'citizenElsewhere', visible: [], denied: [['citizen', U]], nationalDataFetches: 0 },
  { caller: 'citizen', operation: 'enterprise', subject: 'enterprise', visible: [], denied: [['enterprise', U]], nationalDataFetches: 0 },
  // The shared catalogs are public reference data: every signed-in person reads them.
  { caller: 'citizen', operation: 'catalog', visible: ['administrativeUnit.name'], denied: [], nationalDataFetches: 0 },
  // A level-1 VNeID account (identity not checked in person) does not read even its own record.
  { caller: 'citizenLevelOne', operation: 'myCitizenRecord', visible: [], denied: [['myCitizenRecord', U]], nationalDataFetches: 0 },
  // A business representative reads the enterprise the register says they represent.
  { caller: 'representative', operation: 'myEnterprise', visible: ['myEnterprise.name'], denied: [], nationalDataFetches: 1 },
];
