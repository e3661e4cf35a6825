/**
 * The landing page: GraphiQL served by the gateway (default) or Apollo Sandbox (GATEWAY_EXPLORER=apollo-sandbox),
 * both prefilled for bearer authentication when a realm is configured. GraphiQL's assets come from a fixed list,
 * under a strict Content-Security-Policy; GraphQL over HTTP GET still answers clients that are not browsers.
 * (test/browser/graphiql.test.ts runs GraphiQL in a real browser; production has no page: graphql-over-http.test.ts.)
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createMetricsRegistry, createLogger } from '@lgsp/kit';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { GRAPHIQL_CONTENT_SECURITY_POLICY } from './graphiql.ts';
import { ANONYMOUS_ACCESS_RULE } from '../auth/anonymous-access.ts';
import { ACCESS_TOKEN_PLACEHOLDER, explorerDocument } from './landing-page.ts';
import { startTestFederation } from '../testing/fixtures.ts';

const realmUrl = 'http://localhost:8080/realms/lgsp';
let federation: Awaited<ReturnType<typeof startTestFederation>>;
let graphiql: RunningGateway;
let sandbox: RunningGateway;

before(async () => {
  federation = await startTestFederation({ authentication: { ...gatewayConfig().authentication, realmUrl } });
  const deps = () => ({ issuer: federation.issuer, metrics: createMetricsRegistry('gateway'), logger: createLogger('gateway', 'silent') });
  graphiql = await startGateway(federation.config, deps());
  sandbox = await startGateway({ ...federation.config, explorer: 'apollo-sandbox' }, deps());
});
after(async () => {
  await graphiql.close();
  await sandbox.close();
  await federation.cleanup();
});

const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function graphiqlPage(): Promise<{ response: Response; html: string; config: { assets: string; document: string; headers: string } }> {
  const response = await fetch(graphiql.url, { headers: { accept: browserAccept } });
  const html = await response.text();
  const block = /<script type="application\/json" id="graphiql-config">([^<]*)<\/script>/.exec(html);
  assert.ok(block, 'the page carries its configuration as a JSON data block');
  return { response, html, config: JSON.parse(block[1]!) };
}

describe('GraphiQL landing page (default)', () => {
  it('prefills the bearer header and the document that says where the token comes from', async () => {
    const { response, config } = await graphiqlPage();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.deepEqual(JSON.parse(config.headers), { Authorization: ACCESS_TOKEN_PLACEHOLDER });
    assert.match(config.document, /^# LGSP Gateway — GraphiQL \(development\)$/m);
    assert.ok(config.document.includes(`TOKEN_ENDPOINT=${realmUrl}/protocol/openid-connect/token`), 'the realm token endpoint');
    assert.match(config.document, /X-LGSP-Purpose/);
  });

  it('loads only from the gateway, under a policy that allows nothing else, and is never cached or framed', async () => {
    const { response, html } = await graphiqlPage();
    assert.equal(response.headers.get('content-security-policy'), GRAPHIQL_CONTENT_SECURITY_POLICY);
    const policy = new Map(GRAPHIQL_CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(policy.get('default-src'), "'none'");
    assert.equal(policy.get('script-src'), "'self'", 'no inline script, no eval, no other origin');
    assert.equal(policy.get('connect-src'), "'self'");
    assert.equal(policy.get('frame-ancestors'), "'none'");
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    // Every script and stylesheet is one of the gateway's fixed assets; no inline script runs.
    const sources = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    assert.deepEqual(
      sources.filter((s) => s !== 'data:' && s !== 'data:,').map((s) => s.replace(/^\/graphiql\/[0-9a-f]{16}\//, '')),
      ['graphiql.css', 'graphql-ws.js', 'graphiql.js', 'graphiql-client.js'],
    );
    for (const script of html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)) {
      assert.ok(/\bsrc="/.test(script[1]!) || /type="application\/json"/.test(script[1]!), `an inline script: ${script[0].slice(0, 80)}`);
    }
    assert.doesNotMatch(html, /(?:src|href)="(?:https?:)?\/\//, 'nothing from another host');
  });

  it('serves the assets with their media type, cached for good, gzipped when asked; any other path is 404', async () => {
    const { config } = await graphiqlPage();
    const base = new URL(config.assets, graphiql.url);
    const expected: Record<string, RegExp> = {
      'graphiql.css': /^text\/css; charset=utf-8$/,
      'graphiql.js': /^text\/javascript; charset=utf-8$/,
      'graphql-ws.js': /^text\/javascript; charset=utf-8$/,
      'graphiql-client.js': /^text\/javascript; charset=utf-8$/,
      'editor.worker.js': /^text\/javascript; charset=utf-8$/,
      'json.worker.js': /^text\/javascript; charset=utf-8$/,
      'graphql.worker.js': /^text\/javascript; charset=utf-8$/,
    };
    for (const [name, type] of Object.entries(expected)) {
      const plain = await fetch(new URL(name, base), { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.status, 200, name);
      assert.match(plain.headers.get('content-type') ?? '', type, name);
      assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable', name);
      assert.equal(plain.headers.get('x-content-type-options'), 'nosniff', name);
      const body = Buffer.from(await plain.arrayBuffer());
      assert.ok(body.length > 500, `${name} has content`);
      if (name === 'graphiql.js') {
        // fetch decompresses by itself: read the bytes as they travel with node:http.
        const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
          request(new URL(name, base), { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          })
            .on('error', reject)
            .end();
        });
        assert.equal(raw.encoding, 'gzip');
        assert.ok(raw.body.length < body.length / 2, 'the 5 MB bundle travels compressed');
        assert.ok(gunzipSync(raw.body).equals(body));
      }
    }
    const version = config.assets.split('/')[2]!;
    for (const path of [
      `/graphiql/${version}/landing-page.ts`,
      `/graphiql/${version}/..%2Flanding-page.ts`,
      `/graphiql/${version}/..%2F..%2F..%2Fpackage.json`,
      `/graphiql/${version}/%2e%2e/%2e%2e/package.json`,
      `/graphiql/${version}/yoga-graphiql.umd.js`,
      `/graphiql/0000000000000000/graphiql.js`,
      `/graphiql/${version}`,
      `/graphiql/${version}/graphiql.js/x`,
    ]) {
      const response = await fetch(new URL(path, graphiql.url));
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /lgsp|import |"name"/i, path);
    }
  });

  it('clients that are not browsers still get GraphQL over HTTP at GET /graphql', async () => {
    const query = new URL(graphiql.url);
    query.searchParams.set('query', '{ __typename }');
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*', 'application/json, text/html;q=0.5']) {
      const response = await fetch(query, { headers: { accept, 'apollo-require-preflight': 'true' } });
      assert.equal(response.status, 200, accept);
      assert.deepEqual(await response.json(), { data: { __typename: 'Query' } }, accept);
    }
    // Without the preflight header a GET is refused as before (CSRF prevention), not answered with the page.
    const refused = await fetch(query, { headers: { accept: 'application/json' } });
    assert.equal(refused.status, 400);
  });

  it('the prefilled placeholder, sent unchanged, gets a 401 that says what to send', async () => {
    const response = await fetch(graphiql.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: ACCESS_TOKEN_PLACEHOLDER },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    assert.match(body.errors[0]?.message ?? '', /Bearer must be followed by one access token/);
  });
});

describe('Apollo Sandbox landing page (GATEWAY_EXPLORER=apollo-sandbox)', () => {
  it('prefills the bearer header and says where the token comes from', async () => {
    const response = await fetch(sandbox.url, { headers: { accept: 'text/html' } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /embeddable-sandbox/);
    assert.match(html, /"Authorization":"Bearer \\u003caccess token\\u003e"/);
    assert.ok(html.includes(`TOKEN_ENDPOINT=${realmUrl}/protocol/openid-connect/token`), 'the realm token endpoint');
    assert.match(html, /X-LGSP-Purpose/);
    assert.match(html, /# LGSP Gateway — Apollo Sandbox \(development\)/);
    assert.doesNotMatch(html, /graphiql-config/);
    // GraphiQL's assets are not served either.
    assert.equal((await fetch(new URL('/graphiql/0000000000000000/graphiql.js', sandbox.url))).status, 404);
  });
});

describe('explorer document', () => {
  it('holds none of the characters Apollo Server fails to escape after their first occurrence', () => {
    for (const explorer of ['graphiql', 'apollo-sandbox'] as const) {
      for (const realm of [realmUrl, undefined]) assert.doesNotMatch(explorerDocument(explorer, realm), /[<>&']/);
    }
  });

  it('states the anonymous-access rule of the code (auth/anonymous-access.ts), with or without a realm', () => {
    for (const realm of [realmUrl, undefined]) {
      const document = explorerDocument('graphiql', realm);
      for (const line of ANONYMOUS_ACCESS_RULE) assert.ok(document.includes(`# ${line}\n`), line);
    }
  });

  it('names the explorer in its title line', () => {
    assert.match(explorerDocument('graphiql', undefined), /^# LGSP Gateway — GraphiQL \(development\)\n/);
    assert.match(explorerDocument('apollo-sandbox', realmUrl), /^# LGSP Gateway — Apollo Sandbox \(development\)\n/);
  });
});
