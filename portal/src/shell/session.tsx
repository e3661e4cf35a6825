/**
 * The signed-in person, as the pages see them: who, which agency, which roles (from the access token's claims — for
 * showing the right screens only; the gateway decides what they may do). `useSession()` inside the shell.
 */
import { createContext, useContext } from 'react';

export const Roles = {
  operator: 'lgsp-operator',
  agencyAdmin: 'agency-admin',
  agencyDeveloper: 'agency-developer',
  civilServant: 'civil-servant',
  citizen: 'citizen',
  dataProvider: 'data-provider',
} as const;
export type PortalRole = (typeof Roles)[keyof typeof Roles];

export interface SessionUser {
  /** The token's `sub`. */
  subject: string;
  username: string;
  /** Display name. */
  name: string;
  /** Agency code (mã định danh cơ quan) of a civil servant, administrator or developer. */
  agencyCode?: string;
  roles: string[];
  /** A citizen's personal ID (số định danh cá nhân), from VDXP. */
  personalId?: string;
  /** A business representative's enterprise code (mã số doanh nghiệp). */
  enterpriseCode?: string;
  /** The e-ID assurance level (mức độ định danh). */
  assuranceLevel?: string;
}

export interface Session {
  user: SessionUser;
  accessToken: string;
  /** When the access token expires (ms since epoch). */
  expiresAt: number;
  hasRole(role: PortalRole): boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside the signed-in shell');
  return session;
}

/** The claims of a JWT's payload, unverified (the gateway verifies; the portal only shows). */
export function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = decodeURIComponent(
    Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
  );
  return JSON.parse(json) as Record<string, unknown>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function sessionUserFrom(accessToken: string): SessionUser {
  const claims = claimsOf(accessToken);
  const realm = (claims.realm_access as { roles?: unknown } | undefined)?.roles;
  const gateway = ((claims.resource_access as Record<string, { roles?: unknown }> | undefined)?.['lgsp-gateway'] ?? {}).roles;
  const roles = [...(Array.isArray(realm) ? realm : []), ...(Array.isArray(gateway) ? gateway : [])].filter((r): r is string => typeof r === 'string');
  const username = text(claims.preferred_username) ?? text(claims.sub) ?? '';
  // Keycloak's `name` is "first last", which reverses a Vietnamese name VDXP gives as family and given names
  // (Trần + Quốc Hòa → "Quốc Hòa Trần"): a citizen's is said family name first, as on their ID card.
  const family = text(claims.family_name);
  const given = text(claims.given_name);
  const vietnameseOrder = roles.includes('citizen') && family !== undefined && given !== undefined ? `${family} ${given}` : undefined;
  const user: SessionUser = { subject: text(claims.sub) ?? '', username, name: vietnameseOrder ?? text(claims.name) ?? username, roles };
  const agencyCode = text(claims.agency_code);
  if (agencyCode !== undefined) user.agencyCode = agencyCode;
  const personalId = text(claims.personal_id);
  if (personalId !== undefined) user.personalId = personalId;
  const enterpriseCode = text(claims.enterprise_code);
  if (enterpriseCode !== undefined) user.enterpriseCode = enterpriseCode;
  const acr = text(claims.acr);
  if (acr !== undefined) user.assuranceLevel = acr;
  return user;
}
