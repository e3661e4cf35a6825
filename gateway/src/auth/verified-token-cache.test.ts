/**
 * The verified-token cache in front of the real verifier, with real RS256 keys behind a real JWKS endpoint: what
 * it saves (signature checks, seen as key lookups: jose asks for the key once per signature it verifies), and what
 * it must never change (expiry to the second with the same skew and error, refusals, key changes, bounds).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMetricsRegistry, Role } from '@lgsp/kit';
import { SignJWT, type JWTPayload } from 'jose';
import { pino } from 'pino';
import { gatewayConfig } from '../config.ts';
import { JwksEndpoint, signingKey, type SigningKey } from '../testing/jwks-endpoint.ts';
import { rejection } from '../testing/rejections.ts';
import { createAccessTokenVerifier, type AccessTokenPolicy } from './access-token.ts';
import { createAuthenticator } from './authenticate.ts';
import { AuthenticationError } from './authentication-error.ts';
import { createRealmKeySet, type RealmKeySet } from './realm-keys.ts';
import { cacheVerifiedTokens, type TokenCacheOutcome, type VerifiedTokenCacheOptions } from './verified-token-cache.ts';

const ISSUER = 'http://127.0.0.1:1/realms/lgsp';
const AUDIENCE = 'lgsp-gateway';

const endpoint = new JwksEndpoint();
let keyA: SigningKey;
let keyB: SigningKey;
let serial = 0;

/** A Keycloak-shaped access token; times in seconds since the epoch. */
async function token(options: { key?: SigningKey; iat?: number; exp?: number; audience?: string; claims?: JWTPayload } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = options.key ?? keyA;
  return new SignJWT({
    typ: 'Bearer',
    realm_access: { roles: [Role.agencySystem] },
    azp: 'sotaichinh-h41-dkkd',
    preferred_username: 'service-account-sotaichinh-h41-dkkd',
    ...options.claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject('service-account-user-1')
    .setJti(`jti-${++serial}`)
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 300)
    .sign(key.privateKey);
}

/** A signature that does not match (the last character of the signature changed). */
function tampered(jwt: string): string {
  const last = jwt.at(-2) === 'A' ? 'B' : 'A';
  return `${jwt.slice(0, -2)}${last}${jwt.at(-1)}`;
}

/**
 * The real chain: realm key set → verifier → cache; `lookups` counts the key lookups jose makes (one per signature
 * it checks), through a key set that passes every call on to the real one.
 */
function chain(cache: Partial<VerifiedTokenCacheOptions> = {}, policy: Partial<AccessTokenPolicy> = {}) {
  const realm = createRealmKeySet({ jwksUrl: endpoint.url, cacheSeconds: 300, refreshCooldownSeconds: 0, timeoutMs: 2_000, clock: policy.clock });
  const counted = { lookups: 0 };
  const keys: RealmKeySet = {
    get generation() {
      return realm.generation;
    },
    keyFor(header) {
      counted.lookups++;
      return realm.keyFor(header);
    },
  };
  const verifierPolicy: AccessTokenPolicy = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], clockSkewSeconds: 30, maxTokenBytes: 8192, ...policy };
  const uncached = createAccessTokenVerifier(verifierPolicy, keys);
  const outcomes: TokenCacheOutcome[] = [];
  const cached = cacheVerifiedTokens(uncached, {
    maxEntries: 100,
    maxAgeSeconds: 60,
    clockSkewSeconds: verifierPolicy.clockSkewSeconds,
    keysGeneration: () => realm.generation,
    clock: policy.clock,
    onLookup: (outcome) => outcomes.push(outcome),
    ...cache,
  });
  return { cached, uncached, counted, outcomes };
}

/** `ok` or the refusal's reason and description, for comparing two verifiers' verdicts. */
async function verdict(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof AuthenticationError, String(error));
    return `${error.reason}: ${error.description}`;
  }
}

before(async () => {
  await endpoint.start();
  keyA = await signingKey();
  keyB = await signingKey();
});
after(() => endpoint.close());
beforeEach(() => {
  endpoint.published = [keyA.publicJwk, keyB.publicJwk];
});

