/**
 * The one type for every caller. Issue "identity and field-level authorization" fills it from Keycloak tokens;
 * until then every caller is anonymous. It travels to subgraphs inside the gateway's internal token.
 */
export interface Principal {
  /**
   * `anonymous`, an agency `system` (client credentials) or a person: a civil servant `user`, or a citizen / business
   * representative `user` holding the `citizen` role (signed in through VDXP, with `personalId`).
   */
  kind: 'anonymous' | 'system' | 'user';
  /** Agency identifier code (mã định danh cơ quan, QCVN 102:2016), when known. */
  agencyCode?: string;
  /** Information system id (client id) for system callers. */
  systemId?: string;
  /** User id (subject) for civil servants. */
  userId?: string;
  /** The OAuth client the token was issued to (`azp`): the system's own client, or `lgsp-portal` for users. */
  clientId?: string;
  /**
   * A citizen's personal identification number (số định danh cá nhân, the CCCD number), from the `personal_id` claim
   * that VDXP vouches for: the only subject a self-access read may name. Never written to logs or audit in clear.
   */
  personalId?: string;
  /** A business representative's enterprise code (mã số doanh nghiệp), claim `enterprise_code`. */
  enterpriseCode?: string;
  /** The e-identification assurance level VDXP asserted (claim `acr`, e.g. `2`): mức độ định danh điện tử. */
  assuranceLevel?: string;
  /** `preferred_username` (a civil servant's login, or `service-account-<client>` for systems), for audit. */
  username?: string;
  /** The access token's `jti`, for audit (never the token itself). */
  tokenId?: string;
  roles: string[];
  scopes: string[];
  /**
   * The environment the caller's credential belongs to: `test` credentials (claim `lgsp_environment: "test"`) read
   * test data only (the simulator's test dataset, the relay's test namespace); absent means `production`.
   */
  environment?: Environment;
  /** Purpose of use the request declares (header X-LGSP-Purpose), e.g. a dossier number. */
  purpose?: string;
  /**
   * Set by the gateway's authorization: policy name → the row conditions of the grants that give it, any one of
   * which admits a record (e.g. `{ residentOfWard: "16690" }`). A policy absent here is unconditional. Subgraphs
   * enforce these per record (they cannot be decided before query planning).
   */
  rowConditions?: Record<string, RowCondition[]>;
}

/** A condition a grant puts on the records it covers, checked by the subgraph that owns them. */
export interface RowCondition {
  /** The record's subject lives (permanent or current residence) in this commune/ward (GSO code, two-tier list). */
  residentOfWard?: string;
}

/** Where a credential may read: WSO2's sandbox/production keys. */
export type Environment = 'production' | 'test';
export const ENVIRONMENTS: readonly Environment[] = ['production', 'test'];

/** The principal's environment (absent = production). */
export function environmentOf(p: Principal): Environment {
  return p.environment ?? 'production';
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', roles: [], scopes: [] }) as Principal;

/** A stable key for caching per principal (e.g. the internal token). */
export function principalKey(p: Principal): string {
  // Every field: the internal token carries the whole principal, so two principals share a token only when equal.
  return JSON.stringify([
    p.kind,
    p.agencyCode,
    p.systemId,
    p.userId,
    p.clientId,
    p.username,
    p.tokenId,
    p.roles,
    p.scopes,
    p.environment,
    p.personalId,
    p.enterpriseCode,
    p.assuranceLevel,
    p.purpose,
    p.rowConditions,
  ]);
}
