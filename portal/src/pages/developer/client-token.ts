/**
 * An access token for a system's client-secret-jwt credential, obtained from the browser the way a system does it
 * (docs/agency-guide.md "Getting a token", keycloak/src/dev-clients.ts): client credentials with an RFC 7523 client
 * assertion signed HS256 with the secret, by WebCrypto. The secret goes only to the realm's token endpoint (whose
 * CORS allows the portal's origin).
 */
import { portalConfig } from '../../shell/config.ts';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const encode = (value: unknown): string => base64url(new TextEncoder().encode(JSON.stringify(value)));

/** The realm's token endpoint, from its discovery document. */
export async function tokenEndpoint(): Promise<string> {
  const { issuer } = await portalConfig();
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery HTTP ${response.status}`);
  const { token_endpoint: endpoint } = (await response.json()) as { token_endpoint?: string };
  if (typeof endpoint !== 'string') throw new Error('no token_endpoint in the discovery document');
  return endpoint;
}

/** A one-time assertion valid for 60 s: iss = sub = the client id, aud = the token endpoint. */
export async function clientAssertion(clientId: string, secret: string, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iss: clientId, sub: clientId, aud: audience, jti: crypto.randomUUID(), iat: now, exp: now + 60 })}`;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input)));
  return `${input}.${base64url(signature)}`;
}

export type TokenResult = { ok: true; accessToken: string; expiresIn: number } | { ok: false; kind: 'REFUSED' | 'UNREACHABLE'; detail: string };

export async function systemToken(clientId: string, secret: string): Promise<TokenResult> {
  let endpoint: string;
  let response: Response;
  try {
    endpoint = await tokenEndpoint();
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: await clientAssertion(clientId, secret, endpoint),
      }),
      credentials: 'omit',
    });
  } catch (error) {
    return { ok: false, kind: 'UNREACHABLE', detail: error instanceof Error ? error.message : String(error) };
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (!response.ok || typeof body.access_token !== 'string')
    return { ok: false, kind: 'REFUSED', detail: `HTTP ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim() };
  return { ok: true, accessToken: body.access_token, expiresIn: body.expires_in ?? 0 };
}
