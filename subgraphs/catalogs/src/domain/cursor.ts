/**
 * Opaque, tamper-evident pagination cursors. A cursor carries the catalog version, the position and a digest of
 * the filter it was issued for, signed with HMAC-SHA256. A cursor that was altered, forged, issued by a process
 * with another key, or replayed with a different filter is refused with INVALID_CURSOR.
 */
import { createHash } from 'node:crypto';
import { createHmacKeyring, ErrorCode, LgspError } from '@lgsp/kit';

export interface CursorPosition {
  /** Catalog version the listing was read from: later pages read the same version. */
  version: number;
  /** Index of the item the cursor points at. */
  offset: number;
}

export interface CursorCodec {
  encode(scope: string, position: CursorPosition): string;
  decode(scope: string, cursor: string): CursorPosition;
}

/**
 * `secret`: the signing key. Give every replica the same one (CATALOGS_CURSOR_SECRET) so that a cursor from one
 * replica works on another; without it a random per-process key is used and cursors do not survive a restart.
 * `previousSecret` (CATALOGS_CURSOR_SECRET_PREVIOUS): after a rotation, cursors it signed are still read; new ones
 * are signed with `secret`.
 */
export function createCursorCodec(secret?: string, previousSecret?: string): CursorCodec {
  // Signatures of 16 bytes: enough against forgery for a cursor, and they keep cursors short.
  const keys = createHmacKeyring(secret, previousSecret, 16);
  const scopeDigest = (scope: string) => createHash('sha256').update(scope).digest('base64url').slice(0, 11);
  const invalid = () =>
    new LgspError(ErrorCode.INVALID_CURSOR, 'The cursor is not valid for this query (altered, expired or issued for other arguments)', { argument: 'after' });

  return {
    encode(scope, { version, offset }) {
      const body = Buffer.from(JSON.stringify([version, offset, scopeDigest(scope)])).toString('base64url');
      return `${body}.${keys.sign(body).toString('base64url')}`;
    },
    decode(scope, cursor) {
      if (cursor.length > 200) throw invalid();
      const [body, mac, extra] = cursor.split('.');
      if (body === undefined || mac === undefined || extra !== undefined) throw invalid();
      if (!keys.verify(body, Buffer.from(mac, 'base64url'))) throw invalid();
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!Array.isArray(decoded) || decoded.length !== 3) throw invalid();
      const [version, offset, digest] = decoded as [unknown, unknown, unknown];
      if (!Number.isSafeInteger(version) || !Number.isSafeInteger(offset) || (offset as number) < 0 || digest !== scopeDigest(scope)) throw invalid();
      return { version: version as number, offset: offset as number };
    },
  };
}
