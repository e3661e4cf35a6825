/**
 * Self-access (Law 91/2025/QH15: the data subject's right to know and to access their own data), enforced per record.
 * The gateway grants the policy `self-access` to a citizen signed in through VDXP (role `citizen`, a verified
 * `personalId`, perhaps an `enterpriseCode`, in the principal it signs) and no agency field set; its row condition
 * is implicit, "the record is the caller's own", and checked here, BEFORE a record is looked up, so that no one
 * else's record is fetched from the national platform, served, or named in the `served` audit record:
 *
 * - a citizen record: only the one whose personal ID is the caller's;
 * - an enterprise: only the caller's `enterpriseCode`, and only when the business register names the caller (by
 *   personal ID) among its legal representatives. VDXP's claim says which enterprise the account was linked to; the
 *   register is the authority on who represents it, so both must agree. A register entry that gives no
 *   representative's personal ID cannot confirm it: refused (deny unless shown).
 *
 * Anything else is `FORBIDDEN` with a message that says so, Vietnamese first, and never quotes an identifier.
 */
import { ErrorCode, hasRole, LgspError, Role, type Principal } from '@lgsp/kit';
import type { Enterprise } from './domain/enterprise.ts';

/** The caller's own identifiers when it reads under self-access (role `citizen`); undefined for anyone else. */
export interface SelfAccess {
  personalId: string;
  enterpriseCode: string | undefined;
}

export function selfAccessOf(principal: Principal): SelfAccess | undefined {
  if (principal.kind !== 'user' || !hasRole(principal, Role.citizen)) return undefined;
  // The gateway refuses a citizen token without a personal ID; an empty one here admits nothing.
  return { personalId: principal.personalId ?? '', enterpriseCode: principal.enterpriseCode };
}

/** The refusal of a record that is not the caller's own. */
export function notOwnRecord(what: 'citizen' | 'enterprise'): LgspError {
  return new LgspError(
    ErrorCode.FORBIDDEN,
    what === 'citizen'
      ? 'Công dân chỉ được xem hồ sơ của chính mình; đây là hồ sơ của người khác. A citizen may read only their own record (myCitizenRecord).'
      : 'Chỉ người đại diện theo pháp luật được xem doanh nghiệp mình đại diện. Only the legal representative may read their own enterprise (myEnterprise).',
    { reason: what === 'citizen' ? 'NOT_OWN_RECORD' : 'NOT_OWN_ENTERPRISE' },
  );
}

/** Throws FORBIDDEN unless a self-access caller asks for their own citizen record (anyone else: no check here). */
export function assertOwnCitizen(principal: Principal, personalId: string): void {
  const self = selfAccessOf(principal);
  if (self !== undefined && (self.personalId === '' || self.personalId !== personalId)) throw notOwnRecord('citizen');
}

/** Throws FORBIDDEN unless a self-access caller asks for the enterprise of their token (checked before the lookup). */
export function assertOwnEnterpriseCode(principal: Principal, code: string): void {
  const self = selfAccessOf(principal);
  if (self !== undefined && (self.enterpriseCode === undefined || self.enterpriseCode !== code)) throw notOwnRecord('enterprise');
}

/**
 * Throws FORBIDDEN unless the register names a self-access caller among the enterprise's legal representatives
 * (checked on the record looked up, before it is handed to GraphQL or noted as served).
 */
export function assertRepresentative(principal: Principal, enterprise: Enterprise): void {
  const self = selfAccessOf(principal);
  if (self === undefined) return;
  if (self.personalId === '' || !enterprise.legalRepresentatives.some((r) => r.personalId === self.personalId)) {
    throw new LgspError(
      ErrorCode.FORBIDDEN,
      'Sổ đăng ký doanh nghiệp không ghi nhận bạn là người đại diện theo pháp luật của doanh nghiệp này. ' +
        'The business register does not name you as the legal representative of this enterprise.',
      { reason: 'NOT_LEGAL_REPRESENTATIVE' },
    );
  }
}
