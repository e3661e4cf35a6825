/**
 * Keycloak's login events, read through `@keycloak/keycloak-admin-client` (`realms.findEvents`:
 * `GET /admin/realms/{realm}/events`, realm-management role `view-events`) with the registry's admin client, and the
 * few user attributes that tell whose a sign-in was (`users.findOne`: `agency_code`). The realm must record events
 * (`eventsEnabled`, with the types wanted in `enabledEventTypes`); the development issuer does as Keycloak does.
 */
import { readFile } from 'node:fs/promises';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import type { CredentialsConfig } from './config.ts';
import { keycloakAdminClient, type KeycloakCredentialIssuerOptions } from './keycloak-issuer.ts';

/** One event, as Keycloak's EventRepresentation (missing values as null). */
export interface KeycloakLoginEvent {
  id: string | null;
  /** Epoch milliseconds. */
  time: number;
  /** `LOGIN`, `LOGIN_ERROR`, `CLIENT_LOGIN`, `CLIENT_LOGIN_ERROR`, `CODE_TO_TOKEN`, `REFRESH_TOKEN`, `LOGOUT`, … */
  type: string;
  clientId: string | null;
  userId: string | null;
  sessionId: string | null;
  ipAddress: string | null;
  error: string | null;
  details: Record<string, string>;
}

export interface KeycloakEventQuery {
  /** Events at or after this time (epoch ms). */
  from: number;
  /** Paging offset (default 0). */
  first?: number;
  /** At most this many (default 100). */
  max?: number;
}

export interface KeycloakEventReader {
  /** Login events from `query.from` on, oldest first. */
  findEvents(query: KeycloakEventQuery): Promise<KeycloakLoginEvent[]>;
  /** A user's login and `agency_code` attribute; null when Keycloak has no such user. */
  findUser(userId: string): Promise<{ username: string; agencyCode: string | null } | null>;
}

type Options = Pick<KeycloakCredentialIssuerOptions, 'adminUrl' | 'realm' | 'clientId' | 'clientSecret' | 'timeoutMs'>;

export function createKeycloakEventReader(options: Options, admin: KeycloakAdminClient = keycloakAdminClient(options)): KeycloakEventReader {
  return {
    async findEvents(query) {
      const events = await admin.realms.findEvents({
        realm: options.realm,
        // Keycloak 26 reads dateFrom as a day or as epoch milliseconds, and sorts by `direction` (default desc).
        dateFrom: String(query.from),
        first: query.first ?? 0,
        max: query.max ?? 100,
        direction: 'asc',
      } as Parameters<KeycloakAdminClient['realms']['findEvents']>[0]);
      return events
        .map((e) => ({
          id: (e as { id?: string }).id ?? null,
          time: e.time ?? 0,
          type: String(e.type ?? 'UNKNOWN'),
          clientId: e.clientId ?? null,
          userId: e.userId ?? null,
          sessionId: e.sessionId ?? null,
          ipAddress: e.ipAddress ?? null,
          error: e.error ?? null,
          details: Object.fromEntries(Object.entries(e.details ?? {}).map(([k, v]) => [k, String(v)])),
        }))
        .sort((a, b) => a.time - b.time);
    },
    async findUser(userId) {
      const user = await admin.users.findOne({ realm: options.realm, id: userId }, { catchNotFound: true } as never);
      if (user === undefined || user === null) return null;
      const agency = user.attributes?.agency_code as unknown;
      return { username: user.username ?? userId, agencyCode: Array.isArray(agency) && typeof agency[0] === 'string' ? agency[0] : null };
    },
  };
}

/** The event reader of the credential issuer's configuration (the same admin client and secret file). */
export async function keycloakEventReaderFromConfig(config: CredentialsConfig): Promise<KeycloakEventReader> {
  let secret: string;
  try {
    secret = (await readFile(config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE, 'utf8')).trim();
  } catch (error) {
    throw new Error(`KEYCLOAK_ADMIN_CLIENT_SECRET_FILE: cannot read ${config.KEYCLOAK_ADMIN_CLIENT_SECRET_FILE} (${(error as Error).message})`);
  }
  return createKeycloakEventReader({
    adminUrl: config.KEYCLOAK_ADMIN_URL,
    realm: config.KEYCLOAK_REALM,
    clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
    clientSecret: secret,
    timeoutMs: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
  });
}
