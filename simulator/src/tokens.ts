/** WSO2 API Manager-style OAuth 2.0 client-credentials tokens (opaque UUIDs), as NGSP and provincial LGSPs issue. */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { TokenResponse } from './contract.ts';

export class TokenStore {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly consumerKey: string,
    private readonly consumerSecret: string,
    private readonly ttlSeconds: number,
  ) {}

  /** Checks `Authorization: Basic base64(consumerKey:consumerSecret)`. */
  clientAuthenticated(header: string | undefined): boolean {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    if (match === null) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return sameText(decoded.slice(0, colon), this.consumerKey) && sameText(decoded.slice(colon + 1), this.consumerSecret);
  }

  issue(now = Date.now()): TokenResponse {
    this.forgetExpired(now);
    const token = randomUUID();
    this.tokens.set(token, now + this.ttlSeconds * 1000);
    return { access_token: token, scope: 'am_application_scope default', token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  /** True when `Authorization: Bearer <token>` carries a token this store issued and that has not expired. */
  bearerValid(header: string | undefined, now = Date.now()): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (match === null) return false;
    const expiresAt = this.tokens.get(match[1]!);
    return expiresAt !== undefined && expiresAt > now;
  }

  /** Invalidates every issued token (as a platform restart or key rotation would). */
  revokeAll(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  private forgetExpired(now: number): void {
    if (this.tokens.size < 10_000) return;
    for (const [token, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(token);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
