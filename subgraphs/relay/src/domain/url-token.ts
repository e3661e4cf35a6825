/**
 * Short-lived capability tokens in the upload and download URLs: HMAC-SHA256 over a small JSON payload with the
 * secret `RELAY_URL_SECRET`. Whoever holds the URL may do that one thing, to that one packet, until it expires —
 * so the URLs work through the gateway's proxy and with plain curl, without the internal token.
 *
 * Rotating the secret: URLs are signed with `RELAY_URL_SECRET`; those signed with `RELAY_URL_SECRET_PREVIOUS` are
 * still honoured until they expire (RELAY_SPACE_TTL_MS, RELAY_CLAIM_TTL_MS), so a rotation cuts no transfer short.
 */
import { createHmacKeyring, type Environment } from '@lgsp/kit';

/** What every grant carries: the namespace its packet lives in (absent: production, as URLs signed before issue 16). */
interface NamespacedGrant {
  /** `test` for a packet of the test environment's namespace; a relay honours only grants of its own namespace. */
  environment?: Environment;
}

export interface UploadGrant extends NamespacedGrant {
  action: 'upload';
  packetId: string;
  expiresAtMs: number;
}

export interface DownloadGrant extends NamespacedGrant {
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

/** The namespace of a grant (absent: production). */
export function grantEnvironment(grant: UrlGrant): Environment {
  return grant.environment ?? 'production';
}

/**
 * The namespace a URL token claims, read without checking its signature: only to choose which namespace's relay
 * checks it (a forged claim reaches a relay that refuses the token, as any forged token is refused).
 */
export function claimedEnvironment(token: string): Environment {
  const payload = token.split('.')[0];
  if (payload === undefined || payload === '') return 'production';
  try {
    const claimed = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { environment?: unknown }).environment;
    return claimed === 'test' ? 'test' : 'production';
  } catch {
    return 'production';
  }
}

export function createUrlSigner(secret: string | undefined, previousSecret?: string): UrlSigner {
  const keys = createHmacKeyring(secret, previousSecret);
  return {
    ephemeral: secret === undefined,
    sign(grant) {
      const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
      return `${payload}.${keys.sign(payload).toString('base64url')}`;
    },
    verify(token, nowMs) {
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) return null;
      if (!keys.verify(payload, Buffer.from(signature, 'base64url'))) return null;
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
