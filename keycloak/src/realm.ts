/**
 * The realm export (`keycloak/realm-export.json`) read as data: the subset of Keycloak's RealmRepresentation that
 * the development issuer honours, validated with zod, plus the Keycloak semantics the issuer needs — effective
 * roles through groups and composites, the password policy, and the user profile.
 *
 * The same file is imported by a real Keycloak 26 (`kc.sh start-dev --import-realm`), so nothing here may require
 * a field Keycloak would not accept.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());
const multiMap = z.record(z.string(), z.array(z.string()));

export const protocolMapperSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  protocol: z.string().default('openid-connect'),
  protocolMapper: z.string(),
  config: stringMap.default({}),
});
export type ProtocolMapper = z.infer<typeof protocolMapperSchema>;

export const clientSchema = z.object({
  id: z.string().optional(),
  clientId: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  protocol: z.string().default('openid-connect'),
  publicClient: z.boolean().default(false),
  bearerOnly: z.boolean().default(false),
  standardFlowEnabled: z.boolean().default(true),
  implicitFlowEnabled: z.boolean().default(false),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  fullScopeAllowed: z.boolean().default(true),
  clientAuthenticatorType: z.enum(['client-secret', 'client-secret-jwt', 'client-jwt', 'client-x509']).default('client-secret'),
  secret: z.string().optional(),
  rootUrl: z.string().optional(),
  /** Keycloak's "Home URL", relative to rootUrl (or absolute). */
  baseUrl: z.string().optional(),
  adminUrl: z.string().optional(),
  /** Keycloak's "Front channel logout": on logout, the issuer opens the client's `frontchannel.logout.url` in an iframe. */
  frontchannelLogout: z.boolean().default(false),
  redirectUris: z.array(z.string()).default([]),
  webOrigins: z.array(z.string()).default([]),
  attributes: stringMap.default({}),
  protocolMappers: z.array(protocolMapperSchema).default([]),
  defaultClientScopes: z.array(z.string()).default([]),
  optionalClientScopes: z.array(z.string()).default([]),
});
export type RealmClient = z.infer<typeof clientSchema>;

export const userSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  enabled: z.boolean().default(true),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  attributes: multiMap.default({}),
  credentials: z.array(z.object({ type: z.string(), value: z.string().optional(), temporary: z.boolean().default(false) })).default([]),
  realmRoles: z.array(z.string()).default([]),
  clientRoles: multiMap.default({}),
  groups: z.array(z.string()).default([]),
  serviceAccountClientId: z.string().optional(),
  /** Links to identity providers' accounts (Keycloak's FederatedIdentityRepresentation), set by brokered logins. */
  federatedIdentities: z.array(z.object({ identityProvider: z.string(), userId: z.string(), userName: z.string() })).optional(),
  /** Epoch milliseconds (Keycloak's createdTimestamp), set for users created at runtime. */
  createdTimestamp: z.number().int().optional(),
});
export type RealmUser = z.infer<typeof userSchema>;

export interface RealmGroup {
  name: string;
  path?: string | undefined;
  attributes: Record<string, string[]>;
  realmRoles: string[];
  clientRoles: Record<string, string[]>;
  subGroups: RealmGroup[];
}
const groupSchema: z.ZodType<RealmGroup> = z.lazy(() =>
  z.object({
    name: z.string().min(1),
    path: z.string().optional(),
    attributes: multiMap.default({}),
    realmRoles: z.array(z.string()).default([]),
    clientRoles: multiMap.default({}),
    subGroups: z.array(groupSchema).default([]),
  }),
);

const roleSchema = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  composite: z.boolean().default(false),
  composites: z.object({ realm: z.array(z.string()).optional(), client: multiMap.optional() }).optional(),
});
export type RealmRole = z.infer<typeof roleSchema>;

/** Keycloak's IdentityProviderRepresentation (`identityProviders` of the realm export); config values are strings. */
export const identityProviderSchema = z.object({
  alias: z.string().regex(/^[a-z0-9-]+$/),
  displayName: z.string().optional(),
  internalId: z.string().optional(),
  providerId: z.string(),
  enabled: z.boolean().default(true),
  trustEmail: z.boolean().default(false),
  storeToken: z.boolean().default(false),
  linkOnly: z.boolean().default(false),
  hideOnLogin: z.boolean().default(false),
  firstBrokerLoginFlowAlias: z.string().optional(),
  config: stringMap.default({}),
});
export type IdentityProvider = z.infer<typeof identityProviderSchema>;

/** Keycloak's IdentityProviderMapperRepresentation (`identityProviderMappers`). */
export const identityProviderMapperSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  identityProviderAlias: z.string(),
  identityProviderMapper: z.string(),
  config: stringMap.default({}),
});
export type IdentityProviderMapper = z.infer<typeof identityProviderMapperSchema>;