describe('verified-token cache', () => {
  it('verifies a token once: the same token again costs no signature check and gives the same claims', async () => {
    const { cached, counted, outcomes } = chain();
    const jwt = await token();
    const first = await cached.verify(jwt);
    assert.equal(counted.lookups, 1);
    const second = await cached.verify(jwt);
    const third = await cached.verify(jwt);
    assert.equal(counted.lookups, 1, 'no signature check for the cached token');
    assert.deepEqual(outcomes, ['miss', 'hit', 'hit']);
    assert.equal(second.sub, 'service-account-user-1');
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);

    const other = await token();
    await cached.verify(other);
    assert.equal(counted.lookups, 2, 'another token is verified');
    assert.equal(cached.size, 2);
  });

  it('hands out frozen claims: a caller cannot change what the next request with the token sees', async () => {
    const { cached } = chain();
    const jwt = await token();
    const claims = await cached.verify(jwt);
    assert.throws(() => {
      (claims as Record<string, unknown>).sub = 'someone-else';
    }, TypeError);
    assert.throws(() => (claims.realm_access as { roles: string[] }).roles.push('admin'), TypeError);
    const again = await cached.verify(jwt);
    assert.equal(again.sub, 'service-account-user-1');
    assert.deepEqual(again.realm_access, { roles: [Role.agencySystem] });
  });

  it('refuses a cached token once it has expired, as the verifier does: reason expired (real time, no skew)', async () => {
    const { cached, uncached, counted, outcomes } = chain({}, { clockSkewSeconds: 0 });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const jwt = await token({ exp });
    await cached.verify(jwt);
    await cached.verify(jwt);
    assert.deepEqual(outcomes, ['miss', 'hit']);
    await sleep(exp * 1000 - Date.now() + 20);
    const refused = await rejection(cached.verify(jwt));
    assert.equal(refused.reason, 'expired');
    assert.deepEqual(outcomes, ['miss', 'hit', 'expired']);
    assert.equal(counted.lookups, 1, 'refused by the cache itself');
    const uncachedRefusal = await rejection(uncached.verify(jwt));
    assert.equal(uncachedRefusal.reason, refused.reason);
    assert.equal(uncachedRefusal.description, refused.description);
    assert.equal(cached.size, 0, 'the expired entry is gone');
    assert.equal((await rejection(cached.verify(jwt))).reason, 'expired', 'and stays refused (now by the verifier)');
  });

  for (const skew of [0, 30]) {
    it(`expires to the millisecond where jose does, with a clock skew of ${skew} s`, async () => {
      const exp = 1_800_000_000;
      // Just before, at and after the last valid instant (exp + skew seconds is the first expired whole second).
      const instants = [exp - 1, exp, exp + skew - 1, exp + skew].flatMap((s) => [s * 1000 - 1, s * 1000, s * 1000 + 999]);
      for (const instant of instants) {
        let now = (exp - 120) * 1000;
        const { cached, uncached, outcomes } = chain({ maxAgeSeconds: 3600 }, { clockSkewSeconds: skew, clock: () => now });
        const jwt = await token({ iat: exp - 300, exp });
        await cached.verify(jwt);
        now = instant;
        const fromCache = await verdict(cached.verify(jwt));
        const fromVerifier = await verdict(uncached.verify(jwt));
        assert.equal(fromCache, fromVerifier, `at exp ${(instant - exp * 1000) / 1000} s`);
        assert.equal(outcomes[1], fromCache === 'ok' ? 'hit' : 'expired', 'the cache decided, not the verifier');
        assert.equal(fromCache === 'ok', Math.floor(instant / 1000) < exp + skew);
      }
    });
  }

  it('holds at most maxEntries tokens and evicts the oldest first', async () => {
    const { cached, counted } = chain({ maxEntries: 3 });
    const [t1, t2, t3, t4] = await Promise.all([token(), token(), token(), token()]);
    for (const jwt of [t1!, t2!, t3!, t4!]) await cached.verify(jwt);
    assert.equal(counted.lookups, 4);
    assert.equal(cached.size, 3);
    for (const jwt of [t4!, t3!, t2!]) await cached.verify(jwt);
    assert.equal(counted.lookups, 4, 't2, t3, t4 are held');
    await cached.verify(t1!);
    assert.equal(counted.lookups, 5, 't1 was evicted (the oldest)');
    await cached.verify(t2!);
    assert.equal(counted.lookups, 6, 'holding t1 again evicted t2, then the oldest');
    assert.equal(cached.size, 3);
  });

  it('verifies a token again once its entry is maxAgeSeconds old', async () => {
    let now = Date.now();
    const start = now;
    const { cached, counted, outcomes } = chain({ maxAgeSeconds: 60 }, { clock: () => now });
    const jwt = await token({ exp: Math.floor(start / 1000) + 300 });
    await cached.verify(jwt);
    now = start + 59_999;
    await cached.verify(jwt);
    assert.equal(counted.lookups, 1);
    now = start + 60_000;
    await cached.verify(jwt);
    assert.equal(counted.lookups, 2, 'verified again at 60 s');
    now = start + 60_000 + 59_999;
    await cached.verify(jwt);
    assert.equal(counted.lookups, 2, 'and trusted for another 60 s');
    now = start - 1_000; // the clock went back: nothing measured with it is trusted
    await cached.verify(jwt);
    assert.equal(counted.lookups, 3);
    assert.deepEqual(outcomes, ['miss', 'hit', 'miss', 'hit', 'miss']);
  });

  it('stops trusting cached tokens as soon as a fetch brings a different key set (a removed key)', async () => {
    const { cached, counted } = chain();
    const signedByA = await token({ key: keyA });
    await cached.verify(signedByA);
    await cached.verify(signedByA);
    assert.equal(counted.lookups, 1);

    // The realm drops key A; a key set fetch happens (here: the first token naming a kid the gateway lacks).
    endpoint.published = [keyB.publicJwk];
    const unknownKid = await signingKey();
    await rejection(cached.verify(await token({ key: unknownKid })));

    const refused = await rejection(cached.verify(signedByA));
    assert.equal(refused.reason, 'unknown_key', 'verified again, against the keys the realm publishes now');
    assert.equal(cached.size, 0);
    await cached.verify(await token({ key: keyB }));
  });

  it('never stores a refused token: each presentation is verified again', async () => {
    const { cached, counted } = chain();
    const now = Math.floor(Date.now() / 1000);
    const refusedTokens: Array<[string, string]> = [
      [tampered(await token()), 'signature'],
      [await token({ claims: { typ: 'ID' } }), 'token_type'],
      [await token({ iat: now - 600, exp: now - 120 }), 'expired'],
      [await token({ audience: 'account' }), 'audience'],
    ];
    for (const [jwt, reason] of refusedTokens) {
      const before = counted.lookups;
      for (let attempt = 0; attempt < 3; attempt++) assert.equal((await rejection(cached.verify(jwt))).reason, reason);
      assert.equal(counted.lookups - before, 3, `${reason}: a signature check per attempt`);
    }
    assert.equal(cached.size, 0);
  });

  it('maxEntries 0: no cache, every verification checks the signature', async () => {
    const { cached, counted, outcomes } = chain({ maxEntries: 0 });
    const jwt = await token();
    await cached.verify(jwt);
    await cached.verify(jwt);
    assert.equal(counted.lookups, 2);
    assert.deepEqual(outcomes, []);
    assert.equal(cached.size, 0);
  });
});

