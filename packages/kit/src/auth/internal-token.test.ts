import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { createInternalTokenIssuer, createInternalTokenVerifier } from './internal-token.ts';

test('a token issued by the gateway verifies and carries the principal', async () => {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  const token = await issuer.tokenFor({ kind: 'system', agencyCode: '000.00.00.H99', systemId: 'qlvb', roles: [], scopes: ['catalogs:read'] });
  const principal = await verifier.verify(`Bearer ${token}`);
  assert.equal(principal.kind, 'system');
  assert.equal(principal.agencyCode, '000.00.00.H99');
  assert.equal(
    await issuer.tokenFor({ kind: 'system', agencyCode: '000.00.00.H99', systemId: 'qlvb', roles: [], scopes: ['catalogs:read'] }),
    token,
    'reused while fresh',
  );
});

test('tokens from another key, of another audience, or malformed are refused', async () => {
  const gateway = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const stranger = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: gateway.jwks() });
  const foreign = await stranger.tokenFor({ kind: 'anonymous', roles: [], scopes: [] });
  await assert.rejects(verifier.verify(`Bearer ${foreign}`), /invalid internal token/);
  await assert.rejects(verifier.verify(undefined), /missing/);
  await assert.rejects(verifier.verify('Basic abc'), /malformed/);
  await assert.rejects(verifier.verify('Bearer a.b.c'), /invalid internal token/);

  const { privateKey } = await generateKeyPair('ES256');
  const wrongAudience = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer('lgsp-gateway')
    .setAudience('other')
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(privateKey);
  await assert.rejects(verifier.verify(`Bearer ${wrongAudience}`), /invalid internal token/);
});

test('an expired internal token is refused', async () => {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: -60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  const token = await issuer.tokenFor({ kind: 'anonymous', roles: [], scopes: [] });
  await assert.rejects(verifier.verify(`Bearer ${token}`), /exp/);
});

test('a gateway key rotation: a key that left the JWKS verifies for RETIRED_KEY_GRACE_MS after, then never', async () => {
  const { createServer } = await import('node:http');
  const { RETIRED_KEY_GRACE_MS } = await import('./internal-token.ts');
  const before = await createInternalTokenIssuer({ ttlSeconds: 300 });
  const after = await createInternalTokenIssuer({ ttlSeconds: 300 });
  // The gateway's JWKS, as the replica it is fetched from publishes it: first the old key, then the new one.
  let published = before.jwks();
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  let clock = 1_000_000;
  const verifier = createInternalTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, refetchCooldownMs: 0, now: () => clock });
  const who = (systemId: string) => ({ kind: 'system' as const, agencyCode: '000.00.00.H99', systemId, roles: [], scopes: [] });
  try {
    assert.equal((await verifier.verify(`Bearer ${await before.tokenFor(who('a'))}`)).kind, 'system');
    published = after.jwks(); // the replica the JWKS comes from restarted with the new key
    assert.equal((await verifier.verify(`Bearer ${await after.tokenFor(who('b'))}`)).kind, 'system', 'the new key, fetched on its unknown kid');
    assert.equal(fetches, 2);
    // Another replica still on the old key: a token this subgraph never verified.
    clock += RETIRED_KEY_GRACE_MS - 1;
    assert.equal((await verifier.verify(`Bearer ${await before.tokenFor(who('c'))}`)).kind, 'system', 'the old key, within the grace');
    clock += 1;
    await assert.rejects(verifier.verify(`Bearer ${await before.tokenFor(who('d'))}`), /invalid internal token/, 'and refused after it');
    // A key never published by the gateway is refused throughout.
    const stranger = await createInternalTokenIssuer({ ttlSeconds: 300 });
    await assert.rejects(verifier.verify(`Bearer ${await stranger.tokenFor(who('e'))}`), /invalid internal token/);
  } finally {
    server.close();
  }
});