const componentSchema = z.object({ providerId: z.string(), config: multiMap.default({}) });

export const realmSchema = z.object({
  /** The realm's internal id (Keycloak's `realmId` in events); default its name. */
  id: z.string().min(1).optional(),
  realm: z.string().regex(/^[a-z0-9-]+$/),
  displayName: z.string().optional(),
  enabled: z.boolean().default(true),
  loginWithEmailAllowed: z.boolean().default(true),
  passwordPolicy: z.string().optional(),
  accessTokenLifespan: z.number().int().positive().default(300),
  accessCodeLifespan: z.number().int().positive().default(60),
  accessCodeLifespanLogin: z.number().int().positive().default(1800),
  ssoSessionIdleTimeout: z.number().int().positive().default(1800),
  ssoSessionMaxLifespan: z.number().int().positive().default(36000),
  roles: z.object({ realm: z.array(roleSchema).default([]), client: z.record(z.string(), z.array(roleSchema)).default({}) }).default({ realm: [], client: {} }),
  groups: z.array(groupSchema).default([]),
  users: z.array(userSchema).default([]),
  clients: z.array(clientSchema).default([]),
  components: z.record(z.string(), z.array(componentSchema)).default({}),
  identityProviders: z.array(identityProviderSchema).default([]),
  identityProviderMappers: z.array(identityProviderMapperSchema).default([]),
  /** Record login events (Realm settings → Events → User events settings); served at `/admin/realms/{realm}/events`. */
  eventsEnabled: z.boolean().default(false),
  /** Login event types recorded; empty = every type. */
  enabledEventTypes: z.array(z.string().regex(/^[A-Z_]+$/)).default([]),
  /** Seconds login and admin events are kept; absent = forever. */
  eventsExpiration: z.number().int().positive().optional(),
  /** Record admin events (Admin REST API changes); served at `/admin/realms/{realm}/admin-events`. */
  adminEventsEnabled: z.boolean().default(false),
  /** Include the representation (the request body) in admin events. */
  adminEventsDetailsEnabled: z.boolean().default(false),
});
export type RealmExport = z.infer<typeof realmSchema>;

/** Where the realm export lives in the repository. */
export const defaultRealmFile = new URL('../realm-export.json', import.meta.url).pathname;

