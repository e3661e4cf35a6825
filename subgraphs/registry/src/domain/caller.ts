/**
 * Who is asking, as the registry's rules see it: the operator (đơn vị vận hành), an agency administrator (quản trị
 * viên của cơ quan, acting for its own agency only), a provider (its agency owns the service) or a consumer.
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
  const name = principal.username ?? principal.systemId ?? principal.userId ?? 'anonymous';
  const agencyCode = principal.agencyCode ?? null;
  const kind: Actor['kind'] = principal.kind === 'system' ? 'agency-system' : 'user';
  return {
    name,
    agencyCode,
    operator,
    agencyAdmin,
    dataProvider: principal.kind === 'system' && principal.roles.includes(Role.dataProvider),
    actor: { kind, username: name, ...(agencyCode === null ? {} : { agencyCode }) },
  };
}

/** The operator acting through the internal API (the operator CLI), named by its `by`. */
export function operatorCaller(username: string): Caller {
  return { name: username, agencyCode: null, operator: true, agencyAdmin: false, dataProvider: false, actor: { kind: 'operator', username } };
}

/** May act for the agency as its administrator (or is the operator). */
export function actsForAgency(caller: Caller, agencyCode: string): boolean {
  return caller.operator || (caller.agencyAdmin && caller.agencyCode === agencyCode);
}

/** May act as the provider of a service of this agency: its administrator or a `data-provider` system of it. */
export function isProviderOf(caller: Caller, providerAgency: string): boolean {
  return caller.agencyCode === providerAgency && (caller.agencyAdmin || caller.dataProvider);
}

/** May act as the consumer agency of a request: its administrator. */
export function isConsumerOf(caller: Caller, consumerAgency: string): boolean {
  return caller.agencyAdmin && caller.agencyCode === consumerAgency;
}
