/**
 * Who is asking, as the registry's rules see it: the operator (đơn vị vận hành), an agency administrator (quản trị
 * viên của cơ quan, acting for its own agency only), an agency developer (lập trình viên của cơ quan: its own agency's
 * catalogue, access requests and credentials), a provider (its agency owns the service) or a consumer.
 */
import { Role, type Principal } from '@lgsp/kit';
import type { Actor } from './model.ts';

/** Realm role of agency administrators (`Role.agencyAdmin` once helper "keycloak" adds it to the kit). */
export const AGENCY_ADMIN_ROLE = 'agency-admin';

export interface Caller {
  /** For history and the change log: the username, or the system id, or `anonymous`. */
  name: string;
  agencyCode: string | null;
  operator: boolean;
  /** Holds `agency-admin` (acts for `agencyCode`). */
  agencyAdmin: boolean;
  /**
   * A person holding `agency-developer` (acts for `agencyCode` only): requests access and holds its systems' test and
   * production credentials; registers nothing, approves nothing, cancels nothing.
   */
  agencyDeveloper: boolean;
  /** A citizen or business representative signed in through VDXP (role `citizen`): no agency side at all. */
  citizen: boolean;
  /**
   * An agency system holding `data-provider` (may act as provider for `agencyCode`'s services). A person's
   * `data-provider` does not count: the realm gives it to every member of a provider agency's group, civil servants
   * included, so people act as provider through `agency-admin` only.
   */
  dataProvider: boolean;
  actor: Actor;
}

export function callerFrom(principal: Principal): Caller {
  const operator = principal.roles.includes(Role.operator);
  const agencyAdmin = principal.roles.includes(AGENCY_ADMIN_ROLE);
  // A system never acts as a developer, whatever roles its token carries: the role is a person's.
  const agencyDeveloper = principal.kind === 'user' && principal.roles.includes(Role.agencyDeveloper);
  const name = principal.username ?? principal.systemId ?? principal.userId ?? 'anonymous';
  const agencyCode = principal.agencyCode ?? null;
  const kind: Actor['kind'] = principal.kind === 'system' ? 'agency-system' : 'user';
  return {
    name,
    agencyCode,
    operator,
    agencyAdmin,
    agencyDeveloper,
    citizen: principal.roles.includes(Role.citizen),
    dataProvider: principal.kind === 'system' && principal.roles.includes(Role.dataProvider),
    actor: { kind, username: name, ...(agencyCode === null ? {} : { agencyCode }) },
  };
}

/** The operator acting through the internal API (the operator CLI), named by its `by`. */
export function operatorCaller(username: string): Caller {
  return {
    name: username,
    agencyCode: null,
    operator: true,
    agencyAdmin: false,
    agencyDeveloper: false,
    citizen: false,
    dataProvider: false,
    actor: { kind: 'operator', username },
  };
}

/** May act for the agency as its administrator (or is the operator). */
export function actsForAgency(caller: Caller, agencyCode: string): boolean {
  return caller.operator || (caller.agencyAdmin && caller.agencyCode === agencyCode);
}

/** May act as the provider of a service of this agency: its administrator or a `data-provider` system of it. */
export function isProviderOf(caller: Caller, providerAgency: string): boolean {
  return caller.agencyCode === providerAgency && (caller.agencyAdmin || caller.dataProvider);
}

/** May act as the consumer agency of a request: its administrator, or its developer (for the steps {@link DEVELOPER_CONSUMER_ACTIONS} name). */
export function isConsumerOf(caller: Caller, consumerAgency: string): boolean {
  return (caller.agencyAdmin || caller.agencyDeveloper) && caller.agencyCode === consumerAgency;
}

/**
 * The consumer's steps an agency developer may take (besides submitting and amending): resubmit after changes were
 * asked for, and report the integration done in the test environment. Cancelling the agency's request stays with its
 * administrator.
 */
export const DEVELOPER_CONSUMER_ACTIONS: readonly string[] = ['RESUBMIT', 'REPORT_INTEGRATED'];

/** Acts as the consumer agency only as its developer (not its administrator): limited to {@link DEVELOPER_CONSUMER_ACTIONS}. */
export function isDeveloperOnly(caller: Caller, agencyCode: string): boolean {
  return !caller.operator && !caller.agencyAdmin && caller.agencyDeveloper && caller.agencyCode === agencyCode;
}

/** May obtain and rotate the credentials of the agency's systems: the operator, its administrator or its developer. */
export function holdsCredentialsOf(caller: Caller, agencyCode: string): boolean {
  return actsForAgency(caller, agencyCode) || (caller.agencyDeveloper && !caller.citizen && caller.agencyCode === agencyCode);
}

/**
 * Reads the registry's agency side (systems, the service catalogue, access requests, notices of services): the operator
 * or a caller of an agency. A citizen (no agency) reads only the agencies' directory and the platform's notices.
 */
export function readsAgencySide(caller: Caller): boolean {
  return caller.operator || (caller.agencyCode !== null && !caller.citizen);
}
