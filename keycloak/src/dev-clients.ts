/**
 * Tokens for the realm's DEVELOPMENT agency-system clients, obtained the way an agency system does it: a client
 * assertion (RFC 7523) signed with HS256 and the client secret (`client-secret-jwt`, the regulations' access key +
 * secret key) or with RS256 and the client's private key (`client-jwt`, the RSA option), then client credentials
 * at the token endpoint. Used by scripts and tests; works against the development issuer and a real Keycloak
 * loaded with realm-export.json alike. Never used by production code.
 */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { loadRealmExport, type RealmExport } from './realm.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Clients that authenticate with a signed assertion (the ones an agency system uses). */
export function assertionClients(realm: RealmExport): Array<{ clientId: string; kind: 'client-secret-jwt' | 'client-jwt' }> {
  return realm.clients
    .filter((c) => c.clientAuthenticatorType === 'client-secret-jwt' || c.clientAuthenticatorType === 'client-jwt')
    .map((c) => ({ clientId: c.clientId, kind: c.clientAuthenticatorType as 'client-secret-jwt' | 'client-jwt' }));
}

/** A one-time assertion valid for 60 s; Keycloak wants iss = sub = client_id and aud = the token endpoint. */
export async function developmentClientAssertion(realm: RealmExport, clientId: string, tokenEndpoint: string): Promise<string> {
  const client = realm.clients.find((c) => c.clientId === clientId);
  if (client === undefined) throw new Error(`no client ${clientId} in the realm`);
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setIssuer(clientId).setSubject(clientId).setAudience(tokenEndpoint).setIssuedAt(now).setExpirationTime(now + 60).setJti(randomUUID());
  if (client.clientAuthenticatorType === 'client-jwt') {
    const pem = await readFile(new URL(`../dev-credentials/${clientId}.private.pem`, import.meta.url), 'utf8');
    return jwt.setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: client.attributes['jwt.credential.kid'] }).sign(createPrivateKey(pem));
  }
  if (client.clientAuthenticatorType === 'client-secret-jwt') {
    return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(client.secret ?? ''));
  }
  throw new Error(`${clientId} does not authenticate with a client assertion (${client.clientAuthenticatorType})`);
}

/** An access token for a development agency system from the realm at `issuerUrl` (…/realms/lgsp). */
export async function developmentClientToken(issuerUrl: string, clientId: string, realm?: RealmExport): Promise<string> {
  const tokenEndpoint = `${issuerUrl}/protocol/openid-connect/token`;
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await developmentClientAssertion(realm ?? (await loadRealmExport()), clientId, tokenEndpoint),
    }),
  });
  if (!response.ok) throw new Error(`token for ${clientId}: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
