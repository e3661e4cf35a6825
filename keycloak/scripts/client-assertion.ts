/**
 * Prints a client assertion (RFC 7523) for a development client of the realm, the way an agency system builds
 * one: HS256 with the client secret for `client-secret-jwt` clients (the regulations' access key + secret key),
 * RS256 with the client's private key for `client-jwt` clients (the RSA option).
 *
 *   npx tsx keycloak/scripts/client-assertion.ts <client-id> [token-endpoint]
 *
 * token-endpoint defaults to http://localhost:8080/realms/lgsp/protocol/openid-connect/token. The assertion is
 * valid for 60 s and only once (its jti is remembered). DEVELOPMENT credentials only: they are in the realm export
 * and keycloak/dev-credentials/, never in a production configuration.
 */
import { readFile } from 'node:fs/promises';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { loadRealmExport } from '../src/realm.ts';

const [clientId, tokenEndpoint = 'http://localhost:8080/realms/lgsp/protocol/openid-connect/token'] = process.argv.slice(2);
const realm = await loadRealmExport();
const client = realm.clients.find((c) => c.clientId === clientId);
if (!clientId || !client || !['client-secret-jwt', 'client-jwt'].includes(client.clientAuthenticatorType)) {
  const usable = realm.clients.filter((c) => ['client-secret-jwt', 'client-jwt'].includes(c.clientAuthenticatorType)).map((c) => `  ${c.clientId} (${c.clientAuthenticatorType})`);
  console.error(`usage: npx tsx keycloak/scripts/client-assertion.ts <client-id> [token-endpoint]\nclients:\n${usable.join('\n')}`);
  process.exit(2);
}

const now = Math.floor(Date.now() / 1000);
// Keycloak requires iss = sub = client_id, aud = the token endpoint (or the issuer), exp and a unique jti.
const jwt = new SignJWT({}).setIssuer(clientId).setSubject(clientId).setAudience(tokenEndpoint).setIssuedAt(now).setExpirationTime(now + 60).setJti(randomUUID());
let assertion: string;
if (client.clientAuthenticatorType === 'client-secret-jwt') {
  assertion = await jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(client.secret ?? ''));
} else {
  const pem = await readFile(new URL(`../dev-credentials/${clientId}.private.pem`, import.meta.url), 'utf8');
  const key = createPrivateKey(pem);
  const kid = await calculateJwkThumbprint(await exportJWK(key));
  assertion = await jwt.setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);
}
process.stdout.write(`${assertion}\n`);
