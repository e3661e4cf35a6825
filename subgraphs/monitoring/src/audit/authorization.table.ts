/**
 * Who may read which audit records, as data. A caller is one of the parties below; `scopeOf` turns the party and the
 * criteria it names into the slices of the log it reads (each slice one indexed query), or FORBIDDEN.
 *
 * | party | who | reads |
 * | --- | --- | --- |
 * | operator | role `lgsp-operator` | every record |
 * | agency administrator | role `agency-admin` with an agency | records where its agency acted (`agency`) or is the counterpart (`counterpartAgency`: the provider that owns the data, the recipient of a packet) |
 * | citizen | role `citizen` with a personal ID (VDXP) | through `myDataAccesses` only: the records whose subject is their own personal ID, or the enterprise code they represent (`citizenSlices`) |
 * | anyone else | systems, civil servants, an admin without agency | nothing: `FORBIDDEN` |
 *
 * `myDataAccesses` is the citizens' own (Law 91/2025's right to know): anyone else, the operator included, gets
 * `FORBIDDEN` (the operator searches with `personalDataAccesses`). `auditChainStatus` is the operator's only.
 *
 * An administrator naming another agency as `agency` or `counterpartAgency` is refused (`FORBIDDEN`) unless the
 * other criterion names its own agency (who of agency X read my data: `agency: X, counterpartAgency: own`).
 * `audit.test.ts` walks `matrix` over HTTP.
 */
import type { SubjectRef } from '@lgsp/audit';
import { ErrorCode, LgspError, Role } from '@lgsp/kit';
import type { Caller } from '../caller.ts';

export type AuditParty = 'operator' | 'agency-admin' | 'citizen' | 'other';

/** What each party reads with `personalDataAccesses` and `auditRecords` (a citizen reads through `myDataAccesses`). */
export const partyRules: Record<AuditParty, 'all' | 'own agency' | 'none'> = {
  operator: 'all',
  'agency-admin': 'own agency',
  citizen: 'none',
  other: 'none',
};

export function partyOf(caller: Caller): AuditParty {
  if (caller.operator) return 'operator';
  if (caller.agencyAdmin) return 'agency-admin';
  if (caller.principal.roles.includes(Role.citizen) && caller.principal.personalId !== undefined) return 'citizen';
  return 'other';
}

/** A slice of the log: extra criteria of one indexed query. */
export type Slice = { agency?: string; counterpartAgency?: string; subject?: string };

/**
 * A citizen's own subjects (their personal ID, and the enterprise code a business representative acts for), in clear:
 * the slices `myDataAccesses` reads once hashed. Anyone else: FORBIDDEN, the operator included.
 */
export function citizenSubjects(caller: Caller): SubjectRef[] {
  if (partyOf(caller) !== 'citizen')
    throw new LgspError(
      ErrorCode.FORBIDDEN,
      'Chỉ công dân, người đại diện doanh nghiệp đăng nhập qua VNeID/VDXP mới xem được lịch sử truy cập dữ liệu của chính mình (only a citizen signed in through VDXP reads who accessed their own data)',
    );
  const { personalId, enterpriseCode } = caller.principal;
  return [
    { kind: 'personal-id', value: personalId! },
    ...(enterpriseCode === undefined ? [] : [{ kind: 'enterprise-code' as const, value: enterpriseCode }]),
  ];
}

/** The chain's verification status is the operator's: FORBIDDEN for anyone else. */
export function requireOperator(caller: Caller): void {
  if (partyOf(caller) !== 'operator') throw new LgspError(ErrorCode.FORBIDDEN, 'only the platform operator reads the audit chain’s verification status');
}

/** The slices a caller reads given the agencies it names; throws FORBIDDEN. */
export function scopeOf(caller: Caller, named: { agency?: string | undefined; counterpartAgency?: string | undefined }): Slice[] {
  const rule = partyRules[partyOf(caller)];
  const given: Slice = {
    ...(named.agency === undefined ? {} : { agency: named.agency }),
    ...(named.counterpartAgency === undefined ? {} : { counterpartAgency: named.counterpartAgency }),
  };
  if (rule === 'all') return [given];
  if (rule === 'none') throw new LgspError(ErrorCode.FORBIDDEN, 'only the platform operator and agency administrators read the audit trail');
  const own = caller.agencyCode!;
  if (named.agency === undefined && named.counterpartAgency === undefined) return [{ agency: own }, { counterpartAgency: own }];
  if (named.agency === own || named.counterpartAgency === own) return [given];
  throw new LgspError(ErrorCode.FORBIDDEN, `an agency administrator reads only the records of its own agency (${own})`, {
    argument: named.agency !== undefined ? 'agency' : 'counterpartAgency',
  });
}

/** The expectations `audit.test.ts` walks: operation × caller → `ok` or the error code. */
export const matrix: Array<{ operation: string; outcomes: Record<string, 'ok' | 'FORBIDDEN'> }> = [
  {
    operation: 'personalDataAccesses',
    outcomes: {
      operator: 'ok',
      'provider admin': 'ok',
      'consumer admin': 'ok',
      'other agency admin': 'ok',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'FORBIDDEN',
      'business representative': 'FORBIDDEN',
    },
  },
  {
    operation: 'auditRecords',
    outcomes: {
      operator: 'ok',
      'provider admin': 'ok',
      'consumer admin': 'ok',
      'other agency admin': 'ok',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'FORBIDDEN',
      'business representative': 'FORBIDDEN',
    },
  },
  {
    operation: 'auditRecords(agency: consumer)',
    outcomes: {
      operator: 'ok',
      'provider admin': 'FORBIDDEN',
      'consumer admin': 'ok',
      'other agency admin': 'FORBIDDEN',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'FORBIDDEN',
      'business representative': 'FORBIDDEN',
    },
  },
  {
    operation: 'auditRecords(agency: consumer, counterpartAgency: provider)',
    outcomes: {
      operator: 'ok',
      'provider admin': 'ok',
      'consumer admin': 'ok',
      'other agency admin': 'FORBIDDEN',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'FORBIDDEN',
      'business representative': 'FORBIDDEN',
    },
  },
  {
    operation: 'myDataAccesses',
    outcomes: {
      operator: 'FORBIDDEN',
      'provider admin': 'FORBIDDEN',
      'consumer admin': 'FORBIDDEN',
      'other agency admin': 'FORBIDDEN',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'ok',
      'business representative': 'ok',
    },
  },
  {
    operation: 'auditChainStatus',
    outcomes: {
      operator: 'ok',
      'provider admin': 'FORBIDDEN',
      'consumer admin': 'FORBIDDEN',
      'other agency admin': 'FORBIDDEN',
      'agency system': 'FORBIDDEN',
      'civil servant': 'FORBIDDEN',
      citizen: 'FORBIDDEN',
      'business representative': 'FORBIDDEN',
    },
  },
];
