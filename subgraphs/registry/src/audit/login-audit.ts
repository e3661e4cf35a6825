/**
 * Sign-ins into the audit trail (issue 17, `kind: 'login'`): Keycloak records them (the realm's `eventsEnabled`); the
 * registry reads its login events through the Admin REST API (`@lgsp/credentials`' event reader, role view-events) on
 * an interval and writes one audit record per event — who (the user, or the system whose credential it was), which
 * agency, the outcome and Keycloak's error. Where it stopped (the last event's time, and the events seen at that
 * millisecond) is kept in Redis with the registry's records (in memory without Redis), and is moved only after the
 * records are in the audit log, so a restart neither loses nor repeats a sign-in.
 */
import type { AuditEntryInput, AuditWriter } from '@lgsp/audit';
import type { KeycloakEventReader, KeycloakLoginEvent } from '@lgsp/credentials';
import type { Logger, RedisClient } from '@lgsp/kit';

/** Where the copy stopped: the time of the last event written, and the keys of the events written at that time. */
export interface LoginCursor {
  time: number;
  seen: string[];
}

export interface LoginCursorStore {
  read(): Promise<LoginCursor | null>;
  write(cursor: LoginCursor): Promise<void>;
}

/** `<prefix>registry:audit:login-cursor`: a JSON LoginCursor. */
export function redisLoginCursor(redis: RedisClient, keyPrefix: string): LoginCursorStore {
  const key = `${keyPrefix}registry:audit:login-cursor`;
  return {
    async read() {
      const text = await redis.get(key);
      return text === null ? null : (JSON.parse(text) as LoginCursor);
    },
    async write(cursor) {
      await redis.set(key, JSON.stringify(cursor));
    },
  };
}

export function memoryLoginCursor(): LoginCursorStore {
  let cursor: LoginCursor | null = null;
  return {
    async read() {
      return cursor;
    },
    async write(next) {
      cursor = next;
    },
  };
}

/** Whose credential a client id is, as the registry knows it. */
export interface CredentialOwner {
  agencyCode: string;
  systemId: string;
  environment: 'production' | 'test';
}

/** What the audit record says of the person or system that signed in. */
export interface SignInParty {
  owner: CredentialOwner | null;
  /** The user's login, when Keycloak knows the user. */
  username: string | null;
  /** The user's agency (`agency_code` attribute), when it has one. */
  agencyCode: string | null;
}

/** An event's key among those of the same millisecond: its id, else what it says. */
const eventKey = (e: KeycloakLoginEvent): string => e.id ?? [e.time, e.type, e.clientId, e.userId, e.sessionId, e.ipAddress, e.error].join('|');

/** The audit entry of one Keycloak login event. */
export function loginAuditEntry(event: KeycloakLoginEvent, party: SignInParty): AuditEntryInput {
  const failed = event.error !== null || event.type.endsWith('_ERROR');
  return {
    kind: 'login',
    at: new Date(event.time).toISOString(),
    requestId: null,
    source: 'keycloak',
    environment: party.owner?.environment ?? 'production',
    agency: party.owner?.agencyCode ?? party.agencyCode,
    system: party.owner?.systemId ?? null,
    // A name typed for a user that does not exist is not recorded (it may be anything, even a password).
    user: party.username,
    purpose: null,
    action: event.type,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: null,
    entityId: event.clientId,
    outcome: failed ? 'error' : 'success',
    errorCodes: event.error === null ? [] : [event.error],
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: {
      clientId: event.clientId,
      userId: event.userId,
      ipAddress: event.ipAddress,
      error: event.error,
      sessionId: event.sessionId,
      eventId: event.id,
      grantType: event.details.grant_type ?? null,
    },
    subjects: [],
  };
}

export interface LoginAuditOptions {
  reader: KeycloakEventReader;
  writer: AuditWriter;
  cursor: LoginCursorStore;
  /** The registry's knowledge of a client id (a system's credential); null when it is none of theirs. */
  ownerOf(clientId: string): Promise<CredentialOwner | null>;
  logger: Logger;
  /** Where to start when no cursor was ever stored (default: now — what happened before is not copied). */
  now?: () => number;
  /** Events read per call (default 100). */
  pageSize?: number;
}

export interface LoginAudit {
  /** Copies the events since the cursor; answers how many audit records were written. */
  poll(): Promise<number>;
}

/** Statuses of the Admin REST API that mean this platform's configuration is wrong (secret, view-events role). */
const misconfigured = (error: unknown): boolean => {
  const status = (error as { response?: { status?: number } }).response?.status;
  return status === 401 || status === 403;
};

export function createLoginAudit(options: LoginAuditOptions): LoginAudit {
  const { reader, writer, cursor, logger } = options;
  const pageSize = options.pageSize ?? 100;
  const now = options.now ?? Date.now;
  let start: LoginCursor | null = null;
  const users = new Map<string, { username: string; agencyCode: string | null } | null>();

  const partyOf = async (event: KeycloakLoginEvent): Promise<SignInParty> => {
    const owner = event.clientId === null ? null : await options.ownerOf(event.clientId);
    let user: { username: string; agencyCode: string | null } | null = null;
    if (event.userId !== null) {
      if (!users.has(event.userId)) users.set(event.userId, await reader.findUser(event.userId).catch(() => null));
      user = users.get(event.userId) ?? null;
    }
    return { owner, username: user?.username ?? null, agencyCode: user?.agencyCode ?? null };
  };

  return {
    async poll() {
      if (start === null) {
        start = await cursor.read();
        if (start === null) {
          // The first start ever: from now on, remembered at once so that a restart continues from here.
          start = { time: now(), seen: [] };
          await cursor.write(start);
        }
      }
      const from = start;
      let position = from;
      let written = 0;
      try {
        // Pages by offset from the same `from`; what is past 50 pages is read at the next poll.
        for (let first = 0; first < 50 * pageSize; first += pageSize) {
          const page = await reader.findEvents({ from: from.time, first, max: pageSize });
          for (const event of page) {
            const key = eventKey(event);
            if (event.time < from.time || (event.time === from.time && from.seen.includes(key))) continue;
            writer.write(loginAuditEntry(event, await partyOf(event)));
            written += 1;
            position = event.time === position.time ? { time: position.time, seen: [...position.seen, key] } : { time: event.time, seen: [key] };
          }
          if (page.length < pageSize) break;
        }
      } catch (error) {
        const level = misconfigured(error) ? 'error' : 'warn';
        logger[level](
          { event: 'audit.login-events.failed', err: error },
          level === 'error'
            ? "Keycloak refused to serve its login events: the registry's admin client needs the realm-management role view-events"
            : 'Keycloak login events could not be read; retried at the next poll',
        );
      }
      if (written > 0) {
        // The records first, then the cursor: a stop in between repeats nothing (the cursor names what was written).
        await writer.flush();
        await cursor.write(position);
      }
      start = position;
      return written;
    },
  };
}
