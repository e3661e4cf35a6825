/**
 * Keycloak's front-channel logout (OpenID Connect Front-Channel Logout 1.0): when a person signs out at the issuer
 * (end-session, confirmed), Keycloak answers with a page that loads, in iframes, the `frontchannel.logout.url` of every
 * client the person's session signed in to that has "Front channel logout" on — with `iss` and `sid` when the client
 * sets `frontchannel.logout.session.required` — and then goes on to the post-logout redirect URI.
 *
 * oidc-provider 9 has no front-channel logout (its draft feature was removed in v8; only back-channel remains), so
 * this middleware runs around its end-session confirmation: it reads the session's clients (`session.authorizations`,
 * each with the `sid` its ID token carried) and turns the 303 to the redirect URI into that page.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { frontchannelLogoutPage } from './login-page.ts';
import { keycloakRoutes } from './provider.ts';
import type { RealmExport } from './realm.ts';

/** The front-channel logout URLs of the clients in `authorizations` (client id → its `sid`), as Keycloak builds them. */
export function frontchannelLogoutUrls(realm: RealmExport, issuer: string, authorizations: Record<string, { sid?: string }>): string[] {
  const urls: string[] = [];
  for (const [clientId, { sid }] of Object.entries(authorizations)) {
    const client = realm.clients.find((c) => c.clientId === clientId);
    const logoutUrl = client?.attributes['frontchannel.logout.url'];
    if (!client || !client.enabled || !client.frontchannelLogout || !logoutUrl || !URL.canParse(logoutUrl)) continue;
    const url = new URL(logoutUrl);
    if (client.attributes['frontchannel.logout.session.required'] === 'true') {
      url.searchParams.set('iss', issuer);
      if (sid !== undefined) url.searchParams.set('sid', sid);
    }
    urls.push(url.href);
  }
  return urls;
}

/** Koa middleware for oidc-provider (put before its own): the front-channel logout page after a confirmed end-session. */
export function frontchannelLogout(realm: RealmExport, issuer: string) {
  const confirmPath = `${keycloakRoutes.end_session}/confirm`;
  return async function frontchannelLogoutMiddleware(ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> {
    if (ctx.method !== 'POST' || ctx.path !== confirmPath) {
      await next();
      return;
    }
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    const session = oidc?.session as { authorizations?: Record<string, { sid?: string }> } | undefined;
    const location = ctx.response.get('location');
    // Only a full logout (logout=yes): "sign out of this application only" ends no other client's session.
    if (ctx.status !== 303 || !location || !oidc?.params?.logout || !session?.authorizations) return;
    const urls = frontchannelLogoutUrls(realm, issuer, session.authorizations);
    if (urls.length === 0) return;
    const frameOrigins = [...new Set(urls.map((u) => new URL(u).origin))].join(' ');
    ctx.remove('location');
    ctx.status = 200;
    ctx.type = 'html';
    ctx.set({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; frame-src ${frameOrigins}; frame-ancestors 'none'; base-uri 'none'`,
    });
    ctx.body = frontchannelLogoutPage(urls, location);
  };
}
