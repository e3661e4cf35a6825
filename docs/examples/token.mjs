// An access token for an agency system, as the realm `lgsp` issues it: client credentials with a signed client
// assertion (RFC 7523; iss = sub = client id, aud = the token endpoint, 60 s, a fresh jti). Node 20+, no packages.
//
//   LGSP_REALM_URL      realm URL (default http://localhost:8080/realms/lgsp, the development issuer of `npm start`)
//   LGSP_CLIENT_ID      your system's client id, e.g. vpubnd-h41-motcua
//   LGSP_CLIENT_SECRET  its secret (client-secret-jwt: the assertion is signed HS256), or
//   LGSP_CLIENT_KEY     the file of its RSA private key, PEM (client-jwt: signed RS256)
//
//   node docs/examples/token.mjs          prints one token
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const realm = process.env.LGSP_REALM_URL ?? 'http://localhost:8080/realms/lgsp';
const tokenEndpoint = `${realm}/protocol/openid-connect/token`;

const base64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function clientAssertion(clientId) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: clientId, sub: clientId, aud: tokenEndpoint, iat: now, exp: now + 60, jti: randomUUID() };
  const secret = process.env.LGSP_CLIENT_SECRET;
  const alg = secret ? 'HS256' : 'RS256';
  const signingInput = `${base64url({ alg, typ: 'JWT' })}.${base64url(claims)}`;
  const signature = secret
    ? createHmac('sha256', secret).update(signingInput).digest()
    : sign('sha256', Buffer.from(signingInput), createPrivateKey(readFileSync(process.env.LGSP_CLIENT_KEY ?? '', 'utf8')));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** A new access token (they last minutes: ask again rather than keep one). */
export async function freshAccessToken() {
  const clientId = process.env.LGSP_CLIENT_ID;
  if (!clientId || !(process.env.LGSP_CLIENT_SECRET || process.env.LGSP_CLIENT_KEY)) {
    throw new Error('set LGSP_CLIENT_ID and LGSP_CLIENT_SECRET (or LGSP_CLIENT_KEY, a PEM file)');
  }
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(clientId),
    }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${tokenEndpoint}: ${response.status} ${body.error}: ${body.error_description ?? ''}`);
  return body.access_token;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(await freshAccessToken());
