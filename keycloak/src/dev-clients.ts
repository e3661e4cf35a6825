/**
 * Tokens for the realm's DEVELOPMENT agency-system clients, obtained the way an agency system does it: a client
 * assertion (RFC 7523) signed with HS256 and the client secret (`client-secret-jwt`, the regulations' access key +
 * secret key) or with RS256 and the client's private key (`client-jwt`, the RSA option), then client credentials
 * at the token endpoint. Used by scripts and tests; works against the development issuer and a real Keycloak
 * loaded with realm-export.json alike. Never used by production code.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
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
  const jwt = new SignJWT({})
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .setJti(randomUUID());
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

/** Cookies across the redirects of a login, as a browser keeps them (just enough for the login flow). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const value = pair.slice(index + 1).trim();
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, index).trim());
      else this.cookies.set(pair.slice(0, index).trim(), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

export interface PortalLoginTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

/**
 * A civil servant's login through the portal client, driven over plain HTTP as a browser would: authorization
 * request with PKCE (S256), the login form (with its page token and cookies), the redirects, then the code
 * exchanged at the token endpoint. The login form is the development issuer's; a real Keycloak's differs.
 */
export async function developmentPortalLogin(
  issuerUrl: string,
  username: string,
  password: string,
  redirectUri = 'http://localhost:4000/portal/callback',
): Promise<PortalLoginTokens> {
  const jar = new CookieJar();
  const get = async (url: string): Promise<Response> => {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuerUrl}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: randomUUID(),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const loginUrl = new URL((await get(authorize.href)).headers.get('location') ?? '', authorize).href;
  const html = await (await get(loginUrl)).text();
  const action = new URL((/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&'), loginUrl).href;
  const csrf = /name="csrf_token" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const posted = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ csrf_token: csrf, username, password, action: 'login' }),
  });
  jar.store(posted);
  if (posted.status !== 303) throw new Error(`login of ${username} refused: HTTP ${posted.status}`);
  let location = posted.headers.get('location') ?? '';
  for (let hops = 0; !location.startsWith(redirectUri) && hops < 5; hops++)
    location = (await get(new URL(location, action).href)).headers.get('location') ?? '';
  const code = new URL(location).searchParams.get('code');
  if (code === null) throw new Error(`login of ${username}: no authorization code in ${location}`);
  const response = await fetch(`${issuerUrl}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'lgsp-portal', code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`code exchange for ${username}: HTTP ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; id_token: string; refresh_token: string };
  return { accessToken: tokens.access_token, idToken: tokens.id_token, refreshToken: tokens.refresh_token };
}
