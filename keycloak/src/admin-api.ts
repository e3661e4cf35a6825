/**
 * The part of Keycloak's Admin REST API (`/admin/realms/{realm}/…`) that the registry uses through
 * `@keycloak/keycloak-admin-client` (`@lgsp/credentials`): clients (list, find by clientId, create, get, update,
 * delete), their secret (get, regenerate), their protocol mappers (inside the client representation), their
 * service-account user, and that user's realm and client role mappings. Paths, representations and status codes
 * are Keycloak 26's (services/…/resources/admin/ClientsResource, ClientResource, RoleMapperResource); what differs
 * is listed in keycloak/README.md.
 *
 * The caller authenticates like with Keycloak: a Bearer access token of this realm whose user (a service account,
 * e.g. `lgsp-registry`'s) holds `realm-management` client roles. Changes are made to the realm in memory, which the
 * token endpoint reads at each request: a created client gets tokens at once, a disabled or deleted one no longer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import type { Logger } from '@lgsp/kit';
import { supportedMappers } from './claims.ts';
import { EventQueryError, type AdminEvent, type EventStore } from './events.ts';
import { partialExport } from './partial-export.ts';
import { clientSchema, effectiveRoles, tokenClient, type RealmClient, type RealmExport, type RealmRole, type RealmUser } from './realm.ts';

/** Keycloak's admin roles of the built-in `realm-management` client that this subset checks. */
export const RealmManagementRole = {
  realmAdmin: 'realm-admin',
  manageClients: 'manage-clients',
  viewClients: 'view-clients',
  manageUsers: 'manage-users',
  viewUsers: 'view-users',
  queryUsers: 'query-users',
  viewRealm: 'view-realm',
  manageRealm: 'manage-realm',
  viewEvents: 'view-events',
  manageEvents: 'manage-events',
} as const;
type Permission = 'view-clients' | 'manage-clients' | 'view-users' | 'manage-users' | 'view-realm' | 'view-events';

/** As Keycloak's AdminPermissions decide: managing implies viewing, realm-admin implies everything. */
const grantedBy: Record<Permission, string[]> = {
  'view-clients': [RealmManagementRole.viewClients, RealmManagementRole.manageClients, RealmManagementRole.realmAdmin],
  'manage-clients': [RealmManagementRole.manageClients, RealmManagementRole.realmAdmin],
  'view-users': [RealmManagementRole.viewUsers, RealmManagementRole.manageUsers, RealmManagementRole.realmAdmin],
  'manage-users': [RealmManagementRole.manageUsers, RealmManagementRole.realmAdmin],
  'view-realm': [RealmManagementRole.viewRealm, RealmManagementRole.manageRealm, RealmManagementRole.realmAdmin],
  'view-events': [RealmManagementRole.viewEvents, RealmManagementRole.manageEvents, RealmManagementRole.realmAdmin],
};

const MAX_JSON_BYTES = 256 * 1024;
const REALM_MANAGEMENT = 'realm-management';

/** What the Admin REST API works on: the realm the token endpoint reads, and how to check a caller's token. */
export interface AdminApiInput {
  realm: RealmExport;
  /** Verifies an access token this issuer signed; undefined when it is not valid. */
  verifyAccessToken(token: string): Promise<JWTPayload | undefined>;
  logger: Logger;
  /** Where login events are read from and admin events recorded (the realm's events settings decide what is kept). */
  events: EventStore;
}

/** An answer other than 2xx, in Keycloak's body shape. */
class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, string>,
  ) {
    super(JSON.stringify(body));
  }
}
const notFound = (what: string): AdminError =>
  new AdminError(404, { error: `Could not find ${what}`, error_description: 'For more on this error consult the server log.' });
const badRequest = (message: string): AdminError => new AdminError(400, { error: 'invalid_input', errorMessage: message });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new AdminError(413, { error: 'Request Entity Too Large' });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError(400, { error: 'unknown_error', errorMessage: 'Malformed JSON' });
  }
}

/** Keycloak's generated client secret: 32 characters of [A-Za-z0-9] (KeycloakModelUtils.generateSecret). */
export function generateClientSecret(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(64);
  let secret = '';
  for (const byte of bytes) {
    if (byte >= 248) continue; // 248 = 4 × 62: keeps the choice uniform
    secret += alphabet[byte % 62];
    if (secret.length === 32) break;
  }
  return secret.length === 32 ? secret : generateClientSecret();
}

