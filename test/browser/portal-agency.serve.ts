/**
 * Stand-in until the gateway serves the portal (shell's `gateway/src/portal/` and `test/testing/portal.ts`): serves
 * `portal/dist` under `/portal/` on a loopback port with `/portal/config.json`, and passes `/graphql` to the
 * platform's gateway. A person is signed in with a real portal login (authorization code + PKCE at the development
 * issuer, over HTTP), its tokens put where the portal's OIDC client keeps them (sessionStorage).
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../scripts/platform.ts';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import type { PlatformFixture } from '../testing/platform-fixture.ts';

export interface ServedPortal {
  url(path: string): string;
  signIn(username: string, password: string): Promise<Page>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };

export async function servePortal(p: PlatformFixture, browser: Browser): Promise<ServedPortal> {
  const dist = join(import.meta.dirname, '../../portal/dist');
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://portal');
      if (url.pathname === '/graphql') {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'accept', 'x-lgsp-purpose'])
          if (req.headers[name] !== undefined) headers[name] = String(req.headers[name]);
        const upstream = await fetch(p.platform.urls.gateway, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      if (url.pathname === '/portal/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: p.platform.urls.issuer, clientId: 'lgsp-portal', graphqlPath: '/graphql', citizenIdentityProvider: 'vdxp' }));
        return;
      }
      const file = url.pathname.startsWith('/portal/assets/')
        ? join(dist, url.pathname.slice('/portal/'.length).replace(/\.\./g, ''))
        : join(dist, 'index.html');
      try {
        const data = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(data);
      } catch {
        res.writeHead(404);
        res.end();
      }
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${port}/portal/`;
  return {
    url: (path) => base + path,
    async signIn(username, password) {
      const { accessToken, idToken } = await developmentPortalLogin(p.platform.urls.issuer, username, password);
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number; iat: number; iss: string };
      const user = {
        access_token: accessToken,
        id_token: idToken,
        token_type: 'Bearer',
        scope: 'openid profile email',
        profile: { sub: claims.sub, iss: claims.iss, aud: 'lgsp-portal', exp: claims.exp, iat: claims.iat },
        expires_at: claims.exp,
      };
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
      await context.addInitScript(
        ([key, value]) => sessionStorage.setItem(key!, value!),
        [`oidc.user:${p.platform.urls.issuer}:lgsp-portal`, JSON.stringify(user)],
      );
      return context.newPage();
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
