/**
 * The self-access policy (Law 91/2025/QH15's right of the data subject to know and to access their own data): a
 * citizen or business representative signed in through VDXP reads their own record, and nothing else.
 *
 * How it fits the grant model. Grants are per agency and a citizen has none, so `self-access` is the one policy no
 * grant gives: the policy decider grants it to the `citizen` role (a principal with a verified `personalId`, from the
 * token, auth/principal.ts) and to nobody else. Schemas put it where a citizen may read:
 *
 * - on the self-access entry points (national-data's `Query.myCitizenRecord`, `Query.myEnterprise`) alone, so no
 *   agency, civil servant or system reaches them;
 * - as an OR alternative of the agency field sets on the types and fields reachable through them
 *   (`@policy(policies: [["national-data.citizen.basic"], ["self-access"]])` on Citizen), so an agency's grants
 *   decide exactly as before;
 * - never on the lookups that name a subject (`citizen(personalId)`, `citizens`, `enterprise(code)`): those carry
 *   the agency field set on the root field too, so a citizen naming anyone (themselves included) is refused by the
 *   gateway before planning, with `UNAUTHORIZED_FIELD_OR_TYPE`.
 *
 * Its row condition is implicit: the record is the caller's own. The subgraph that owns the records enforces it per
 * record from the signed principal (national-data: a citizen's record by `personalId`, an enterprise by
 * `enterpriseCode` and its register's legal representative), and refuses anything else with `FORBIDDEN` before it
 * looks the record up. Purpose: a citizen's read is for `self-access` unless the citizen declares another one.
 */
import { hasRole, Role, type Principal } from '@lgsp/kit';

/**
 * The policy name (a `@policy` of subgraph schemas). It is not `<service>.<name>` on purpose: no grant can hold it
 * (@lgsp/access refuses such a field set), and the decider would ignore one that did.
 */
export const SELF_ACCESS_POLICY = 'self-access';

/** The purpose a citizen's request is recorded with when it declares none (X-LGSP-Purpose). */
export const SELF_ACCESS_PURPOSE = 'self-access';

/** Whether the principal reads under self-access: role `citizen` with a verified personal ID. */
export function isSelfAccessCaller(principal: Principal): boolean {
  return principal.kind === 'user' && hasRole(principal, Role.citizen) && principal.personalId !== undefined;
}

/** The principal with the self-access purpose when it is a citizen who declared none; otherwise as it is. */
export function withSelfAccessPurpose(principal: Principal): Principal {
  if (!isSelfAccessCaller(principal) || (principal.purpose !== undefined && principal.purpose.trim() !== '')) return principal;
  return { ...principal, purpose: SELF_ACCESS_PURPOSE };
}

/** What a citizen reads when the gateway refuses them a field: where their own record is. */
export const SELF_ACCESS_DENIAL_MESSAGE =
  'Công dân chỉ được xem dữ liệu của chính mình: dùng myCitizenRecord (hồ sơ công dân) hoặc myEnterprise (doanh nghiệp mình đại diện). ' +
  'A citizen may read only their own record: use myCitizenRecord or myEnterprise.';
