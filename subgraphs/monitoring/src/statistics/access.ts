/**
 * Who may read statistics, reconciliations and reports (issue 17 §3–4): the platform operator every agency and the
 * province as a whole; an agency's administrator (quản trị viên của cơ quan) its own agency only — for a
 * reconciliation, one where its agency is the provider or the consumer. Everyone else: `FORBIDDEN`.
 * authorization.table.ts states it as data; the tests walk that table.
 */
import { ErrorCode, LgspError, Role, type Principal } from '@lgsp/kit';

/** What a call reads: one agency's figures, a pair's reconciliation, or the whole province (`null`). */
export type ReadScope = { agency: string } | { pair: { provider: string; consumer: string } } | null;

/** Whether `principal` may read `scope`. */
export function mayRead(principal: Principal, scope: ReadScope): boolean {
  if (principal.roles.includes(Role.operator)) return true;
  if (!principal.roles.includes(Role.agencyAdmin) || principal.agencyCode === undefined) return false;
  if (scope === null) return false;
  if ('agency' in scope) return scope.agency === principal.agencyCode;
  return scope.pair.provider === principal.agencyCode || scope.pair.consumer === principal.agencyCode;
}

/** Throws `FORBIDDEN` naming the scope unless `principal` may read it. */
export function requireRead(principal: Principal, scope: ReadScope): void {
  if (mayRead(principal, scope)) return;
  const what =
    scope === null
      ? 'province-wide figures (lgsp-operator only)'
      : 'agency' in scope
        ? `the figures of agency ${scope.agency}`
        : `the reconciliation of ${scope.pair.provider} and ${scope.pair.consumer}`;
  throw new LgspError(ErrorCode.FORBIDDEN, `Not allowed to read ${what}: the operator reads every agency, an agency administrator its own agency only`);
}

/** The agency a caller's reads default to: none for the operator (province-wide), its own for anyone else. */
export function defaultAgency(principal: Principal): string | null {
  return principal.roles.includes(Role.operator) ? null : (principal.agencyCode ?? null);
}
