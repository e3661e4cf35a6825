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
  assert.equal(await issuer.tokenFor({ kind: 'system', agencyCode: '000.00.00.H99', systemId: 'qlvb', roles: [], scopes: ['catalogs:read'] }), token, 'reused while fresh');
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
  const wrongAudience = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('lgsp-gateway').setAudience('other').setIssuedAt().setExpirationTime('1m').sign(privateKey);
  await assert.rejects(verifier.verify(`Bearer ${wrongAudience}`), /invalid internal token/);
});

test('an expired internal token is refused', async () => {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: -60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  const token = await issuer.tokenFor({ kind: 'anonymous', roles: [], scopes: [] });
  await assert.rejects(verifier.verify(`Bearer ${token}`), /exp/);
});
