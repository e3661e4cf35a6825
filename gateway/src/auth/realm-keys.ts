/**
 * The realm's signing keys (its JWKS), cached with an expiry, refreshed once — for every request waiting on it —
 * when a token names a `kid` the cache does not hold, and at most once per cooldown for that reason.
 *
 * Why not jose's `createRemoteJWKSet`: its cooldown starts at *every* fetch, including the first one and the
 * periodic re-fetch, so a key the realm starts using within `cooldownDuration` (30 s by default) of any fetch is
 * refused until the cooldown ends (checked with jose 6.2; keycloak-connect does the same with 10 s, docs/findings.md #3).
 * Here only refreshes *caused by an unknown kid* start the cooldown: a rotation is picked up by the first token
 * that uses the new key, while a flood of tokens with made-up kids costs at most one fetch per cooldown.
 * See docs/decisions/0005-keycloak-connect.md.
 */
import { importJWK, type JWK, type JWSHeaderParameters } from 'jose';
import type { Logger } from '@lgsp/kit';
import { AuthenticationError } from './authentication-error.ts';

export interface RealmKeySetOptions {
  /** `${KEYCLOAK_URL}/protocol/openid-connect/certs` (or AUTH_JWKS_URL). */
  jwksUrl: string;
  /** Keys are trusted this long after they were fetched, then fetched again before use (AUTH_JWKS_CACHE_SECONDS). */
  cacheSeconds: number;
  /** At most one unknown-kid refresh per this many seconds (AUTH_JWKS_REFRESH_COOLDOWN_SECONDS). */
  refreshCooldownSeconds: number;
  /** Timeout of one JWKS fetch. */
  timeoutMs: number;
  logger?: Logger;
  /** Milliseconds since the epoch; tests pass a clock they move by hand. */
  clock?: () => number;
  /** Called once per JWKS fetch, with why it happened and how it ended (metrics). */
  onFetch?: (trigger: JwksFetchTrigger, outcome: 'success' | 'failure') => void;
}

/** Why the key set was fetched: empty cache, cache expired, or a token named an unknown kid. */
export type JwksFetchTrigger = 'initial' | 'expired' | 'unknown_kid';

export interface RealmKeySet {
  /** The key for a token's protected header (a jose key resolver); throws AuthenticationError. */
  keyFor(header: JWSHeaderParameters): Promise<CryptoKey>;
  /**
   * Changes whenever a fetch brings a key set that differs from the previous one (a rotation, a removed key): what
   * was verified with the earlier keys may no longer verify (verified-token-cache.ts drops it).
   */
  readonly generation: number;
}

/** After a failed fetch, requests fail fast for this long instead of each trying the realm again. */
const FAILURE_BACKOFF_MS = 1_000;
/** A JWKS is a few kilobytes; refuse anything absurd. */
const MAX_JWKS_BYTES = 512 * 1024;

interface CachedKeys {
  keys: Map<string, JWK>;
  fetchedAt: number;
}

/** Which key types fit which algorithm family (a JWKS may also hold encryption keys and other types). */
function keyFits(jwk: JWK, alg: string): boolean {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
  if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
  if (alg === 'EdDSA' || alg === 'Ed25519') return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  return false;
}