export async function loadRealmExport(path: string = defaultRealmFile): Promise<RealmExport> {
  const text = await readFile(path, 'utf8');
  const parsed = realmSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${path} is not a usable realm export: ${problems}`);
  }
  return parsed.data;
}

/** Every group with its full path (`/Parent/Child`), parents before children. */
export function flattenGroups(groups: RealmGroup[], parentPath = ''): Array<RealmGroup & { fullPath: string; parentPath: string }> {
  return groups.flatMap((group) => {
    const fullPath = `${parentPath}/${group.name}`;
    return [{ ...group, fullPath, parentPath }, ...flattenGroups(group.subGroups, fullPath)];
  });
}

/** The roles a user holds, as Keycloak computes them: direct, from groups and their parents, composites expanded. */
export interface EffectiveRoles {
  realm: string[];
  client: Record<string, string[]>;
}

export function effectiveRoles(realm: RealmExport, user: RealmUser): EffectiveRoles {
  const realmRoles = new Set<string>();
  const clientRoles = new Map<string, Set<string>>();
  const groupsByPath = new Map(flattenGroups(realm.groups).map((g) => [g.fullPath, g]));
  const realmRoleDefs = new Map(realm.roles.realm.map((r) => [r.name, r]));

  const addClientRole = (clientId: string, role: string): void => {
    const set = clientRoles.get(clientId) ?? new Set<string>();
    if (set.has(role)) return;
    set.add(role);
    clientRoles.set(clientId, set);
    const def = realm.roles.client[clientId]?.find((r) => r.name === role);
    if (def) expandComposites(def);
  };
  const addRealmRole = (role: string): void => {
    if (realmRoles.has(role)) return;
    realmRoles.add(role);
    const def = realmRoleDefs.get(role);
    if (def) expandComposites(def);
  };
  function expandComposites(role: RealmRole): void {
    if (!role.composite || !role.composites) return;
    for (const r of role.composites.realm ?? []) addRealmRole(r);
    for (const [clientId, roles] of Object.entries(role.composites.client ?? {})) for (const r of roles) addClientRole(clientId, r);
  }

  for (const r of user.realmRoles) addRealmRole(r);
  for (const [clientId, roles] of Object.entries(user.clientRoles)) for (const r of roles) addClientRole(clientId, r);
  for (const path of user.groups) {
    // A member of /A/B also holds the roles of /A.
    const segments = path.split('/').filter(Boolean);
    for (let i = 1; i <= segments.length; i++) {
      const group = groupsByPath.get(`/${segments.slice(0, i).join('/')}`);
      if (!group) continue;
      for (const r of group.realmRoles) addRealmRole(r);
      for (const [clientId, roles] of Object.entries(group.clientRoles)) for (const r of roles) addClientRole(clientId, r);
    }
  }
  return {
    realm: [...realmRoles].sort(),
    client: Object.fromEntries([...clientRoles].map(([clientId, roles]) => [clientId, [...roles].sort()])),
  };
}

/** A user attribute as Keycloak's user-attribute mapper reads it: the user's own values, else its groups'. */
export function userAttribute(realm: RealmExport, user: RealmUser, name: string): string[] {
  const own = user.attributes[name];
  if (own && own.length > 0) return own;
  const groupsByPath = new Map(flattenGroups(realm.groups).map((g) => [g.fullPath, g]));
  for (const path of user.groups) {
    const values = groupsByPath.get(path)?.attributes[name];
    if (values && values.length > 0) return values;
  }
  return [];
}

/** The declarative user profile (Keycloak 24+): the attributes it declares. Undeclared attributes are dropped. */
export function userProfileAttributes(realm: RealmExport): string[] {
  const component = realm.components['org.keycloak.userprofile.UserProfileProvider']?.find((c) => c.providerId === 'declarative-user-profile');
  const raw = component?.config['kc.user.profile.config']?.[0];
  if (raw === undefined) return [];
  const profile = z.object({ attributes: z.array(z.object({ name: z.string() })) }).parse(JSON.parse(raw));
  return profile.attributes.map((a) => a.name);
}

export function findUserByLogin(realm: RealmExport, login: string): RealmUser | undefined {
  const wanted = login.trim().toLowerCase();
  if (wanted === '') return undefined;
  return realm.users.find(
    (u) =>
      u.serviceAccountClientId === undefined &&
      (u.username.toLowerCase() === wanted || (realm.loginWithEmailAllowed && u.email !== undefined && u.email.toLowerCase() === wanted)),
  );
}

export function serviceAccountUser(realm: RealmExport, clientId: string): RealmUser | undefined {
  return realm.users.find((u) => u.serviceAccountClientId === clientId);
}

export function developmentPassword(user: RealmUser): string | undefined {
  return user.credentials.find((c) => c.type === 'password')?.value;
}

/**
 * The realm with each client's URLs made absolute as Keycloak resolves them: a redirect URI starting with "/" is
 * relative to the client's root URL (`rootUrl`), and post-logout redirect URIs "+" are the redirect URIs. The
 * portal's redirect URIs are "/*" under root URL http://localhost:4000 in the export — what a Keycloak importing it
 * serves; an operator sets the client's Root URL to the gateway's public origin. `rootUrl` (GATEWAY_PUBLIC_URL for
 * the development issuer) takes the place of every client's root URL, so the portal follows the gateway when it
 * runs on another port or behind a public origin: one setting.
 */
export function withResolvedClientUrls(realm: RealmExport, rootUrl?: string): RealmExport {
  const resolve = (client: RealmClient, uri: string): string => {
    if (!uri.startsWith('/')) return uri;
    const root = rootUrl ?? client.rootUrl;
    // Without a root URL Keycloak resolves against its own URL; no client of this realm relies on that.
    if (root === undefined || root === '') throw new Error(`client ${client.clientId}: relative redirect URI ${uri} without a rootUrl`);
    return `${root.replace(/\/+$/, '')}${uri}`;
  };
  return {
    ...realm,
    clients: realm.clients.map((client) => {
      const redirectUris = client.redirectUris.map((uri) => resolve(client, uri));
      const postLogout = client.attributes['post.logout.redirect.uris'];
      const attributes =
        postLogout === undefined
          ? client.attributes
          : {
              ...client.attributes,
              'post.logout.redirect.uris': postLogout
                .split('##')
                .flatMap((uri) => (uri === '+' ? redirectUris : [resolve(client, uri)]))
                .join('##'),
            };
      return { ...client, ...(client.rootUrl !== undefined && rootUrl !== undefined ? { rootUrl } : {}), redirectUris, attributes };
    }),
  };
}

/**
 * The client that may obtain tokens: enabled, not bearer-only (the gateway is only an audience), OpenID Connect.
 * Read from the realm as it is now, so changes made through the Admin REST API count at once.
 */
export function tokenClient(realm: RealmExport, clientId: string): RealmClient | undefined {
  return realm.clients.find((c) => c.clientId === clientId && c.enabled && !c.bearerOnly && c.protocol === 'openid-connect');
}
