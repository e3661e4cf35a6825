/**
 * The portal on the gateway's origin (`/portal/`): the static build of `portal/` (a single-page application), its
 * runtime settings at `/portal/config.json`, and the security headers every portal response carries.
 *
 * - Hashed assets (`/portal/assets/…`) are cached for a year (`immutable`); everything else (index.html, the
 *   settings) is `no-cache`, so a new build is picked up at the next visit.
 * - Any other GET under `/portal/` that is not a file and that a browser asks for as a page (`Accept: text/html`)
 *   gets index.html: the application's router shows the screen (or its own "not found"). A missing asset, or a request
 *   that is not for a page, is a plain 404: a script URL must never answer HTML.
 * - Without a build (`PORTAL_DIST` missing) the gateway still serves GraphQL; `/portal/` answers 503 saying how to
 *   build it. The build is looked for at every request, so building it while the gateway runs is enough.
 * - The Content-Security-Policy allows nothing but the gateway's origin and the identity provider's (the token
 *   exchange from the browser, the sign-in form's target): no CDN, no inline script. `style-src 'unsafe-inline'` is
 *   there for Ant Design's CSS-in-JS, which writes `<style>` elements at run time.
 */
import type { Logger } from '@lgsp/kit';
import express, { type Request, type Response, type Router } from 'express';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { PortalConfig } from './config.ts';

/** What `/portal/config.json` says (portal/src/shell/config.ts reads it). */
export interface PortalSettings {
  /** The realm URL the browser signs in at (an OpenID provider's issuer). */
  issuer: string;
  clientId: string;
  /** The gateway's GraphQL endpoint on the same origin. */
  graphqlPath: string;
  /** The realm's identity provider alias of VDXP, the national e-ID. */
  citizenIdentityProvider: string;
}

export interface PortalRoutesOptions {
  config: PortalConfig;
  /** The realm whose tokens the gateway accepts (KEYCLOAK_URL); the portal signs in there unless PORTAL_ISSUER_URL says otherwise. */
  realmUrl: string | undefined;
  logger: Logger;
}

/** The base path the portal is built for (portal/vite.config.ts `base`). */
export const PORTAL_PATH = '/portal';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The portal's Content-Security-Policy: its own origin, and the identity provider's for sign-in. */
export function portalContentSecurityPolicy(issuer: string | undefined): string {
  const idp = issuer === undefined ? '' : ` ${new URL(issuer).origin}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self'${idp}`,
    `form-action 'self'${idp}`,
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/** The routes under `/portal`; mount with `app.use(portalRoutes(...))`. */
export function portalRoutes(options: PortalRoutesOptions): Router {
  const { config, logger } = options;
  const issuer = config.issuerUrl ?? options.realmUrl;
  const csp = portalContentSecurityPolicy(issuer);
  const indexFile = join(config.dist, 'index.html');
  let warnedMissing = false;
  const distPresent = async () => {
    const present = await isFile(indexFile);
    if (!present && !warnedMissing) {
      warnedMissing = true;
      logger.warn({ dist: config.dist }, 'the portal is not built (no index.html in PORTAL_DIST): /portal/ answers 503 until `npm run build -w portal` runs');
    }
    if (present) warnedMissing = false;
    return present;
  };
  void distPresent();
  if (issuer === undefined) logger.warn('KEYCLOAK_URL is not set: the portal cannot sign anyone in (/portal/config.json answers 503)');

  const router = express.Router({ caseSensitive: true, strict: true });
  router.use(PORTAL_PATH, (_req, res, next) => {
    res.set({
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
    });
    next();
  });
  router.get(PORTAL_PATH, (req, res) => {
    const query = req.originalUrl.indexOf('?');
    res.redirect(301, `${PORTAL_PATH}/${query >= 0 ? req.originalUrl.slice(query) : ''}`);
  });
  router.get(`${PORTAL_PATH}/config.json`, (_req, res) => {
    res.set('cache-control', 'no-cache');
    if (issuer === undefined) {
      res.status(503).json({
        code: 'PORTAL_NOT_CONFIGURED',
        message: 'The gateway has no identity provider (KEYCLOAK_URL is not set), so nobody can sign in to the portal.',
      });
      return;
    }
    const settings: PortalSettings = { issuer, clientId: config.clientId, graphqlPath: '/graphql', citizenIdentityProvider: config.citizenIdentityProvider };
    res.json(settings);
  });
  router.get(`${PORTAL_PATH}/{*path}`, async (req, res) => {
    if (!(await distPresent())) return notBuilt(res);
    const relative = relativePath(req.path.slice(PORTAL_PATH.length + 1));
    if (relative === undefined) return notFound(res);
    const file = join(config.dist, relative);
    if (relative !== '' && (await isFile(file))) return send(req, res, file, relative.startsWith(`assets${sep}`) ? IMMUTABLE : 'no-cache');
    // Not a file: a page of the application (its router decides), unless it is an asset or not asked for as a page.
    if (relative.startsWith(`assets${sep}`) || !/\btext\/html\b/.test(req.get('accept') ?? '')) return notFound(res);
    return send(req, res, indexFile, 'no-cache');
  });
  router.all(`${PORTAL_PATH}/{*path}`, (_req, res) => {
    res.set('allow', 'GET, HEAD').status(405).type('text/plain').send('Method not allowed: the portal is read with GET.\n');
  });
  return router;
}

/** A URL path under the portal as a path inside the build, or undefined when it would leave it (or is not one). */
function relativePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const normalized = normalize(decoded).replace(/^(\.\/)+/, '');
  if (normalized === '.' || normalized === '') return '';
  if (normalized.startsWith('..') || normalized.startsWith(sep)) return undefined;
  // No dot-files (.env, .git) even if someone copied them into the build.
  if (normalized.split(sep).some((part) => part.startsWith('.'))) return undefined;
  return normalized;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function send(req: Request, res: Response, file: string, cacheControl: string): Promise<void> {
  const extension = extname(file).toLowerCase();
  const gzip = COMPRESSIBLE.has(extension) && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  res.set({ 'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream', 'cache-control': cacheControl, vary: 'Accept-Encoding' });
  if (gzip) res.set('content-encoding', 'gzip');
  else res.set('content-length', String((await stat(file)).size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    const source = createReadStream(file);
    await (gzip ? pipeline(source, createGzip(), res) : pipeline(source, res));
  } catch (error) {
    // The browser went away, or the file vanished under a rebuild: nothing more to say on this response.
    if (!res.headersSent) res.status(500).end();
    else res.destroy(error as Error);
  }
}

function notFound(res: Response): void {
  res.status(404).set('cache-control', 'no-cache').type('text/plain').send('Không tìm thấy tệp. / Not found.\n');
}

function notBuilt(res: Response): void {
  res
    .status(503)
    .set({ 'cache-control': 'no-store', 'retry-after': '10' })
    .type('html')
    .send(
      '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng LGSP chưa sẵn sàng</title></head><body><main>' +
        '<h1>Cổng LGSP chưa được dựng (build)</h1>' +
        '<p>Máy chủ không tìm thấy bản dựng của cổng thông tin. Người quản trị cần chạy <code>npm run build -w portal</code> ' +
        '(hoặc đặt <code>PORTAL_DIST</code> trỏ tới thư mục bản dựng), rồi tải lại trang.</p>' +
        '<p lang="en">The portal has not been built: run <code>npm run build -w portal</code> (or set <code>PORTAL_DIST</code> to the build folder), then reload.</p>' +
        '</main></body></html>',
    );
}