describe('verified-token cache in the authenticator', () => {
  async function cacheCount(registry: ReturnType<typeof createMetricsRegistry>, outcome: string): Promise<number> {
    const metric = await registry.getSingleMetric('lgsp_gateway_access_token_cache_total')?.get();
    return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  }

  for (const tokenCacheSize of [10_000, 0]) {
    it(`AUTH_TOKEN_CACHE_SIZE=${tokenCacheSize}: the same principal each time, ${tokenCacheSize === 0 ? 'verified every time' : 'verified once'}`, async () => {
      const registry = createMetricsRegistry('gateway');
      const authenticator = createAuthenticator(
        { ...gatewayConfig().authentication, realmUrl: ISSUER, jwksUrl: endpoint.url, tokenCacheSize },
        { logger: pino({ level: 'silent' }), metrics: registry },
      );
      const header = [`Bearer ${await token()}`];
      const principals = [await authenticator.principalFor(header), await authenticator.principalFor(header), await authenticator.principalFor(header)];
      assert.equal(principals[0]?.kind, 'system');
      assert.deepEqual(principals[1], principals[0]);
      assert.deepEqual(principals[2], principals[0]);
      assert.equal(await cacheCount(registry, 'hit'), tokenCacheSize === 0 ? 0 : 2);
      assert.equal(await cacheCount(registry, 'miss'), tokenCacheSize === 0 ? 0 : 1);
    });
  }
});
