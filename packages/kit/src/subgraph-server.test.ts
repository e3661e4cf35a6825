/** `startSubgraph` over real HTTP: the `handle` option (what it answers never reaches Express) and stopping. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gql } from 'graphql-tag';
import { createInternalTokenIssuer, createInternalTokenVerifier } from './auth/internal-token.ts';
import { createLogger } from './logger.ts';
import { createMetricsRegistry } from './metrics.ts';
import { startSubgraph, type BaseContext, type RunningSubgraph, type SubgraphOptions } from './subgraph-server.ts';

/** A one-field subgraph on a free port, with the options a test adds. */
async function startTestSubgraph(name: string, options: Partial<SubgraphOptions<BaseContext>>): Promise<RunningSubgraph> {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  return startSubgraph({
    name,
    typeDefs: gql`
      type Query {
        hello: String
      }
    `,
    resolvers: { Query: { hello: () => 'hi' } },
    host: '127.0.0.1',
    port: 0,
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger(name, 'silent'),
    metrics: createMetricsRegistry(name),
    context: (base) => base,
    ...options,
  });
}

describe('startSubgraph with a handler in front of Express', () => {
  let subgraph: RunningSubgraph;
  let origin: string;
  const seenByHandler: string[] = [];
  const seenByExpress: string[] = [];

  before(async () => {
    subgraph = await startTestSubgraph('kit-test', {
      handle(req, res) {
        seenByHandler.push(req.url ?? '');
        if (req.url === '/fast') {
          // Answered later: returning true is what keeps Express away, not having answered already.
          setImmediate(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(`handled ${req.method}`));
          return true;
        }
        if (req.url === '/broken') throw new Error('handler bug');
        return false;
      },
      routes(app) {
        app.use((req, _res, next) => {
          seenByExpress.push(req.url);
          next();
        });
        app.get('/fast', (_req, res) => {
          res.send('from express');
        });
        app.get('/slow', (_req, res) => {
          res.send('from express');
        });
      },
    });
    origin = `http://127.0.0.1:${subgraph.port}`;
  });

  after(async () => {
    await subgraph.close();
  });

  it('answers a handled request without Express', async () => {
    const response = await fetch(`${origin}/fast`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'handled GET');
    assert.deepEqual(seenByHandler, ['/fast']);
    assert.deepEqual(seenByExpress, []);
  });

  it('leaves every other request to Express: its routes, health and GraphQL', async () => {
    seenByHandler.length = 0;
    const slow = await fetch(`${origin}/slow`);
    assert.equal(await slow.text(), 'from express');
    const live = await fetch(`${origin}/health/live`);
    assert.deepEqual(await live.json(), { status: 'ok', service: 'kit-test' });
    const graphql = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ hello }"}' });
    assert.equal(graphql.status, 401); // still behind the internal token
    assert.deepEqual(seenByHandler, ['/slow', '/health/live', '/graphql']);
    assert.deepEqual(seenByExpress, ['/slow', '/graphql']); // /health/live is answered before the extra routes' middleware
  });

  it('answers 500 with a JSON error when the handler throws, and Express is not reached', async () => {
    seenByExpress.length = 0;
    const response = await fetch(`${origin}/broken`);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { errors: [{ message: 'Internal error; see the service logs', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    assert.deepEqual(seenByExpress, []);
  });
});

describe('startSubgraph stopping', () => {
  const start = async (drainMs: number) =>
    startTestSubgraph('kit-drain', {
      drainMs,
      routes(app) {
        // An upload or a national lookup still running when the service is told to stop.
        app.get('/in-flight', (_req, res) => {
          setTimeout(() => res.send('finished'), 300);
        });
        app.get('/hangs', () => undefined);
      },
    });

  it('lets a request in flight finish, refuses new connections, and stops', async () => {
    const subgraph = await start(10_000);
    const origin = `http://127.0.0.1:${subgraph.port}`;
    await (await fetch(`${origin}/health/live`)).text(); // an idle keep-alive connection as well
    const inFlight = fetch(`${origin}/in-flight`);
    await new Promise((r) => setTimeout(r, 50));
    const began = Date.now();
    const closing = subgraph.close();
    const answer = await inFlight;
    assert.deepEqual([answer.status, await answer.text()], [200, 'finished']);
    await closing;
    assert.ok(Date.now() - began < 5_000, 'stopped once the request was answered, not at the end of the grace');
    await assert.rejects(fetch(`${origin}/health/live`), 'no new connections');
  });

  it('cuts what is still running after the grace period', async () => {
    const subgraph = await start(200);
    const hanging = fetch(`http://127.0.0.1:${subgraph.port}/hangs`);
    await new Promise((r) => setTimeout(r, 50));
    await subgraph.close();
    await assert.rejects(hanging);
  });
});
