/**
 * GraphiQL at GET /graphql for browsers, served entirely by the gateway: the page, GraphiQL's prebuilt bundle
 * (`@graphql-yoga/graphiql`: React, the Monaco editor and its workers, fonts inlined in the CSS), graphql-ws's
 * browser client and graphiql-client.js (the fetcher that sends the Headers tab over HTTP and in graphql-ws
 * `connection_init`). Nothing comes from a CDN, so it works on the province's closed networks (docs/findings.md #6).
 *
 * - The page is answered here, before authentication and Apollo Server, to the requests Apollo would answer with
 *   its landing page (`prefersHtml`); every other request to /graphql goes on to GraphQL over HTTP. Its
 *   Content-Security-Policy lets it load scripts, styles and workers and connect (HTTP and WebSocket) only to
 *   the gateway, and no site frame it.
 * - The assets are a fixed list served from memory at `/graphiql/<version>/<name>`, `version` being a hash of
 *   their content: cached a year (`immutable`), a new version gets new URLs. Any other path is 404; no file is
 *   ever looked up from a request's path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Router } from 'express';
import { prefersHtml } from '../http/graphql-over-http.ts';

/** Where the assets are served: `${GRAPHIQL_ASSETS_PATH}/<version>/<name>`. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql';

/** The page's policy: everything from the gateway itself, nothing inline but styles. */
export const GRAPHIQL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL and Monaco add <style> elements and style attributes from script.
  "style-src 'self' 'unsafe-inline'",
  // The fonts are data: URLs inside graphiql.css.
  'font-src data:',
  "img-src 'self' data:",
  // HTTP POSTs and the graphql-ws WebSocket to the page's own host ('self' covers ws: and wss: in CSP 3).
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const require = createRequire(import.meta.url);
const yogaDist = join(dirname(require.resolve('@graphql-yoga/graphiql/package.json')), 'dist');
const graphqlWsDir = dirname(require.resolve('graphql-ws/package.json'));
const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** Asset name (in the URL) → file and media type: the only files served. */
const ASSET_FILES: Record<string, { file: string; type: string }> = {
  'graphiql.css': { file: join(yogaDist, 'graphiql.css'), type: 'text/css; charset=utf-8' },
  'graphiql.js': { file: join(yogaDist, 'yoga-graphiql.umd.js'), type: JAVASCRIPT },
  // Monaco's workers, by the names graphiql-client.js asks for.
  'editor.worker.js': { file: join(yogaDist, 'monacoeditorwork/editor.worker.bundle.js'), type: JAVASCRIPT },
  'json.worker.js': { file: join(yogaDist, 'monacoeditorwork/json.worker.bundle.js'), type: JAVASCRIPT },
  'graphql.worker.js': { file: join(yogaDist, 'monacoeditorwork/graphql.worker..bundle.js'), type: JAVASCRIPT }, // sic
  'graphql-ws.js': { file: join(graphqlWsDir, 'umd/graphql-ws.min.js'), type: JAVASCRIPT },
  'graphiql-client.js': { file: fileURLToPath(new URL('./graphiql-client.js', import.meta.url)), type: JAVASCRIPT },
};

/** What the page opens with. */
export interface GraphiqlPageOptions {
  /** The first document of the query editor. */
  document: string;
  /** The Headers tab (a JSON object as text; empty for none). */
  headers: string;
}

interface Asset {
  type: string;
  body: Buffer;
  /** Compressed on first demand (the bundle is 5 MB, about a quarter gzipped). */
  gzipped?: Promise<Buffer>;
}

const gzipAsync = promisify(gzip);

/** The routes of the page and its assets; mount them before /graphql's GraphQL handlers. */
export async function graphiqlRoutes(options: GraphiqlPageOptions): Promise<Router> {
  const assets = new Map<string, Asset>();
  const hash = createHash('sha256');
  for (const [name, { file, type }] of Object.entries(ASSET_FILES)) {
    const body = await readFile(file);
    hash.update(name).update(body);
    assets.set(name, { type, body });
  }
  const version = hash.digest('hex').slice(0, 16);
  const html = graphiqlPage(`${GRAPHIQL_ASSETS_PATH}/${version}/`, options);

  const router = Router();
  router.get('/graphql', (req, res, next) => {
    if (!prefersHtml(req.method, req.headers.accept)) return next();
    res
      .set({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': GRAPHIQL_CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      })
      .send(html);
  });
  router.get(`${GRAPHIQL_ASSETS_PATH}/:version/:name`, async (req, res, next) => {
    const asset = req.params.version === version ? assets.get(req.params.name) : undefined;
    if (asset === undefined) {
      res.status(404).type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    res.set({
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    });
    if (req.acceptsEncodings('gzip', 'identity') !== 'gzip') {
      res.send(asset.body);
      return;
    }
    try {
      asset.gzipped ??= gzipAsync(asset.body);
      res.set('content-encoding', 'gzip').send(await asset.gzipped);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

/** The page: GraphiQL's bundle and our client, configured by a JSON data block (no inline script). */
export function graphiqlPage(assetsBase: string, options: GraphiqlPageOptions): string {
  const config = scriptJson({ assets: assetsBase, document: options.document, headers: options.headers });
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>LGSP Gateway — GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${assetsBase}graphiql.css">
    <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <noscript>GraphiQL needs JavaScript. Without it, send GraphQL requests to this URL with curl or any HTTP client.</noscript>
    <div id="graphiql"></div>
    <script type="application/json" id="graphiql-config">${config}</script>
    <script src="${assetsBase}graphql-ws.js"></script>
    <script src="${assetsBase}graphiql.js"></script>
    <script src="${assetsBase}graphiql-client.js"></script>
  </body>
</html>
`;
}

/** JSON safe inside a <script> element: no `</script>`, no HTML comment, no line separators JavaScript rejects. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
