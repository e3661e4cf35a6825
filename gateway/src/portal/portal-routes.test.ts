/**
 * The portal on the gateway's origin: its build served from disk with the right caching, the single-page fallback
 * (and none for a missing asset), /portal/config.json, the security headers, and 503 with how to build it when the
 * build is missing. Real files in a temporary folder, a real HTTP server; the last test goes through the gateway.
 */
import { createLogger } from '@lgsp/kit';
import express from 'express';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';
import type { PortalConfig } from './config.ts';
import { portalRoutes } from './portal-routes.ts';

const REALM = 'http://localhost:8080/realms/lgsp';
const INDEX =
  '<!doctype html><html lang="vi"><head><script type="module" src="/portal/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function buildFolder(): Promise<string> {
  const dist = await mkdtemp(join(tmpdir(), 'lgsp-portal-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-abc123.js'), SCRIPT);
  await writeFile(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  await writeFile(join(dist, '.env'), 'SECRET=1\n');
  return dist;
}

function portalConfig(dist: string, overrides: Partial<PortalConfig> = {}): PortalConfig {
  return { dist, clientId: 'lgsp-portal', issuerUrl: undefined, citizenIdentityProvider: 'vdxp', ...overrides };
}

async function serve(config: PortalConfig, realmUrl: string | undefined) {
  const lines: string[] = [];
  const logger = createLogger(
    'gateway-test',
    'warn',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const app = express();
  app.use(portalRoutes({ config, realmUrl, logger }));
  app.use((_req, res) => res.status(418).send('not the portal'));
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, lines, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const page = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the portal served by the gateway', () => {
  let dist: string;
  let portal: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    dist = await buildFolder();
    portal = await serve(portalConfig(dist), REALM);
  });
  after(async () => {
    await portal.close();
    await rm(dist, { recursive: true, force: true });
  });

  test('index.html at /portal/, never cached, with the security headers', async () => {
    const res = await fetch(`${portal.base}/portal/`, { headers: page });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), INDEX);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives['default-src'], "'self'");
    assert.equal(directives['script-src'], "'self'", 'no inline script, no CDN');
    assert.equal(directives['connect-src'], "'self' http://localhost:8080", 'GraphQL on the origin, the token exchange at the issuer');
    assert.equal(directives['form-action'], "'self' http://localhost:8080");
    assert.equal(directives['frame-ancestors'], "'none'");
    assert.equal(directives['img-src'], "'self' data:");
    assert.equal(directives['style-src'], "'self' 'unsafe-inline'", "antd's CSS-in-JS");
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  test('/portal redirects to /portal/, keeping the query', async () => {
    const res = await fetch(`${portal.base}/portal?lang=en`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/portal/?lang=en');
  });

  test('hashed assets are cached for a year, immutable, and compressed for browsers that take gzip', async () => {
    const res = await fetch(`${portal.base}/portal/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-length'), String(SCRIPT.length));
    assert.equal(await res.text(), SCRIPT);

    // fetch() would decompress by itself: read the raw bytes with node:http's view through a HEAD-less GET.
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      import('node:http').then(({ get }) =>
        get(`${portal.base}/portal/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => resolve({ encoding: response.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject),
      );
    });
    assert.equal(raw.encoding, 'gzip');
    assert.ok(raw.body.length < SCRIPT.length / 10);
    assert.equal(gunzipSync(raw.body).toString(), SCRIPT);
  });

  test("a page of the application that is not a file gets index.html (the portal's router shows it)", async () => {
    for (const path of ['/portal/developer/catalogue', '/portal/callback?code=x&state=y', '/portal/developer/catalogue/000.00.04.H41']) {
      const res = await fetch(`${portal.base}${path}`, { headers: page });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(await res.text(), INDEX, path);
    }
  });

  test('a missing asset is 404, not index.html; so is a non-page request for a path that is not a file', async () => {
    const missing = await fetch(`${portal.base}/portal/assets/index-old999.js`, { headers: page });
    assert.equal(missing.status, 404);
    assert.doesNotMatch(await missing.text(), /<html/);
    const script = await fetch(`${portal.base}/portal/nothing.js`, { headers: { accept: '*/*' } });
    assert.equal(script.status, 404);
    const json = await fetch(`${portal.base}/portal/developer/catalogue`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 404);
  });

  test('other files of the build are served; dot-files and paths out of the build are not', async () => {
    const robots = await fetch(`${portal.base}/portal/robots.txt`);
    assert.equal(robots.status, 200);
    assert.equal(robots.headers.get('cache-control'), 'no-cache');
    for (const path of ['/portal/.env', '/portal/%2e%2e/%2e%2e/etc/passwd', '/portal/assets/..%2f..%2f.env', '/portal/%E0%A4%A']) {
      // (fetch resolves %2e%2e itself: such a path never reaches the portal; the others must be refused by it)
      const res = await fetch(`${portal.base}${path}`, { headers: { accept: '*/*' } });
      assert.ok([400, 404, 418].includes(res.status), `${path}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /SECRET|root:/, path);
    }
  });

  test('/portal/config.json says where to sign in: the realm the gateway verifies tokens from, the client, GraphQL, VDXP', async () => {
    const res = await fetch(`${portal.base}/portal/config.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.deepEqual(await res.json(), { issuer: REALM, clientId: 'lgsp-portal', graphqlPath: '/graphql', citizenIdentityProvider: 'vdxp' });
  });

  test('the portal is read, not written: POST is 405', async () => {
    const res = await fetch(`${portal.base}/portal/`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  test('HEAD answers the headers only', async () => {
    const res = await fetch(`${portal.base}/portal/assets/index-abc123.js`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(SCRIPT.length));
    assert.equal(await res.text(), '');
  });

  test('paths outside /portal/ are not the portal', async () => {
    assert.equal((await fetch(`${portal.base}/portalx/`, { headers: page })).status, 418);
  });
});

describe('the portal with other settings', () => {
  test('PORTAL_ISSUER_URL and PORTAL_CLIENT_ID: the issuer browsers reach, in config.json and the CSP', async () => {
    const dist = await buildFolder();
    const portal = await serve(portalConfig(dist, { issuerUrl: 'https://sso.nghean.gov.vn/realms/lgsp', clientId: 'portal-test' }), REALM);
    try {
      const res = await fetch(`${portal.base}/portal/config.json`);
      assert.deepEqual(await res.json(), {
        issuer: 'https://sso.nghean.gov.vn/realms/lgsp',
        clientId: 'portal-test',
        graphqlPath: '/graphql',
        citizenIdentityProvider: 'vdxp',
      });
      assert.match(res.headers.get('content-security-policy')!, /connect-src 'self' https:\/\/sso\.nghean\.gov\.vn;/);
    } finally {
      await portal.close();
      await rm(dist, { recursive: true, force: true });
    }
  });

  test('without a realm config.json answers 503 with a code and why', async () => {
    const dist = await buildFolder();
    const portal = await serve(portalConfig(dist), undefined);
    try {
      const res = await fetch(`${portal.base}/portal/config.json`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { code: string; message: string };
      assert.equal(body.code, 'PORTAL_NOT_CONFIGURED');
      assert.match(body.message, /KEYCLOAK_URL/);
    } finally {
      await portal.close();
      await rm(dist, { recursive: true, force: true });
    }
  });

  test('without a build: one warn line, 503 saying to run npm run build -w portal; a build made later is served', async () => {
    const dist = join(await mkdtemp(join(tmpdir(), 'lgsp-portal-missing-')), 'dist');
    const portal = await serve(portalConfig(dist), REALM);
    try {
      for (const path of ['/portal/', '/portal/developer/catalogue', '/portal/assets/index-abc123.js']) {
        const res = await fetch(`${portal.base}${path}`, { headers: page });
        assert.equal(res.status, 503, path);
        assert.equal(res.headers.get('cache-control'), 'no-store');
        const text = await res.text();
        assert.match(text, /npm run build -w portal/);
        assert.match(text, /<html lang="vi">/);
      }
      const warnings = portal.lines.filter((l) => l.includes('"level":"warn"'));
      assert.equal(warnings.length, 1, portal.lines.join(''));
      assert.match(warnings[0]!, /npm run build -w portal/);
      assert.match(warnings[0]!, new RegExp(dist.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));

      await mkdir(join(dist, 'assets'), { recursive: true });
      await writeFile(join(dist, 'index.html'), INDEX);
      const res = await fetch(`${portal.base}/portal/`, { headers: page });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), INDEX);
    } finally {
      await portal.close();
      await rm(join(dist, '..'), { recursive: true, force: true });
    }
  });

  test('the gateway serves it: / leads to /portal/, and GraphQL is untouched', async () => {
    const dist = await buildFolder();
    const fed = await startTestFederation();
    const gateway = await startGateway({ ...fed.config, portal: portalConfig(dist) });
    try {
      const origin = gateway.url.replace(/\/graphql$/, '');
      const root = await fetch(`${origin}/`, { redirect: 'manual' });
      assert.equal(root.status, 302);
      assert.equal(root.headers.get('location'), '/portal/');
      const index = await fetch(`${origin}/portal/`, { headers: page });
      assert.equal(index.status, 200);
      assert.equal(await index.text(), INDEX);
      assert.ok(index.headers.get('x-request-id'), 'the request id like every gateway response');
      const graphql = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      assert.equal(graphql.status, 200);
      assert.equal(graphql.headers.get('content-security-policy'), null, 'the portal headers stay on the portal');
    } finally {
      await gateway.close();
      await fed.cleanup();
      await rm(dist, { recursive: true, force: true });
    }
  });
});
