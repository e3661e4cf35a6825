/**
 * Who is asking, as the monitoring's rules see it: the platform operator (sees everything), an agency administrator
 * (its own agency only), an agency's system (its own health reports), or anyone else.
 */
import { ErrorCode, LgspError, Role, type Principal } from '@lgsp/kit';

export interface Caller {
  /** For the audit record: the username, the system id, or `anonymous`. */
  name: string;
  agencyCode: string | null;
  /** Holds `lgsp-operator`. */
  operator: boolean;
  /** Holds `agency-admin` and belongs to an agency (acts for `agencyCode` only). */
  agencyAdmin: boolean;
  /** An agency information system (`systemId` from its token), when a system calls. */
  systemId: string | null;
  principal: Principal;
}

export function callerFrom(principal: Principal): Caller {
  const agencyCode = principal.agencyCode ?? null;
  return {
    name: principal.username ?? principal.systemId ?? principal.userId ?? 'anonymous',
    agencyCode,
    operator: principal.roles.includes(Role.operator),
    agencyAdmin: agencyCode !== null && principal.roles.includes(Role.agencyAdmin),
    systemId: principal.kind === 'system' ? (principal.systemId ?? null) : null,
    principal,
  };
}

/** Refuses anonymous callers (the gateway's `@authenticated` does it too; this keeps direct calls honest). */
export function signedIn(caller: Caller): Caller {
  if (caller.principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in to use monitoring');
  return caller;
}