export function createRealmKeySet(options: RealmKeySetOptions): RealmKeySet {
  const clock = options.clock ?? Date.now;
  const cacheMs = options.cacheSeconds * 1000;
  const cooldownMs = options.refreshCooldownSeconds * 1000;
  let cached: CachedKeys | undefined;
  let inFlight: Promise<CachedKeys> | undefined;
  let lastUnknownKidRefresh = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  const imported = new Map<string, CryptoKey>(); // `${kid} ${alg}` → key, cleared with every new key set
  let generation = 0;
  let fingerprint: string | undefined;

  async function fetchKeys(): Promise<CachedKeys> {
    const response = await fetch(options.jwksUrl, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    if (response.status !== 200) throw new Error(`JWKS endpoint answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS is too large');
    const body = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys array');
    const keys = new Map<string, JWK>();
    for (const candidate of body.keys as JWK[]) {
      if (typeof candidate !== 'object' || candidate === null || typeof candidate.kid !== 'string' || candidate.kid === '') continue;
      if (candidate.use !== undefined && candidate.use !== 'sig') continue; // Keycloak also publishes its RSA-OAEP key
      if (candidate.kty !== 'RSA' && candidate.kty !== 'EC' && candidate.kty !== 'OKP') continue; // never a symmetric key
      // Public members only, whatever the endpoint sent.
      const { kty, kid, alg, use, n, e, crv, x, y } = candidate;
      keys.set(candidate.kid, Object.fromEntries(Object.entries({ kty, kid, alg, use, n, e, crv, x, y }).filter(([, v]) => v !== undefined)) as JWK);
    }
    return { keys, fetchedAt: clock() };
  }

  /** One fetch at a time: every caller that needs fresh keys while one is running waits for that one. */
  function refresh(trigger: JwksFetchTrigger): Promise<CachedKeys> {
    inFlight ??= fetchKeys()
      .then((fresh) => {
        const freshFingerprint = JSON.stringify([...fresh.keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        if (fingerprint !== undefined && freshFingerprint !== fingerprint) generation++;
        fingerprint = freshFingerprint;
        cached = fresh;
        imported.clear();
        options.onFetch?.(trigger, 'success');
        options.logger?.info({ event: 'jwks.fetched', trigger, kids: [...fresh.keys.keys()] }, 'realm signing keys fetched');
        return fresh;
      })
      .catch((error: unknown) => {
        failedAt = clock();
        options.onFetch?.(trigger, 'failure');
        options.logger?.error({ event: 'jwks.failed', trigger, reason: (error as Error).message }, 'could not fetch the realm signing keys');
        throw new AuthenticationError('keys_unavailable', 'The identity provider signing keys are unavailable; try again shortly');
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  async function current(): Promise<CachedKeys> {
    if (inFlight !== undefined) return inFlight;
    if (cached !== undefined && clock() - cached.fetchedAt < cacheMs) return cached;
    if (clock() - failedAt < FAILURE_BACKOFF_MS) {
      throw new AuthenticationError('keys_unavailable', 'The identity provider signing keys are unavailable; try again shortly');
    }
    return refresh(cached === undefined ? 'initial' : 'expired');
  }

  return {
    get generation() {
      return generation;
    },
    async keyFor(header) {
      const { kid, alg } = header;
      if (typeof kid !== 'string' || kid === '') throw new AuthenticationError('unknown_key', 'Token header has no kid');
      if (typeof alg !== 'string') throw new AuthenticationError('algorithm', 'Token header has no alg');
      const before = cached;
      let keys = await current();
      let jwk = keys.keys.get(kid);
      if (jwk === undefined) {
        if (inFlight !== undefined) {
          keys = await inFlight;
        } else if (keys === before && clock() - lastUnknownKidRefresh >= cooldownMs) {
          // (keys !== before: they were fetched during this call, a second fetch would tell nothing new)
          lastUnknownKidRefresh = clock();
          keys = await refresh('unknown_kid');
        }
        jwk = keys.keys.get(kid);
        if (jwk === undefined) throw new AuthenticationError('unknown_key', 'Token is signed with a key the realm does not publish (unknown kid)');
      }
      if ((jwk.alg !== undefined && jwk.alg !== alg) || !keyFits(jwk, alg)) {
        throw new AuthenticationError('key_mismatch', `The realm key named by the token is not a ${alg} key`);
      }
      const cacheKey = `${kid} ${alg}`;
      let key = imported.get(cacheKey);
      if (key === undefined) {
        key = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey;
        imported.set(cacheKey, key);
      }
      return key;
    },
  };
}
