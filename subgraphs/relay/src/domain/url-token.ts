/**
 * Short-lived capability tokens in the upload and download URLs: HMAC-SHA256 over a small JSON payload with the
 * secret `RELAY_URL_SECRET`. Whoever holds the URL may do that one thing, to that one packet, until it expires —
 * so the URLs work through the gateway's proxy and with plain curl, without the internal token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface UploadGrant {
  action: 'upload';
  packetId: string;
  expiresAtMs: number;
}

export interface DownloadGrant {
  action: 'download';
  packetId: string;
  recipient: string;
  system: string | null;
  /** The claim number this URL belongs to: a later claim (or a redelivery) makes it void. */
  claim: number;
  /** The upload attempt holding the content when claimed: the download reads it together with the record. */
  attempt?: string;
  expiresAtMs: number;
}

export type UrlGrant = UploadGrant | DownloadGrant;

export interface UrlSigner {
  sign(grant: UrlGrant): string;
  /** The grant, or null when the token is altered, malformed or expired. */
  verify(token: string, nowMs: number): UrlGrant | null;
  /** True when the secret was generated at start-up (URLs die with the process). */
  readonly ephemeral: boolean;
}

export function createUrlSigner(secret: string | undefined): UrlSigner {
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    ephemeral: secret === undefined,
    sign(grant) {
      const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    verify(token, nowMs) {
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return null;
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let grant: UrlGrant;
      try {
        grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as UrlGrant;
      } catch {
        return null;
      }
      if (typeof grant.expiresAtMs !== 'number' || grant.expiresAtMs <= nowMs) return null;
      return grant;
    },
  };
}
