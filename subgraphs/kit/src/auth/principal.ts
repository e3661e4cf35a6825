/**
 * The one type for every caller. Issue "identity and field-level authorization" fills it from Keycloak tokens;
 * until then every caller is anonymous. It travels to subgraphs inside the gateway's internal token.
 */
export interface Principal {
  /** `anonymous`, an agency `system` (client credentials) or a civil servant `user`. */
  kind: 'anonymous' | 'system' | 'user';
  /** Agency identifier code (mã định danh cơ quan, QCVN 102:2016), when known. */
  agencyCode?: string;
  /** Information system id (client id) for system callers. */
  systemId?: string;
  /** User id (subject) for civil servants. */
  userId?: string;
  roles: string[];
  scopes: string[];
  /** Purpose of use the request declares (header X-LGSP-Purpose), e.g. a dossier number. */
  purpose?: string;
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', roles: [], scopes: [] }) as Principal;

/** A stable key for caching per principal (e.g. the internal token). */
export function principalKey(p: Principal): string {
  return JSON.stringify([p.kind, p.agencyCode, p.systemId, p.userId, p.roles, p.scopes, p.purpose]);
}
