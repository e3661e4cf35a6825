/**
 * Keycloak's event store, as the development issuer keeps it: login events (`LOGIN`, `LOGIN_ERROR`, `CLIENT_LOGIN`,
 * `CLIENT_LOGIN_ERROR`, `CODE_TO_TOKEN`, `REFRESH_TOKEN`, `LOGOUT`, … as `EventType`) when the realm has
 * `eventsEnabled` (only the `enabledEventTypes` when the realm lists some), and admin events (Admin REST API changes)
 * when it has `adminEventsEnabled`; each kept for `eventsExpiration` seconds (and at most the newest 10,000 of each
 * kind: it is memory). They are served as Keycloak 26 serves them (`GET /admin/realms/{realm}/events`,
 * `/admin-events`, RealmAdminResource): the same query parameters, filters, paging and representations.
 */
import { randomUUID } from 'node:crypto';
import type { RealmExport } from './realm.ts';

/** Keycloak's EventRepresentation. */
export interface LoginEvent {
  id: string;
  /** Epoch milliseconds. */
  time: number;
  type: string;
  realmId: string;
  clientId: string | null;
  userId: string | null;
  sessionId: string | null;
  ipAddress: string | null;
  error?: string;
  details: Record<string, string>;
}

/** Keycloak's AdminEventRepresentation. */
export interface AdminEvent {
  id: string;
  time: number;
  realmId: string;
  authDetails: { realmId: string; clientId: string | null; userId: string | null; ipAddress: string | null };
  /** CREATE, UPDATE, DELETE, ACTION. */
  operationType: string;
  /** CLIENT, USER, REALM_ROLE_MAPPING, CLIENT_ROLE_MAPPING, … */
  resourceType: string;
  resourcePath: string;
  representation?: string;
  error?: string;
}

const MAX_KEPT = 10_000;

/** A query parameter that is not what Keycloak accepts: answered 400 by the Admin REST API. */
export class EventQueryError extends Error {}

/** `yyyy-MM-dd` (the day, UTC) or epoch milliseconds, as Keycloak reads `dateFrom` / `dateTo`; `end`: the day's last ms. */
function dateParameter(value: string | null, name: string, end: boolean): number | undefined {
  if (value === null || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = day === null ? NaN : Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value)
    throw new EventQueryError(`Invalid value for '${name}', expected format is yyyy-MM-dd or an Epoch timestamp`);
  return end ? ms + 86_400_000 - 1 : ms;
}

function page(params: URLSearchParams): { first: number; max: number; ascending: boolean } {
  const first = Number(params.get('first') ?? 0);
  const max = Number(params.get('max') ?? 100);
  if (!Number.isInteger(first) || first < 0 || !Number.isInteger(max) || max < 0) throw new EventQueryError('first and max must be non-negative integers');
  const direction = params.get('direction') ?? 'desc';
  if (direction !== 'asc' && direction !== 'desc') throw new EventQueryError("direction must be 'asc' or 'desc'");
  return { first, max, ascending: direction === 'asc' };
}

function inRange(time: number, params: URLSearchParams): boolean {
  const from = dateParameter(params.get('dateFrom'), 'Date(From)', false);
  const to = dateParameter(params.get('dateTo'), 'Date(To)', true);
  return (from === undefined || time >= from) && (to === undefined || time <= to);
}

export interface EventStore {
  /** Whether login events of `type` are recorded (the realm's `eventsEnabled` and `enabledEventTypes`). */
  records(type: string): boolean;
  /** Records a login event (ignored when the realm does not record its type). */
  login(event: Omit<LoginEvent, 'id' | 'time' | 'realmId'> & { time?: number }): void;
  /** Records an admin event (ignored unless the realm has `adminEventsEnabled`). */
  admin(event: Omit<AdminEvent, 'id' | 'time' | 'realmId' | 'authDetails'> & { authDetails: Omit<AdminEvent['authDetails'], 'realmId'> }): void;
  /** `GET /admin/realms/{realm}/events` with its query parameters; throws EventQueryError on a bad one. */
  queryLogin(params: URLSearchParams): LoginEvent[];
  /** `GET /admin/realms/{realm}/admin-events`. */
  queryAdmin(params: URLSearchParams): AdminEvent[];
}

export function createEventStore(realm: RealmExport, now: () => number = Date.now): EventStore {
  const realmId = realm.id ?? realm.realm;
  const enabledTypes = new Set(realm.enabledEventTypes);
  const logins: LoginEvent[] = [];
  const admins: AdminEvent[] = [];
  const expire = <T extends { time: number }>(list: T[]): void => {
    // Keycloak's expiration runs on a schedule; here at every write and read.
    const cutoff = realm.eventsExpiration === undefined ? -Infinity : now() - realm.eventsExpiration * 1000;
    let drop = 0;
    while (drop < list.length && list[drop]!.time < cutoff) drop += 1;
    if (list.length - drop > MAX_KEPT) drop = list.length - MAX_KEPT;
    if (drop > 0) list.splice(0, drop);
  };
  const select = <T extends { time: number }>(list: T[], params: URLSearchParams, matches: (e: T) => boolean): T[] => {
    expire(list);
    const { first, max, ascending } = page(params);
    const found = list.filter((e) => inRange(e.time, params) && matches(e));
    if (!ascending) found.reverse();
    return structuredClone(found.slice(first, first + max));
  };
  return {
    records(type) {
      return realm.eventsEnabled && (enabledTypes.size === 0 || enabledTypes.has(type));
    },
    login(event) {
      if (!this.records(event.type)) return;
      const { time, ...rest } = event;
      logins.push({ id: randomUUID(), time: time ?? now(), realmId, ...rest });
      expire(logins);
    },
    admin(event) {
      if (!realm.adminEventsEnabled) return;
      const { representation, ...rest } = event;
      admins.push({
        id: randomUUID(),
        time: now(),
        realmId,
        ...rest,
        ...(realm.adminEventsDetailsEnabled && representation !== undefined ? { representation } : {}),
        authDetails: { realmId, ...event.authDetails },
      });
      expire(admins);
    },
    queryLogin(params) {
      const types = new Set(params.getAll('type'));
      const client = params.get('client');
      const user = params.get('user');
      const ip = params.get('ipAddress');
      return select(
        logins,
        params,
        (e) =>
          (types.size === 0 || types.has(e.type)) &&
          (client === null || e.clientId === client) &&
          (user === null || e.userId === user) &&
          (ip === null || e.ipAddress === ip),
      );
    },
    queryAdmin(params) {
      const operations = new Set(params.getAll('operationTypes'));
      const resources = new Set(params.getAll('resourceTypes'));
      const authClient = params.get('authClient');
      const authUser = params.get('authUser');
      const authIp = params.get('authIpAddress');
      const path = params.get('resourcePath');
      // Keycloak's resourcePath filter takes `*` as a wildcard.
      const pathPattern =
        path === null
          ? null
          : new RegExp(
              `^${path
                .split('*')
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                .join('.*')}$`,
            );
      return select(
        admins,
        params,
        (e) =>
          (operations.size === 0 || operations.has(e.operationType)) &&
          (resources.size === 0 || resources.has(e.resourceType)) &&
          (authClient === null || e.authDetails.clientId === authClient) &&
          (authUser === null || e.authDetails.userId === authUser) &&
          (authIp === null || e.authDetails.ipAddress === authIp) &&
          (pathPattern === null || pathPattern.test(e.resourcePath)),
      );
    },
  };
}
