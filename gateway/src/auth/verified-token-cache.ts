/**
 * Verified access tokens, remembered: an agency system sends the same token with every request for the token's
 * whole life (5 minutes with the realm's settings), so its RS256 signature is checked once, not per request.
 *
 * What the cache may and may not do:
 * - it stores only tokens that passed every check of the verifier it wraps; a refusal is never stored, so a bad
 *   token costs a full verification each time, as without the cache;
 * - a stored token expires exactly when the verifier would call it expired (`isExpired`: jose's rule with the same
 *   clock skew) and is then refused with the same reason and description (`expired`);
 * - an entry is trusted at most `maxAgeSeconds` after its verification (AUTH_JWKS_CACHE_SECONDS or 60 s, whichever
 *   is shorter), and not at all once a fetch brought a different realm key set: a rotated or removed key is
 *   honoured as soon as the gateway learns of it, and in any case within that age;
 * - it holds at most `maxEntries` tokens (AUTH_TOKEN_CACHE_SIZE; 0 = no cache), the oldest evicted first;
 * - it is keyed by the SHA-256 of the token, not the token: the gateway's memory holds no bearer credential for
 *   minutes (a heap dump yields claims, which cannot be replayed), and a key is 44 characters whatever the token's
 *   size (tokens may be 8 KiB); finding a second token with the same hash is not feasible;
 * - the claims it hands out are deep-frozen: no caller can change what the next request with the token sees.
 */
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { expiredTokenError, isExpired, type AccessTokenVerifier } from './access-token.ts';

/** The longest an entry is trusted without verifying the token again. */
export const TOKEN_CACHE_MAX_AGE_SECONDS = 60;

/** What a lookup found: a usable entry, none (or a stale one: verified again), or an expired token (refused). */
export type TokenCacheOutcome = 'hit' | 'miss' | 'expired';

export interface VerifiedTokenCacheOptions {
  /** AUTH_TOKEN_CACHE_SIZE: most tokens held; 0 turns the cache off. */
  maxEntries: number;
  /** An entry is verified again this long after its verification. */
  maxAgeSeconds: number;
  /** AUTH_CLOCK_SKEW_SECONDS: the verifier's tolerance for `exp`. */
  clockSkewSeconds: number;
  /** The realm key set's generation (RealmKeySet.generation): entries verified under another one are not used. */
  keysGeneration: () => number;
  /** Milliseconds since the epoch (Date.now); the same clock as the verifier's. */
  clock?: () => number;
  /** Called once per verification asked of the cache (metrics). */
  onLookup?: (outcome: TokenCacheOutcome) => void;
}

export interface CachingAccessTokenVerifier extends AccessTokenVerifier {
  /** Tokens held now. */
  readonly size: number;
}

interface Entry {
  claims: JWTPayload;
  exp: number;
  verifiedAt: number;
  generation: number;
}

/** `verifier` with a cache in front of it, or `verifier` itself when `maxEntries` is 0. */
export function cacheVerifiedTokens(verifier: AccessTokenVerifier, options: VerifiedTokenCacheOptions): CachingAccessTokenVerifier {
  if (options.maxEntries === 0) {
    return { verify: (token) => verifier.verify(token), size: 0 };
  }
  const clock = options.clock ?? Date.now;
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const entries = new Map<string, Entry>(); // insertion order = verification order: the first is the oldest

  return {
    get size() {
      return entries.size;
    },
    async verify(token) {
      const key = createHash('sha256').update(token).digest('base64'); // (crypto.hash needs Node 20.12; engines say 20.10)
      const entry = entries.get(key);
      if (entry !== undefined) {
        const now = clock();
        if (isExpired(entry.exp, now, options.clockSkewSeconds)) {
          entries.delete(key);
          options.onLookup?.('expired');
          throw expiredTokenError();
        }
        // (now < verifiedAt: the clock went back; trust nothing measured with it)
        if (now - entry.verifiedAt < maxAgeMs && now >= entry.verifiedAt && entry.generation === options.keysGeneration()) {
          options.onLookup?.('hit');
          return entry.claims;
        }
        entries.delete(key);
      }
      options.onLookup?.('miss');
      // Read before verifying: keys that change meanwhile leave an entry that is never used.
      const generation = options.keysGeneration();
      const verifiedAt = clock();
      const claims = deepFreeze(await verifier.verify(token));
      if (typeof claims.exp !== 'number') return claims; // the verifier requires exp; never trust an entry without one
      entries.delete(key); // a concurrent verification of the same token stored it already: this one is newer
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { claims, exp: claims.exp, verifiedAt, generation });
      return claims;
    },
  };
}

/** Freezes a JSON value (the verified payload) and everything in it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
