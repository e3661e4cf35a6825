/**
 * The realm key set against a real JWKS endpoint (a small HTTP server whose key set the test changes), with real
 * RSA keys and a clock the test moves: caching, rotation, coalescing, the refresh cooldown, expiry, failures.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { JwksEndpoint, signingKey, type SigningKey } from '../testing/jwks-endpoint.ts';
import { rejection } from '../testing/rejections.ts';
import { AuthenticationError } from './authentication-error.ts';
import { createRealmKeySet, type JwksFetchTrigger, type RealmKeySetOptions } from './realm-keys.ts';

const endpoint = new JwksEndpoint();
let keyA: SigningKey;
let keyB: SigningKey;
let now: number;
let fetches: Array<[JwksFetchTrigger, string]>;

function keySet(overrides: Partial<RealmKeySetOptions> = {}) {
  return createRealmKeySet({
    jwksUrl: endpoint.url,
    cacheSeconds: 300,
    refreshCooldownSeconds: 10,
    timeoutMs: 2_000,
    clock: () => now,
    onFetch: (trigger, outcome) => fetches.push([trigger, outcome]),
    ...overrides,
  });
}

async function token(key: SigningKey, alg = 'RS256'): Promise<string> {
  return new SignJWT({ typ: 'Bearer' })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer('http://localhost:8080/realms/lgsp')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

before(async () => {
  await endpoint.start();
  keyA = await signingKey();
  keyB = await signingKey();
});
after(() => endpoint.close());
beforeEach(() => {
  endpoint.published = [keyA.publicJwk];
  endpoint.requests = 0;
  endpoint.failing = false;
  now = 1_700_000_000_000;
  fetches = [];
});

describe('realm key set', () => {
  it('fetches once and verifies real signatures from the cache', async () => {
    const keys = keySet();
    for (let i = 0; i < 3; i++) {
      const { payload } = await jwtVerify(await token(keyA), (header) => keys.keyFor(header));
      assert.equal(payload.typ, 'Bearer');
    }
    assert.equal(endpoint.requests, 1);
    assert.deepEqual(fetches, [['initial', 'success']]);
  });

  it('accepts a key the realm starts using right after a fetch (rotation), with one refresh', async () => {
    const keys = keySet();
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    now += 1_000; // one second later the realm rotates
    endpoint.published = [keyB.publicJwk, keyA.publicJwk];
    await jwtVerify(await token(keyB), (header) => keys.keyFor(header));
    await keys.keyFor({ alg: 'RS256', kid: keyB.kid });
    assert.equal(endpoint.requests, 2);
    assert.deepEqual(fetches, [
      ['initial', 'success'],
      ['unknown_kid', 'success'],
    ]);
  });

  it("is why this module exists: jose's remote key set refuses that rotated key during its cooldown", async () => {
    const jose = createRemoteJWKSet(new URL(endpoint.url));
    await jwtVerify(await token(keyA), jose);
    endpoint.published = [keyB.publicJwk, keyA.publicJwk];
    await assert.rejects(jwtVerify(await token(keyB), jose), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('coalesces concurrent unknown-kid refreshes into one fetch', async () => {
    const keys = keySet();
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    endpoint.published = [keyA.publicJwk, keyB.publicJwk];
    endpoint.hold();
    const waiting = Array.from({ length: 20 }, (_, i) => keys.keyFor({ alg: 'RS256', kid: i % 2 === 0 ? keyB.kid : 'made-up-kid' }));
    // Let every request reach the key set before the endpoint answers.
    while (endpoint.requests < 2) await new Promise((resolve) => setImmediate(resolve));
    endpoint.release();
    const results = await Promise.allSettled(waiting);
    assert.equal(endpoint.requests, 2, 'the initial fetch and one refresh');
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
    for (const r of results.filter((r) => r.status === 'rejected')) assert.equal((r.reason as AuthenticationError).reason, 'unknown_key');
  });

  it('refreshes for unknown kids at most once per cooldown', async () => {
    const keys = keySet({ refreshCooldownSeconds: 10 });
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    for (let i = 0; i < 5; i++) {
      now += 1_000;
      assert.equal((await rejection(keys.keyFor({ alg: 'RS256', kid: `attacker-${i}` }))).reason, 'unknown_key');
    }
    assert.equal(endpoint.requests, 2, 'one refresh for five unknown kids within 10 s');
    now += 10_000;
    endpoint.published = [keyA.publicJwk, keyB.publicJwk];
    await keys.keyFor({ alg: 'RS256', kid: keyB.kid });
    assert.equal(endpoint.requests, 3, 'after the cooldown an unknown kid refreshes again');
  });

  it('expires cached keys: a key the realm withdrew stops being accepted', async () => {
    const keys = keySet({ cacheSeconds: 60 });
    endpoint.published = [keyA.publicJwk, keyB.publicJwk];
    await keys.keyFor({ alg: 'RS256', kid: keyB.kid });
    endpoint.published = [keyA.publicJwk]; // B withdrawn
    now += 59_000;
    await keys.keyFor({ alg: 'RS256', kid: keyB.kid });
    assert.equal(endpoint.requests, 1, 'still cached');
    now += 2_000;
    assert.equal((await rejection(keys.keyFor({ alg: 'RS256', kid: keyB.kid }))).reason, 'unknown_key');
    assert.deepEqual(fetches, [
      ['initial', 'success'],
      ['expired', 'success'],
    ]);
  });

  it('counts key set generations: a fetch bringing other keys changes it, a fetch bringing the same keys does not', async () => {
    const keys = keySet({ cacheSeconds: 60 });
    endpoint.published = [keyA.publicJwk, keyB.publicJwk];
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    assert.equal(keys.generation, 0);
    endpoint.published = [keyB.publicJwk, keyA.publicJwk]; // same keys, another order
    now += 61_000;
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    assert.equal(endpoint.requests, 2);
    assert.equal(keys.generation, 0, 'the same key set');
    endpoint.published = [keyA.publicJwk]; // B removed
    now += 61_000;
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    assert.equal(keys.generation, 1);
    endpoint.published = [keyA.publicJwk, keyB.publicJwk];
    await keys.keyFor({ alg: 'RS256', kid: keyB.kid }); // unknown kid: refresh
    assert.equal(keys.generation, 2);
  });

  it('answers keys_unavailable when the realm cannot be reached, backs off, and recovers', async () => {
    const keys = keySet();
    endpoint.failing = true;
    assert.equal((await rejection(keys.keyFor({ alg: 'RS256', kid: keyA.kid }))).reason, 'keys_unavailable');
    assert.equal((await rejection(keys.keyFor({ alg: 'RS256', kid: keyA.kid }))).reason, 'keys_unavailable');
    assert.equal(endpoint.requests, 1, 'no second fetch within the back-off');
    endpoint.failing = false;
    now += 1_000;
    await keys.keyFor({ alg: 'RS256', kid: keyA.kid });
    assert.equal(endpoint.requests, 2);
  });

  it('refuses a key used with another algorithm, tokens without kid, and never loads symmetric keys', async () => {
    const keys = keySet();
    endpoint.published = [keyA.publicJwk, { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' }, { ...keyB.publicJwk, use: 'enc' }];
    assert.equal((await rejection(keys.keyFor({ alg: 'PS256', kid: keyA.kid }))).reason, 'key_mismatch');
    assert.equal((await rejection(keys.keyFor({ alg: 'ES256', kid: keyA.kid }))).reason, 'key_mismatch');
    assert.equal((await rejection(keys.keyFor({ alg: 'RS256' }))).reason, 'unknown_key');
    now += 60_000;
    assert.equal((await rejection(keys.keyFor({ alg: 'HS256', kid: 'hmac' }))).reason, 'unknown_key');
    now += 60_000;
    assert.equal((await rejection(keys.keyFor({ alg: 'RS256', kid: keyB.kid }))).reason, 'unknown_key', 'encryption keys are not signing keys');
  });
});
