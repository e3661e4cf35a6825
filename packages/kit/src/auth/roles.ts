/**
 * The roles of the platform, defined only here, each with what it grants. Keycloak issues them
 * (keycloak/realm-export.json): the realm roles, and the client roles of the gateway's own client (`lgsp-gateway`,
 * the gateway's AUTH_AUDIENCE), which the gateway adds to a principal's roles (gateway/src/auth/principal.ts).
 * keycloak/src/roles.test.ts keeps the realm export and this list equal, descriptions included.
 */
import type { Principal } from './principal.ts';

export const Role = {
  /** A person who logs in through the portal. */
  civilServant: 'civil-servant',
  /** An agency information system calling with its service account. */
  agencySystem: 'agency-system',
  /** The platform operator: reads every packet and every agency's presence, follows any agency's events. */
  operator: 'lgsp-operator',
  /**
   * An agency's administrator (quản trị viên của cơ quan, BG/BV:6.1): acts in the registry for its own agency only
   * (the `agencyCode` of its principal); account `<agency code>@<province domain>`, e.g. `000.00.20.h41@nghean.gov.vn`.
   */
  agencyAdmin: 'agency-admin',
  /**
   * An agency's developer (lập trình viên của cơ quan): connects its agency's systems — reads the service catalogue,
   * requests access for its agency, holds its systems' test and production credentials. Acts for its own agency only.
   */
  agencyDeveloper: 'agency-developer',
  /**
   * A citizen or a business representative (công dân, người đại diện doanh nghiệp) signed in through VDXP, the national
   * e-identification platform, brokered into the realm: reads only their own records (self-access) and who read them.
   */
  citizen: 'citizen',
  /** May call the gateway; what it reads is decided by grants. */
  dataConsumer: 'data-consumer',
  /** Provides services and grants access to them. */
  dataProvider: 'data-provider',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface RoleDefinition {
  /** Where Keycloak defines it: a realm role, or a client role of the gateway's client. */
  keycloak: 'realm' | 'gateway-client';
  /** The description the realm export carries (Vietnamese name: what it is). */
  description: string;
}

export const roleDefinitions: Readonly<Record<Role, RoleDefinition>> = {
  [Role.civilServant]: { keycloak: 'realm', description: 'Cán bộ, công chức, viên chức: a person who logs in through the portal.' },
  [Role.agencySystem]: { keycloak: 'realm', description: 'Hệ thống thông tin của cơ quan: an agency information system calling with its service account.' },
  [Role.operator]: { keycloak: 'realm', description: 'Đơn vị vận hành nền tảng: the platform operator (registry, monitoring).' },
  [Role.agencyAdmin]: {
    keycloak: 'realm',
    description:
      'Quản trị viên của cơ quan: administers its own agency only (its systems, services and access requests); account <agency code>@<province domain>.',
  },
  [Role.agencyDeveloper]: {
    keycloak: 'realm',
    description: "Lập trình viên của cơ quan: connects its own agency's systems (catalogue, access requests, test and production credentials).",
  },
  [Role.citizen]: {
    keycloak: 'realm',
    description: 'Công dân, người đại diện doanh nghiệp: signed in through VDXP (national e-ID); reads only their own records and who read them.',
  },
  [Role.dataConsumer]: { keycloak: 'gateway-client', description: 'Cơ quan khai thác dữ liệu: may call the gateway; what it reads is decided by grants.' },
  [Role.dataProvider]: { keycloak: 'gateway-client', description: 'Cơ quan cung cấp dữ liệu: provides services and grants access to them.' },
};

/** Whether the principal holds the role. */
export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}
