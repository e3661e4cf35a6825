/**
 * How the exchange says no: the `reason`s callers and the HTTP layer see (`extensions.reason`, turned into status
 * codes by `http/exchange-routes.ts`), and the one mapping of content-read failures to them, shared by the claim's
 * inline read and the download so that both answer a missing content or an unavailable key the same way.
 */
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';
import { ContentGoneError, MasterKeyUnavailableError } from './content-cipher.ts';
import type { RelayMetrics } from './metrics.ts';
import type { RouteRefusal } from './agency-directory.ts';

/** Why an upload or download was refused: the HTTP layer turns `reason` into a status code. */
export type ExchangeFailure =
  | 'TOKEN_INVALID'
  | 'SPACE_EXPIRED'
  | 'SPACE_CLOSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'SIZE_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'DIGEST_FIELD_INVALID'
  | 'CONTENT_GONE'
  | 'NOT_CLAIMED'
  | 'NOT_READY'
  | 'ALREADY_DELIVERED'
  | 'DELIVERY_CLOSED'
  | 'INLINE_TOO_LARGE'
  | 'CONTENT_NOT_BASE64'
  | 'CONTENT_REJECTED'
  /** The content was stored under a master key this relay is not configured with (a key rotation); it is kept. */
  | 'CONTENT_KEY_UNAVAILABLE'
  /** Who may send what to whom (the registry's agencies and relay routes, `RouteRefusal`). */
  | RouteRefusal
  /** The agency directory (the registry) was never reachable since the relay started: exchange requests wait for it. */
  | 'DIRECTORY_UNAVAILABLE';

export function exchangeError(code: ErrorCode, reason: ExchangeFailure, message: string, details: Record<string, unknown> = {}): LgspError {
  return new LgspError(code, message, { reason, ...details });
}

export const contentGone = (packetId: string) => exchangeError(ErrorCode.NOT_FOUND, 'CONTENT_GONE', `packet ${packetId} holds no content`);

/** What a caller is told when reading a packet's content failed: gone, its key unavailable, or the error itself. */
export function contentReadFailure(error: unknown, packetId: string, report: KeyUnavailableReport): unknown {
  if (error instanceof ContentGoneError) return contentGone(packetId);
  if (error instanceof MasterKeyUnavailableError) return keyUnavailable(error, report);
  return error;
}

export interface KeyUnavailableReport {
  metrics: RelayMetrics;
  logger: Logger;
}

/**
 * Content this relay cannot decrypt because its master key was dropped from the configuration: the operator is
 * told which key (by id, never the key), the caller gets a retryable error, and the content stays stored.
 */
export function keyUnavailable(error: MasterKeyUnavailableError, { metrics, logger }: KeyUnavailableReport): LgspError {
  metrics.contentKeyUnavailable.inc();
  logger.error(
    { masterKeyId: error.masterKeyId, reason: error.message },
    'content key unavailable: list the master key it was stored under in RELAY_MASTER_KEY_PREVIOUS',
  );
  return exchangeError(
    ErrorCode.INTERNAL_SERVER_ERROR,
    'CONTENT_KEY_UNAVAILABLE',
    'the relay cannot decrypt this content now (its encryption key is not configured); the content is kept: try again later or tell the platform operator',
  );
}
