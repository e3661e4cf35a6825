/**
 * Keycloak's "Partial export" of the Admin REST API, `POST /admin/realms/{realm}/partial-export` with the query
 * parameters `exportClients` and `exportGroupsAndRoles` (Keycloak 26, RealmAdminResource#partialExport), as the
 * development issuer can: what `npm run backup` archives as the realm's configuration.
 *
 * Keycloak's rules, kept here: the caller needs view-realm; with groups and roles, listing groups (view-users,
 * manage-users or query-groups); with clients, view-clients. The answer is a RealmRepresentation with the realm's
 * settings, then (asked for) its roles and groups, its clients with their protocol mappers, and the clients'
 * service-account users with their role mappings when groups and roles are exported too. No other user is in it, and
 * every secret is masked as Keycloak's `stripForExport` does (`**********`), so the export carries no credential.
 */
import type { RealmExport, RealmUser } from './realm.ts';

/** Keycloak's mask for a secret in an export (ComponentRepresentation.SECRET_VALUE). */
export const SECRET_MASK = '**********';

/** Component settings that hold a secret (key providers, LDAP, identity brokers); masked as Keycloak masks them. */
const SECRET_SETTING = /^(privateKey|secret|clientSecret|bindCredential|password|keystorePassword|keyPassword)$/i;

const has = (held: Set<string>, roles: string[]): boolean => roles.some((role) => held.has(role));

const VIEW_REALM = ['view-realm', 'manage-realm', 'realm-admin'];
const LIST_GROUPS = ['view-users', 'manage-users', 'query-groups', 'realm-admin'];
const VIEW_CLIENTS = ['view-clients', 'manage-clients', 'realm-admin'];

/** Query parameters are booleans in Keycloak's sense: `true` (any case) is true, anything else false. */
const flag = (params: URLSearchParams, name: string): boolean => params.get(name)?.toLowerCase() === 'true';

function exportedUser(user: RealmUser, withRoles: boolean): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    enabled: user.enabled,
    emailVerified: user.emailVerified,
    ...(user.serviceAccountClientId !== undefined ? { serviceAccountClientId: user.serviceAccountClientId } : {}),
    attributes: structuredClone(user.attributes),
    ...(withRoles ? { realmRoles: [...user.realmRoles], clientRoles: structuredClone(user.clientRoles) } : {}),
    groups: withRoles ? [...user.groups] : [],
  };
}

/**
 * Answers the partial export, or Keycloak's error answer: `held` are the caller's realm-management roles (already
 * authenticated by the Admin REST API), `params` the request's query.
 */
export function partialExport(
  realm: RealmExport,
  held: Set<string>,
  method: string,
  params: URLSearchParams,
): { status: number; body?: unknown; headers?: Record<string, string> } {
  if (method !== 'POST') return { status: 405, body: { error: 'HTTP 405 Method Not Allowed' } };
  const forbidden = { status: 403, body: { error: 'HTTP 403 Forbidden' } };
  const groupsAndRoles = flag(params, 'exportGroupsAndRoles');
  const clients = flag(params, 'exportClients');
  if (!has(held, VIEW_REALM)) return forbidden;
  if (groupsAndRoles && !has(held, LIST_GROUPS)) return forbidden;
  if (clients && !has(held, VIEW_CLIENTS)) return forbidden;

  const { users, clients: realmClients, roles, groups, ...settings } = structuredClone(realm);
  for (const components of Object.values(settings.components)) {
    for (const component of components) {
      for (const name of Object.keys(component.config)) if (SECRET_SETTING.test(name)) component.config[name] = [SECRET_MASK];
    }
  }
  // Identity providers' secrets too (Keycloak's ExportUtils masks IdentityProviderRepresentation config secrets).
  for (const provider of settings.identityProviders) {
    for (const name of Object.keys(provider.config)) if (SECRET_SETTING.test(name)) provider.config[name] = SECRET_MASK;
  }
  const body: Record<string, unknown> = { ...settings };
  if (groupsAndRoles) {
    body.roles = roles;
    body.groups = groups;
  }
  if (clients) {
    body.clients = realmClients.map((client) => (client.secret === undefined ? client : { ...client, secret: SECRET_MASK }));
    // Keycloak exports the clients' service accounts with the clients (their role mappings only with groups and roles).
    body.users = users.filter((u) => u.serviceAccountClientId !== undefined).map((u) => exportedUser(u, groupsAndRoles));
  }
  return { status: 200, body };
}
