/**
 * The credentials the operator (or the registry, when a system's access is cancelled or suspended) has revoked: a
 * revoked client's tokens are refused at the gateway within the revocation bound (revocation-watch.ts), long before
 * they expire. Two adapters with one behaviour (credential-revocations.contract.ts): in memory (one process,
 * development, tests) and Redis (every gateway replica hears of every change at once).
 *
 * The port is the one `@lgsp/access` publishes (issue 16's shared contract); it lives here until that package lands.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';

/** Who revoked a credential, when and why (kept for audit and shown to the operator). */
export interface RevocationDetails {
  /** When the revocation takes effect: an ISO 8601 date-time (the store keeps it as given, normalised to UTC). */
  at: string;
  /** Why (shown to operators; never to the caller). */
  reason: string;
  /** The operator's username, or `registry` for a revocation the onboarding machine made. */
  by: string;
}

/** One revoked credential: the OAuth client (`azp` of its tokens) and the details of its revocation. */
export interface Revocation extends RevocationDetails {
  clientId: string;
}

export interface CredentialRevocations {
  /** Revokes the client's credential (replacing an earlier revocation's details), then notifies subscribers. */
  revoke(clientId: string, details: RevocationDetails): Promise<void>;
  /** Lifts the revocation; true when the client was revoked. Subscribers are notified. */
  restore(clientId: string): Promise<boolean>;
  /** Every revocation, in client id order. */
  list(): Promise<Revocation[]>;
  isRevoked(clientId: string): Promise<boolean>;
  /** A number that goes up by one with every change (the watch re-reads the list only when it moved). */
  version(): Promise<number>;
  /**
   * Calls `listener` after every change made through any store sharing this backend (for Redis: any replica), and
   * whenever notifications may have been missed (after a Redis reconnect). Returns the unsubscribe.
   */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  /** Releases what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}

/** An OAuth client id as Keycloak allows it: printable ASCII without spaces, at most 255 characters. */
const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;

/** Validates a revocation before it is stored; throws LgspError BAD_USER_INPUT (or INVALID_DATE) naming the field. */
export function validRevocation(clientId: string, details: RevocationDetails): Revocation {
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, 'clientId must be 1–255 printable ASCII characters without spaces');
  }
  const at = typeof details?.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(details.at) ? new Date(details.at) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) {
    throw new LgspError(ErrorCode.INVALID_DATE, 'at must be an ISO 8601 date-time such as 2026-12-06T10:00:00+07:00');
  }
  if (typeof details.reason !== 'string' || details.reason.trim() === '') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'reason must not be empty');
  if (typeof details.by !== 'string' || details.by.trim() === '') throw new LgspError(ErrorCode.BAD_USER_INPUT, 'by must name who revoked');
  return { clientId, at: at.toISOString(), reason: details.reason.trim(), by: details.by.trim() };
}

/** Reads a stored revocation back (a hand-written or older entry that does not read as one throws). */
export function parseRevocation(json: string): Revocation {
  const value = JSON.parse(json) as Partial<Revocation>;
  return validRevocation(value.clientId as string, value as RevocationDetails);
}
