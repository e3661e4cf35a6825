/**
 * Who is calling, from a verified Keycloak access token: an agency system (client credentials, the token of its
 * service-account user) or a civil servant (authorization code via the portal). The principal travels to the
 * subgraphs inside the gateway's internal token (federation/subgraph-data-source.ts).
 */
import { ANONYMOUS, ErrorCode, LgspError, type Principal } from '@lgsp/kit';
import type { JWTPayload } from 'jose';

/** Keycloak names the service-account user of client `x` `service-account-x`. */
const SERVICE_ACCOUNT_PREFIX = 'service-account-';

/** The header a request declares its purpose of use in (e.g. a dossier number: số hồ sơ). */
export const PURPOSE_HEADER = 'x-lgsp-purpose';
export const MAX_PURPOSE_LENGTH = 200;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function roleList(value: unknown): string[] {
  const roles = (value as { roles?: unknown } | undefined)?.roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/**
 * The principal of a verified access token. Roles are the realm roles plus the roles of the gateway's own client
 * (`resource_access[audience]`); scopes are the `scope` claim split on spaces.
 */
export function principalFromClaims(claims: JWTPayload, audience: string): Principal {
  const username = text(claims.preferred_username);
  const clientId = text(claims.azp) ?? text(claims.client_id);
  const system = username?.startsWith(SERVICE_ACCOUNT_PREFIX) === true;
  const resourceAccess = claims.resource_access as Record<string, unknown> | undefined;
  const roles = [...new Set([...roleList(claims.realm_access), ...roleList(resourceAccess?.[audience])])];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((s) => s !== '') : [];
  const principal: Principal = { kind: system ? 'system' : 'user', roles, scopes };
  const agencyCode = text(claims.agency_code);
  if (agencyCode !== undefined) principal.agencyCode = agencyCode;
  // A system is identified by its system_id mapper, or else by its client id; a user carries the system_id of
  // the application they act through (the portal), which audit records keep.
  const systemId = text(claims.system_id) ?? (system ? clientId : undefined);
  if (systemId !== undefined) principal.systemId = systemId;
  if (!system) principal.userId = claims.sub!;
  if (clientId !== undefined) principal.clientId = clientId;
  if (username !== undefined) principal.username = username;
  const tokenId = text(claims.jti);
  if (tokenId !== undefined) principal.tokenId = tokenId;
  return principal;
}

/**
 * The declared purpose of use, validated: at most one header, 1–200 printable ASCII characters (a dossier number,
 * a procedure code). Throws BAD_USER_INPUT-style LgspError with a precise message; undefined when absent.
 */
export function purposeFrom(values: string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'Send X-LGSP-Purpose once (several headers were sent)');
  const value = values[0]!.trim();
  if (value === '') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'X-LGSP-Purpose is empty; declare the purpose of use, e.g. a dossier number');
  if (value.length > MAX_PURPOSE_LENGTH) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `X-LGSP-Purpose is ${value.length} characters long; at most ${MAX_PURPOSE_LENGTH} are allowed`);
  }
  const bad = /[^\x20-\x7e]/.exec(value);
  if (bad !== null) {
    throw new LgspError(
      ErrorCode.BAD_USER_INPUT,
      `X-LGSP-Purpose must be printable ASCII (character ${bad.index + 1} is not); use a dossier number or procedure code`,
    );
  }
  return value;
}

/** The principal the authentication middleware stored for this request (anonymous when it stored none). */
export function principalOf(locals: Record<string, unknown>): Principal {
  return (locals.principal as Principal | undefined) ?? ANONYMOUS;
}
