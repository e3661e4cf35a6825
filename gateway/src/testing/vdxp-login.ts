/**
 * Tests only: a citizen's sign-in to the portal's client through the development issuer, brokered to the VDXP
 * simulator (`kc_idp_hint=vdxp`), driven over plain HTTP as a browser would — authorization request with PKCE, the
 * redirects to VDXP, VDXP's sign-in form (personal ID and password), the way back through the broker, then the code
 * exchanged at the token endpoint. The forms are the development issuer's and the simulator's (test/browser/
 * vdxp-login.test.ts walks the same pages in Chromium). Answers the portal's real tokens.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DEV_VDXP_CITIZEN_PASSWORD } from '../../../simulator/src/config.ts';

export const PORTAL_CALLBACK = 'http://localhost:4000/portal/callback';

export interface CitizenLogin {
  accessToken: string;
  idToken: string;
  /** The access token's `sub`: the citizen's account in the realm (what audit records name them by). */
  sub: string;
}

export async function vdxpCitizenLogin(
  issuerUrl: string,
  personalId: string,
  options: { password?: string; redirectUri?: string } = {},
): Promise<CitizenLogin> {
  const redirectUri = options.redirectUri ?? PORTAL_CALLBACK;
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
  };
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuerUrl}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: randomUUID(),
    nonce: randomUUID(),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    kc_idp_hint: 'vdxp',
  }).toString();
  let url = authorize.href;
  let signedIn = false;
  for (let hops = 0; !url.startsWith(redirectUri); hops++) {
    if (hops === 20) throw new Error(`VDXP sign-in of a citizen: too many redirects (at ${url})`);
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
    keep(response);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location') ?? '', url).href;
      continue;
    }
    const html = await response.text();
    if (signedIn) throw new Error(`VDXP sign-in of a citizen: stopped at ${url} (HTTP ${response.status})`);
    const action = new URL((/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&'), url).href;
    const request = /name="request" value="([^"]*)"/.exec(html)?.[1] ?? '';
    const posted = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ request, personal_id: personalId, password: options.password ?? DEV_VDXP_CITIZEN_PASSWORD, action: 'login' }),
    });
    keep(posted);
    if (posted.status < 300 || posted.status >= 400) throw new Error(`VDXP refused the sign-in: HTTP ${posted.status}`);
    signedIn = true;
    url = new URL(posted.headers.get('location') ?? '', action).href;
  }
  const code = new URL(url).searchParams.get('code');
  if (code === null) throw new Error(`VDXP sign-in of a citizen: no authorization code in ${url}`);
  const response = await fetch(`${issuerUrl}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'lgsp-portal', code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`code exchange of a citizen: HTTP ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; id_token: string };
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string };
  return { accessToken: tokens.access_token, idToken: tokens.id_token, sub: claims.sub };
}
