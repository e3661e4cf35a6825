/**
 * The gateway's internal token: subgraphs accept calls only from the gateway. The gateway signs a short-lived
 * ES256 JWT carrying the caller's Principal; subgraphs verify it against the JWKS the gateway publishes at
 * `/.well-known/jwks.json`.
 *
 * Rotating the gateway's key (GATEWAY_SIGNING_KEY_FILE): replicas restart one after the other, so for a moment one
 * signs with the old key while the JWKS a subgraph refetched holds only the new one, or the other way round. A key a
 * subgraph saw in the gateway's JWKS therefore keeps verifying for RETIRED_KEY_GRACE_MS after it left it, and no
 * longer: a key removed because it leaked is refused after that (restart the subgraphs to refuse it at once).
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ANONYMOUS, principalKey, type Principal } from './principal.ts';

export const INTERNAL_TOKEN_ISSUER = 'lgsp-gateway';
export const INTERNAL_TOKEN_AUDIENCE = 'lgsp-subgraphs';
export const INTERNAL_TOKEN_ALG = 'ES256';
/** Header the gateway puts the internal token in (the caller's own Authorization header is not forwarded). */
export const INTERNAL_TOKEN_HEADER = 'authorization';

export interface InternalTokenIssuer {
  /** Returns a token for this principal, reusing a cached one while it has more than half its life left. */
  tokenFor(principal: Principal): Promise<string>;
  /** The public keys, as published at /.well-known/jwks.json. */
  jwks(): JSONWebKeySet;
}

/**
 * Creates the gateway's signer. With `privateJwkFile` (a JSON private JWK, P-256) every replica signs with the
 * same key; without it a key pair is generated in memory at start-up (one gateway process, or development).
 */
export async function createInternalTokenIssuer(options: { ttlSeconds: number; privateJwkFile?: string | undefined }): Promise<InternalTokenIssuer> {
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  if (options.privateJwkFile !== undefined) {
    const jwk = JSON.parse(await readFile(options.privateJwkFile, 'utf8')) as JWK;
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || jwk.d === undefined) {
      throw new Error(`GATEWAY_SIGNING_KEY_FILE: ${options.privateJwkFile} must hold a private EC P-256 JWK`);
    }
    privateKey = (await importJWK(jwk, INTERNAL_TOKEN_ALG)) as CryptoKey;
    const { d: _d, ...pub } = jwk;
    publicJwk = pub;
  } else {
    const pair = await generateKeyPair(INTERNAL_TOKEN_ALG, { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = await exportJWK(pair.publicKey);
  }
  const kid = createHash('sha256')
    .update(JSON.stringify([publicJwk.x, publicJwk.y]))
    .digest('base64url')
    .slice(0, 16);
  const published: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg: INTERNAL_TOKEN_ALG, use: 'sig' }] };
  const cache = new Map<string, { token: string; renewAt: number }>();

  return {
    jwks: () => published,
    async tokenFor(principal) {
      const key = principalKey(principal);
      const now = Date.now();
      const cached = cache.get(key);
      if (cached !== undefined && cached.renewAt > now) return cached.token;
      const token = await new SignJWT({ principal })
        .setProtectedHeader({ alg: INTERNAL_TOKEN_ALG, kid, typ: 'JWT' })
        .setIssuer(INTERNAL_TOKEN_ISSUER)
        .setAudience(INTERNAL_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(now / 1000) + options.ttlSeconds)
        .sign(privateKey);
      if (cache.size > 10_000) cache.clear(); // bounded: principals are few, but never let this grow without limit
      cache.set(key, { token, renewAt: now + (options.ttlSeconds * 1000) / 2 });
      return token;
    },
  };
}

export interface InternalTokenVerifier {
  /** Verifies the header value (`Bearer <jwt>`) and returns the caller's principal, or throws with a reason. */
  verify(authorizationHeader: string | undefined): Promise<Principal>;
}

export class InternalTokenError extends Error {
  override name = 'InternalTokenError';
}

/** How long a key that left the gateway's JWKS still verifies tokens (a rolling restart's replicas on the other key). */
export const RETIRED_KEY_GRACE_MS = 2 * 60_000;

/**
 * The gateway's remote key set, plus the keys that left it less than RETIRED_KEY_GRACE_MS ago. Only keys this
 * subgraph fetched from the gateway itself are kept; a key back in the set is current again.
 */
function withRetiredKeys(remote: ReturnType<typeof createRemoteJWKSet>, now: () => number): JWTVerifyGetKey {
  const retired = new Map<string, { jwk: JWK; until: number }>();
  let seen: JWK[] = [];
  const notice = () => {
    const current = remote.jwks()?.keys ?? [];
    if (current === seen) return;
    for (const key of seen) {
      if (key.kid !== undefined && !current.some((c) => c.kid === key.kid)) retired.set(key.kid, { jwk: key, until: now() + RETIRED_KEY_GRACE_MS });
    }
    for (const key of current) if (key.kid !== undefined) retired.delete(key.kid);
    seen = current;
  };
  return async (header, token) => {
    try {
      const key = await remote(header, token);
      notice();
      return key;
    } catch (error) {
      notice();
      const old = header.kid === undefined ? undefined : retired.get(header.kid);
      if (old === undefined || old.until <= now() || header.alg !== INTERNAL_TOKEN_ALG) throw error;
      return importJWK(old.jwk, INTERNAL_TOKEN_ALG);
    }
  };
}

/**
 * Subgraph side: verifies against the gateway's JWKS URL (or a local key set, for tests). `refetchCooldownMs` is the
 * shortest time between two fetches of the JWKS for an unknown key id; `now` the clock of the retired-key grace.
 */
export function createInternalTokenVerifier(
  source: { jwksUrl: string; refetchCooldownMs?: number; now?: () => number } | { jwks: JSONWebKeySet },
): InternalTokenVerifier {
  const keySet =
    'jwksUrl' in source
      ? withRetiredKeys(
          createRemoteJWKSet(new URL(source.jwksUrl), {
            cooldownDuration: source.refetchCooldownMs ?? 5_000,
            cacheMaxAge: 10 * 60_000,
            timeoutDuration: 5_000,
          }),
          source.now ?? Date.now,
        )
      : createLocalJWKSet(source.jwks);
  const verified = new Map<string, { principal: Principal; exp: number }>();
  return {
    async verify(header) {
      if (header === undefined || header === '') throw new InternalTokenError('missing internal token');
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header);
      if (match === null) throw new InternalTokenError('malformed Authorization header');
      const token = match[1]!;
      const now = Math.floor(Date.now() / 1000);
      // Tokens are reused by the gateway for half their life: verify a given token once, then trust it until exp.
      const hit = verified.get(token);
      if (hit !== undefined && hit.exp > now) return hit.principal;
      try {
        const { payload } = await jwtVerify(token, keySet, {
          issuer: INTERNAL_TOKEN_ISSUER,
          audience: INTERNAL_TOKEN_AUDIENCE,
          algorithms: [INTERNAL_TOKEN_ALG],
          requiredClaims: ['exp', 'iat'],
          clockTolerance: 5,
        });
        const principal = (payload.principal as Principal | undefined) ?? ANONYMOUS;
        if (verified.size > 10_000) verified.clear();
        verified.set(token, { principal, exp: payload.exp! });
        return principal;
      } catch (error) {
        throw new InternalTokenError(`invalid internal token: ${(error as Error).message}`);
      }
    },
  };
}