function roleRepresentation(role: RealmRole, containerId: string, clientRole: boolean): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    ...(role.description !== undefined ? { description: role.description } : {}),
    composite: role.composite,
    clientRole,
    containerId,
  };
}

function userRepresentation(user: RealmUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    enabled: user.enabled,
    emailVerified: user.emailVerified,
    ...(user.firstName !== undefined ? { firstName: user.firstName } : {}),
    ...(user.lastName !== undefined ? { lastName: user.lastName } : {}),
    ...(user.email !== undefined ? { email: user.email } : {}),
    attributes: user.attributes,
    ...(user.serviceAccountClientId !== undefined ? { serviceAccountClientId: user.serviceAccountClientId } : {}),
  };
}

/** A client representation as an admin event may show it: without its secret. */
function withoutSecret(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { secret: _secret, ...rest } = body as Record<string, unknown>;
  return rest;
}

function clientRepresentation(client: RealmClient): Record<string, unknown> {
  return structuredClone(client) as Record<string, unknown>;
}

/**
 * The Admin REST API handler. `handle` answers a request whose path starts with `/admin/realms/`; it never throws
 * (a failure becomes Keycloak's error answer).
 */
export function createAdminApi(input: AdminApiInput): { handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> } {
  const { realm, logger } = input;
  // Keycloak gives every role an id; a realm export may leave it out.
  for (const role of realm.roles.realm) role.id ??= randomUUID();
  for (const roles of Object.values(realm.roles.client)) for (const role of roles) role.id ??= randomUUID();

  const clientById = (id: string): RealmClient => {
    const client = realm.clients.find((c) => c.id === id);
    if (!client) throw notFound('client');
    return client;
  };
  const userById = (id: string): RealmUser => {
    const user = realm.users.find((u) => u.id === id);
    if (!user) throw new AdminError(404, { error: 'User not found' });
    return user;
  };
  const clientRoles = (client: RealmClient): RealmRole[] => realm.roles.client[client.clientId] ?? [];

  /** Who calls, as an admin event's `authDetails` names them: the token's client (its id) and user, and the address. */
  interface Caller {
    held: Set<string>;
    auth: Omit<AdminEvent['authDetails'], 'realmId'>;
  }

  async function callerOf(req: IncomingMessage): Promise<Caller> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const payload = token === undefined ? undefined : await input.verifyAccessToken(token);
    const user = payload ? realm.users.find((u) => u.id === payload.sub && u.enabled) : undefined;
    // Keycloak refuses a token whose client was disabled or deleted since it was issued.
    if (!payload || !user || typeof payload.azp !== 'string' || !tokenClient(realm, payload.azp)) {
      throw new AdminError(401, { error: 'HTTP 401 Unauthorized' });
    }
    return {
      held: new Set(effectiveRoles(realm, user).client[REALM_MANAGEMENT] ?? []),
      auth: { clientId: tokenClient(realm, payload.azp)?.id ?? null, userId: user.id, ipAddress: req.socket.remoteAddress ?? null },
    };
  }
  const demand = (held: Set<string>, permission: Permission): void => {
    if (!grantedBy[permission].some((role) => held.has(role))) throw new AdminError(403, { error: 'HTTP 403 Forbidden' });
  };

  function createClient(body: unknown, location: (id: string) => string): { status: number; headers: Record<string, string> } {
    const parsed = clientSchema.safeParse(body);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const client = parsed.data;
    if (realm.clients.some((c) => c.clientId === client.clientId)) {
      throw new AdminError(409, { errorMessage: `Client ${client.clientId} already exists` });
    }
    const unsupported = client.protocolMappers.filter((m) => !supportedMappers.has(m.protocolMapper));
    if (unsupported.length > 0) {
      throw badRequest(`protocol mapper type ${unsupported.map((m) => m.protocolMapper).join(', ')} is not implemented by the development issuer`);
    }
    if (client.id !== undefined && realm.clients.some((c) => c.id === client.id)) throw new AdminError(409, { errorMessage: 'Client already exists' });
    client.id ??= randomUUID();
    for (const mapper of client.protocolMappers) mapper.id ??= randomUUID();
    // Keycloak generates a secret for every confidential client that was given none.
    if (!client.publicClient && !client.bearerOnly && client.secret === undefined) client.secret = generateClientSecret();
    realm.clients.push(client);
    if (client.serviceAccountsEnabled && !client.publicClient) {
      const defaultRole = `default-roles-${realm.realm}`;
      realm.users.push({
        id: randomUUID(),
        username: `service-account-${client.clientId}`.toLowerCase(),
        enabled: true,
        emailVerified: false,
        attributes: {},
        credentials: [],
        realmRoles: realm.roles.realm.some((r) => r.name === defaultRole) ? [defaultRole] : [],
        clientRoles: {},
        groups: [],
        serviceAccountClientId: client.clientId,
      });
    }
    logger.info({ event: 'admin.client.created', clientId: client.clientId }, 'client created through the Admin REST API');
    return { status: 201, headers: { location: location(client.id) } };
  }

  /** PUT: the fields present replace the client's; attributes are merged key by key (Keycloak's updateClient). */
  function updateClient(client: RealmClient, body: unknown): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('a ClientRepresentation is expected');
    const rep = body as Record<string, unknown>;
    if (rep.clientId !== undefined && rep.clientId !== client.clientId && realm.clients.some((c) => c.clientId === rep.clientId)) {
      throw new AdminError(409, { errorMessage: 'Client already exists' });
    }
    const { protocolMappers: _mappers, attributes, id: _id, ...rest } = rep;
    const merged = clientSchema.safeParse({
      ...client,
      ...rest,
      attributes: { ...client.attributes, ...(typeof attributes === 'object' && attributes !== null ? attributes : {}) },
    });
    if (!merged.success) throw badRequest(merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const previousClientId = client.clientId;
    Object.assign(client, merged.data, { id: client.id, protocolMappers: client.protocolMappers });
    if (previousClientId !== client.clientId) {
      for (const user of realm.users) if (user.serviceAccountClientId === previousClientId) user.serviceAccountClientId = client.clientId;
    }
    logger.info({ event: 'admin.client.updated', clientId: client.clientId, enabled: client.enabled }, 'client updated through the Admin REST API');
  }

  function deleteClient(client: RealmClient): void {
    realm.clients.splice(realm.clients.indexOf(client), 1);
    for (let i = realm.users.length - 1; i >= 0; i--) if (realm.users[i]?.serviceAccountClientId === client.clientId) realm.users.splice(i, 1);
    for (const user of realm.users) delete user.clientRoles[client.clientId];
    delete realm.roles.client[client.clientId];
    logger.info({ event: 'admin.client.deleted', clientId: client.clientId }, 'client deleted through the Admin REST API');
  }

  /** The roles named in a role-mapping body: by id, as Keycloak looks them up (by name when no id is given). */
  function rolesIn(body: unknown, candidates: RealmRole[]): RealmRole[] {
    if (!Array.isArray(body)) throw badRequest('an array of RoleRepresentation is expected');
    return body.map((entry: unknown) => {
      const rep = (entry ?? {}) as { id?: unknown; name?: unknown };
      const role = candidates.find((r) => (typeof rep.id === 'string' ? r.id === rep.id : r.name === rep.name));
      if (!role) throw new AdminError(404, { error: 'Role not found' });
      return role;
    });
  }

  async function route(req: IncomingMessage, path: string): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const method = req.method ?? 'GET';
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    // segments: admin, realms, {realm}, …
    if (segments[0] !== 'admin' || segments[1] !== 'realms' || segments.length < 4)
      throw new AdminError(404, { error: 'Unable to find matching target resource method' });
    if (segments[2] !== realm.realm) throw new AdminError(404, { error: 'Realm not found.' });
    const caller = await callerOf(req);
    const { held } = caller;
    const [, , , collection, id, sub, ...more] = segments;
    const url = new URL(req.url ?? '/', 'http://issuer.invalid');
    /** Records the admin event of a change this request made (as Keycloak's AdminEventBuilder, after success). */
    const adminEvent = (operationType: string, resourceType: string, resourcePath: string, representation?: unknown): void =>
      input.events.admin({
        operationType,
        resourceType,
        resourcePath,
        authDetails: caller.auth,
        ...(representation === undefined ? {} : { representation: JSON.stringify(representation) }),
      });

    if ((collection === 'events' || collection === 'admin-events') && id === undefined) {
      if (method !== 'GET') throw new AdminError(405, { error: 'HTTP 405 Method Not Allowed' });
      demand(held, 'view-events');
      try {
        return { status: 200, body: collection === 'events' ? input.events.queryLogin(url.searchParams) : input.events.queryAdmin(url.searchParams) };
      } catch (error) {
        if (error instanceof EventQueryError) throw badRequest(error.message);
        throw error;
      }
    }

    if (collection === 'clients') {
      if (id === undefined) {
        if (method === 'GET') {
          demand(held, 'view-clients');
          const clientId = url.searchParams.get('clientId');
          const search = url.searchParams.get('search') === 'true';
          const first = Number(url.searchParams.get('first') ?? 0);
          const max = url.searchParams.has('max') ? Number(url.searchParams.get('max')) : Infinity;
          const matching =
            clientId === null || clientId.trim() === ''
              ? realm.clients
              : realm.clients.filter((c) => (search ? c.clientId.toLowerCase().includes(clientId.toLowerCase()) : c.clientId === clientId));
          return { status: 200, body: matching.slice(first, first + max).map(clientRepresentation) };
        }
        if (method === 'POST') {
          demand(held, 'manage-clients');
          const origin = `http://${req.headers.host ?? 'localhost'}`;
          const body = await readJson(req);
          let createdId = '';
          const created = createClient(body, (newId) => {
            createdId = newId;
            return `${origin}/admin/realms/${encodeURIComponent(realm.realm)}/clients/${newId}`;
          });
          // Never a secret in an event, whatever the details setting.
          adminEvent('CREATE', 'CLIENT', `clients/${createdId}`, withoutSecret(body));
          return created;
        }
        throw new AdminError(405, { error: 'HTTP 405 Method Not Allowed' });
      }
      demand(held, 'view-clients');
      const client = clientById(id);
      if (sub === undefined) {
        if (method === 'GET') return { status: 200, body: clientRepresentation(client) };
        if (method === 'PUT') {
          demand(held, 'manage-clients');
          const body = await readJson(req);
          updateClient(client, body);
          adminEvent('UPDATE', 'CLIENT', `clients/${client.id}`, withoutSecret(body));
          return { status: 204 };
        }
        if (method === 'DELETE') {
          demand(held, 'manage-clients');
          deleteClient(client);
          adminEvent('DELETE', 'CLIENT', `clients/${client.id}`);
          return { status: 204 };
        }
      }
      if (sub === 'client-secret' && more.length === 0) {
        demand(held, 'manage-clients');
        if (method === 'GET') return { status: 200, body: { type: 'secret', value: client.secret ?? null } };
        if (method === 'POST') {
          client.secret = generateClientSecret();
          logger.info({ event: 'admin.client.secret', clientId: client.clientId }, 'client secret regenerated through the Admin REST API');
          adminEvent('ACTION', 'CLIENT', `clients/${client.id}/client-secret`);
          return { status: 200, body: { type: 'secret', value: client.secret } };
        }
      }
      if (sub === 'service-account-user' && method === 'GET') {
        const user = client.serviceAccountsEnabled ? realm.users.find((u) => u.serviceAccountClientId === client.clientId) : undefined;
        if (!user) throw new AdminError(400, { error: `Service account not enabled for the client '${client.clientId}'` });
        return { status: 200, body: userRepresentation(user) };
      }
      if (sub === 'protocol-mappers' && more[0] === 'models' && more.length === 1 && method === 'GET') {
        return { status: 200, body: structuredClone(client.protocolMappers) };
      }
      if (sub === 'roles' && method === 'GET' && more.length <= 1) {
        const roles = clientRoles(client);
        if (more.length === 0) return { status: 200, body: roles.map((r) => roleRepresentation(r, client.id ?? '', true)) };
        const role = roles.find((r) => r.name === more[0]);
        if (!role) throw notFound('role');
        return { status: 200, body: roleRepresentation(role, client.id ?? '', true) };
      }
    }

    if (collection === 'roles' && method === 'GET' && sub === undefined) {
      demand(held, 'view-realm');
      const realmId = realm.realm;
      if (id === undefined) return { status: 200, body: realm.roles.realm.map((r) => roleRepresentation(r, realmId, false)) };
      const role = realm.roles.realm.find((r) => r.name === id);
      if (!role) throw notFound('role');
      return { status: 200, body: roleRepresentation(role, realmId, false) };
    }

    if (collection === 'users' && id !== undefined) {
      demand(held, 'view-users');
      const user = userById(id);
      if (sub === undefined && method === 'GET') return { status: 200, body: userRepresentation(user) };
      if (sub === 'role-mappings') {
        const [kind, target, available] = more;
        if (kind === undefined && method === 'GET') {
          const clientMappings = Object.fromEntries(
            Object.entries(user.clientRoles)
              .filter(([, names]) => names.length > 0)
              .map(([clientId, names]) => {
                const owner = realm.clients.find((c) => c.clientId === clientId);
                const roles = (realm.roles.client[clientId] ?? []).filter((r) => names.includes(r.name));
                return [clientId, { id: owner?.id, client: clientId, mappings: roles.map((r) => roleRepresentation(r, owner?.id ?? '', true)) }];
              }),
          );
          return {
            status: 200,
            body: {
              realmMappings: realm.roles.realm.filter((r) => user.realmRoles.includes(r.name)).map((r) => roleRepresentation(r, realm.realm, false)),
              ...(Object.keys(clientMappings).length > 0 ? { clientMappings } : {}),
            },
          };
        }
        let candidates: RealmRole[];
        let assigned: string[];
        let containerId: string;
        let assign: (names: string[]) => void;
        if (kind === 'realm' && target === undefined) {
          candidates = realm.roles.realm;
          assigned = user.realmRoles;
          containerId = realm.realm;
          assign = (names) => (user.realmRoles = names);
        } else if (kind === 'realm' && target === 'available') {
          return {
            status: 200,
            body: realm.roles.realm.filter((r) => !user.realmRoles.includes(r.name)).map((r) => roleRepresentation(r, realm.realm, false)),
          };
        } else if (kind === 'clients' && target !== undefined) {
          const owner = clientById(target);
          candidates = clientRoles(owner);
          assigned = user.clientRoles[owner.clientId] ?? [];
          containerId = owner.id ?? '';
          if (available === 'available' && method === 'GET') {
            return { status: 200, body: candidates.filter((r) => !assigned.includes(r.name)).map((r) => roleRepresentation(r, containerId, true)) };
          }
          if (available !== undefined) throw new AdminError(404, { error: 'Unable to find matching target resource method' });
          assign = (names) => {
            if (names.length === 0) delete user.clientRoles[owner.clientId];
            else user.clientRoles[owner.clientId] = names;
          };
        } else {
          throw new AdminError(404, { error: 'Unable to find matching target resource method' });
        }
        const clientRole = kind === 'clients';
        if (method === 'GET') {
          return { status: 200, body: candidates.filter((r) => assigned.includes(r.name)).map((r) => roleRepresentation(r, containerId, clientRole)) };
        }
        if (method === 'POST' || method === 'DELETE') {
          demand(held, 'manage-users');
          const names = rolesIn(await readJson(req), candidates).map((r) => r.name);
          assign(method === 'POST' ? [...new Set([...assigned, ...names])] : assigned.filter((n) => !names.includes(n)));
          adminEvent(
            method === 'POST' ? 'CREATE' : 'DELETE',
            clientRole ? 'CLIENT_ROLE_MAPPING' : 'REALM_ROLE_MAPPING',
            `users/${user.id}/role-mappings/${kind}${clientRole ? `/${target}` : ''}`,
            names.map((name) => ({ name })),
          );
          logger.info({ event: 'admin.user.roles', userId: user.id, method, roles: names }, 'role mappings changed through the Admin REST API');
          return { status: 204 };
        }
      }
    }
    if (collection === 'partial-export' && id === undefined) return partialExport(realm, held, method, url.searchParams);
    throw new AdminError(404, { error: 'Unable to find matching target resource method' });
  }

  return {
    async handle(req, res, path) {
      let answer: { status: number; body?: unknown; headers?: Record<string, string> };
      try {
        answer = await route(req, path);
      } catch (error) {
        if (!(error instanceof AdminError)) throw error;
        answer = { status: error.status, body: error.body };
      }
      const headers: Record<string, string> = { 'cache-control': 'no-cache', ...answer.headers };
      if (answer.body === undefined) {
        res.writeHead(answer.status, headers);
        res.end();
        return;
      }
      res.writeHead(answer.status, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    },
  };
}
