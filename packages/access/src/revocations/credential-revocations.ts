/**
 * Credential revocations: the clients (Keycloak client ids) whose tokens the gateway refuses with 401
 * `CREDENTIAL_REVOKED`, although the tokens are still within their lifetime — a disabled or deleted client, a suspended
 * or cancelled access request. The registry writes them when it disables a client; the gateway keeps the list in
 * memory and re-reads it on every change notification and every `CREDENTIAL_REVOCATION_POLL_MS`. Three adapters with
 * one behaviour (credential-revocations.contract.ts): memory, Redis, HTTP.
 */
import { z } from 'zod';

const isoInstant = z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v), 'must be an ISO 8601 date-time');

/** A Keycloak client id: what the token's `azp` names. */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,255}$/, 'must be a client id (letters, digits, _ . : @ -, at most 255)');

/** Why and by whom a credential was revoked. */
export const revocationDetailsSchema = z
  .object({
    /** When it was revoked (ISO 8601). */
    at: isoInstant,
    /** Why (e.g. `access request AR-12 suspended: …`), for the operator and the audit trail. */
    reason: z.string().min(1).max(500),
    /** Who: an operator's or agency administrator's username, or `system`. */
    by: z.string().min(1).max(200),
  })
  .strict();

export type RevocationDetails = z.infer<typeof revocationDetailsSchema>;

/** A revoked credential. */
export interface Revocation extends RevocationDetails {
  clientId: string;
}

export const revocationSchema = revocationDetailsSchema.extend({ clientId: clientIdSchema }).strict();

export interface CredentialRevocations {
  /** Revokes the client's credential (replacing the details of an earlier revocation), then notifies subscribers. */
  revoke(clientId: string, details: RevocationDetails): Promise<void>;
  /** Lifts the revocation; true when there was one (subscribers are then notified). */
  restore(clientId: string): Promise<boolean>;
  /** Every revocation, in client id order. */
  list(): Promise<Revocation[]>;
  /** Whether the client's credential is revoked. */
  isRevoked(clientId: string): Promise<boolean>;
  /** A number that goes up by one with every change (a cache re-reads `list` when it moved). */
  version(): Promise<number>;
  /**
   * Calls `listener` after every change made through any store sharing this backend, and whenever notifications may
   * have been missed (a reconnect). Answers the unsubscribe.
   */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  /** Releases what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}

/** Checks a revocation; throws an Error whose message lists every problem. */
export function parseRevocation(clientId: string, details: RevocationDetails): Revocation {
  const result = revocationSchema.safeParse({ ...details, clientId });
  if (!result.success)
    throw new Error(`invalid revocation: ${result.error.issues.map((i) => `${i.path.join('.') || '(revocation)'}: ${i.message}`).join('; ')}`);
  return result.data;
}

/** Checks a client id given to `restore`/`isRevoked`; throws an Error naming the problem. */
export function checkClientId(clientId: string): void {
  const result = clientIdSchema.safeParse(clientId);
  if (!result.success) throw new Error(`invalid revocation: clientId: ${result.error.issues[0]?.message}`);
}
