/**
 * The `/exchange/` content proxy over real HTTP: a stand-in relay (node:http) whose behaviour each path chooses,
 * the proxy in front of it alone (timeouts the test can shorten) and inside a real gateway (how server.ts mounts
 * it). Streaming is proven by the two ends talking while the other is still in the middle of its body.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry, REQUEST_ID_HEADER } from '@lgsp/kit';
import { pino } from 'pino';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';
import { exchangeContentProxy, isExchangeRequest, type ContentProxy } from './content-proxy.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  sha256: string;
}

/** Resolvers the relay stand-in and the test hand each other. */
class Signal {
  private resolve!: () => void;
  readonly reached = new Promise<void>((r) => (this.resolve = r));
  fire(): void {
    this.resolve();
  }
}

/** The relay stand-in: records what reached it; the path picks the behaviour. */
class Relay {
  seen: Seen[] = [];
  firstUploadBytes = new Signal();
  releaseDownload = new Signal();
  downloadAborted = new Signal();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.answer(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (path.endsWith('/never')) return; // no answer at all (headers timeout)
    if (path.endsWith('/download')) {
      // The first 64 KiB, then the rest only once the test says so (it must have the first part by then).
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 128 * 1024 });
      res.write(Buffer.alloc(64 * 1024, 1));
      res.on('close', () => {
        if (!res.writableFinished) this.downloadAborted.fire();
      });
      void this.releaseDownload.reached.then(() => res.end(Buffer.alloc(64 * 1024, 2)));
      return;
    }
    if (path.endsWith('/cut')) {
      // Chunked: ending the client's answer normally here would make a valid, complete-looking body.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(100));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0) this.firstUploadBytes.fire();
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      const sha256 = hash.digest('hex');
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes, sha256 });
      const body = JSON.stringify({ bytes, sha256 });
      res.writeHead(req.method === 'PUT' ? 201 : 200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'repr-digest': 'sha-256=:abc=:',
        'cache-control': 'no-store',
        'set-cookie': 'relay=internal',
        'x-relay-internal': 'not for callers',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request; `send` writes the body (and ends it) however the test likes. */
function call(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  send?: (req: ReturnType<typeof request>) => Promise<void> | void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (send === undefined) req.end();
    else void Promise.resolve(send(req)).catch(reject);
  });
}

const json = (answer: Answer) => JSON.parse(answer.body.toString('utf8')) as Record<string, any>;

describe('exchange content proxy', () => {
  const relay = new Relay();
  let proxy: ContentProxy;
  let front: Server;
  let origin = '';
  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  let relayUrl: string | undefined;

  before(async () => {
    await relay.start();
    relayUrl = relay.url;
    proxy = exchangeContentProxy({ relayUrl: () => relayUrl, logger, headersTimeoutMs: 300 });
    front = createServer((req, res) => proxy.handle(req, res));
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    origin = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  after(async () => {
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    await proxy.close();
    await relay.close();
  });

  it('passes method, path and query unchanged, only the listed headers each way, and the request id', async () => {
    const content = randomBytes(300_000);
    const answer = await call(
      origin,
      'PUT',
      '/exchange/packets/p1/content?token=abc.def&x=1',
      {
        'content-type': 'application/octet-stream',
        'content-length': content.length,
        'repr-digest': 'sha-256=:xyz=:',
        authorization: 'Bearer secret-token',
        cookie: 'session=1',
        'x-forwarded-for': '10.0.0.1',
        [REQUEST_ID_HEADER]: 'agency-req-7',
      },
      (req) => void req.end(content),
    );
    assert.equal(answer.status, 201);
    assert.deepEqual(json(answer), { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    const seen = relay.seen.at(-1)!;
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, '/exchange/packets/p1/content?token=abc.def&x=1');
    assert.equal(seen.headers[REQUEST_ID_HEADER], 'agency-req-7');
    assert.equal(seen.headers['repr-digest'], 'sha-256=:xyz=:');
    assert.equal(seen.headers['content-type'], 'application/octet-stream');
    assert.equal(seen.headers['content-length'], String(content.length));
    for (const name of ['authorization', 'cookie', 'x-forwarded-for']) assert.equal(seen.headers[name], undefined, `${name} is not forwarded`);

    assert.equal(answer.headers[REQUEST_ID_HEADER], 'agency-req-7');
    assert.equal(answer.headers['repr-digest'], 'sha-256=:abc=:');
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['set-cookie'], undefined);
    assert.equal(answer.headers['x-relay-internal'], undefined);
  });

  it('makes a request id when the caller sends none or an unusable one', async () => {
    const answer = await call(origin, 'GET', '/exchange/packets/p1/content', { [REQUEST_ID_HEADER]: 'bad id with spaces' });
    assert.equal(answer.status, 200);
    const id = answer.headers[REQUEST_ID_HEADER];
    assert.match(String(id), /^[0-9a-f-]{36}$/);
    assert.equal(relay.seen.at(-1)?.headers[REQUEST_ID_HEADER], id);
  });

  it('HEAD answers the headers without a body', async () => {
    const answer = await call(origin, 'HEAD', '/exchange/packets/p1/content', {});
    assert.equal(answer.status, 200);
    assert.equal(answer.body.length, 0);
    assert.equal(relay.seen.at(-1)?.method, 'HEAD');
  });

  it('streams an upload: the relay reads the first bytes while the caller has not sent the rest', { timeout: 5_000 }, async () => {
    relay.firstUploadBytes = new Signal();
    const first = randomBytes(64 * 1024);
    const rest = randomBytes(64 * 1024);
    const answer = await call(
      origin,
      'PUT',
      '/exchange/packets/p2/content',
      { 'content-type': 'application/octet-stream', 'content-length': first.length + rest.length },
      async (req) => {
        req.write(first);
        await relay.firstUploadBytes.reached; // never resolves if the proxy waits for the whole body
        req.end(rest);
      },
    );
    assert.equal(answer.status, 201);
    assert.equal(json(answer).sha256, createHash('sha256').update(first).update(rest).digest('hex'));
  });

  it('streams a download: the caller gets the first bytes while the relay has not sent the rest', { timeout: 5_000 }, async () => {
    relay.releaseDownload = new Signal();
    const received = await new Promise<number>((resolve, reject) => {
      const req = request(`${origin}/exchange/packets/p3/download`, { agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          if (bytes === 0) relay.releaseDownload.fire(); // the relay is holding the second half until now
          bytes += chunk.length;
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(received, 128 * 1024);
  });

  it('a caller hanging up mid-download stops the relay side too', { timeout: 5_000 }, async () => {
    relay.releaseDownload = new Signal();
    relay.downloadAborted = new Signal();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${origin}/exchange/packets/p4/download`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
    await relay.downloadAborted.reached; // never resolves if the relay connection is left streaming
    relay.releaseDownload.fire();
  });

  it('a relay that cuts its answer short: the caller sees a cut connection, never a complete-looking body', async () => {
    await assert.rejects(
      call(origin, 'GET', '/exchange/packets/p5/cut', {}),
      (error: NodeJS.ErrnoException) => ['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE'].includes(String(error.code)) || /aborted/.test(error.message),
    );
  });

  it('a relay that does not answer in time: 504 UPSTREAM_TIMEOUT with the JSON error body, logged with the request id', async () => {
    const answer = await call(origin, 'GET', '/exchange/packets/p6/never', { [REQUEST_ID_HEADER]: 'req-timeout-1' });
    assert.equal(answer.status, 504);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.equal(answer.headers[REQUEST_ID_HEADER], 'req-timeout-1');
    assert.deepEqual(json(answer), { errors: [{ message: 'The relay service did not answer', extensions: { code: 'UPSTREAM_TIMEOUT' } }] });
    assert.ok(logLines.some((l) => l.requestId === 'req-timeout-1' && l.msg === 'exchange content proxy failed' && l.level === 40));
  });

  it('a relay that is down: 502 UPSTREAM_UNAVAILABLE', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    relayUrl = `http://127.0.0.1:${port}/graphql`;
    try {
      const answer = await call(origin, 'PUT', '/exchange/packets/p7/content', { 'content-length': 5 }, (req) => void req.end('hello'));
      assert.equal(answer.status, 502);
      assert.deepEqual(json(answer), { errors: [{ message: 'The relay service did not answer', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] });
      assert.ok(answer.headers[REQUEST_ID_HEADER]);
    } finally {
      relayUrl = relay.url;
    }
  });

  it('no relay in the supergraph: 503 UPSTREAM_UNAVAILABLE', async () => {
    relayUrl = undefined;
    try {
      const answer = await call(origin, 'GET', '/exchange/packets/p8/content', {});
      assert.equal(answer.status, 503);
      assert.equal(json(answer).errors[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
    } finally {
      relayUrl = relay.url;
    }
  });

  it('recognises its paths as Express did: /exchange and below, any case, nothing else', () => {
    for (const url of ['/exchange', '/exchange/', '/exchange/packets/1/content?token=x', '/Exchange/x', '/EXCHANGE?x=1'])
      assert.equal(isExchangeRequest(url), true, url);
    for (const url of [undefined, '', '/', '/graphql', '/exchangefoo', '/exchange-x', '/exchang', '/x/exchange/', 'http://host/exchange/'])
      assert.equal(isExchangeRequest(url), false, String(url));
  });
});

describe('exchange content proxy in the gateway', () => {
  const relay = new Relay();
  let gateway: RunningGateway;
  let origin = '';

  before(async () => {
    await relay.start();
    // The repository's supergraph has the relay subgraph; it points at the stand-in.
    gateway = await startGateway(
      gatewayConfig({ port: 0, host: '127.0.0.1', logLevel: 'silent', watchSupergraph: false, subgraphUrlOverrides: { SUBGRAPH_RELAY_URL: relay.url } }),
      { metrics: createMetricsRegistry('gateway'), logger: pino({ level: 'silent' }) },
    );
    origin = new URL(gateway.url).origin;
  });
  after(async () => {
    await gateway?.close();
    await relay.close();
  });

  it('proxies /exchange/ before any GraphQL middleware, with the request id, and leaves the rest to Express', async () => {
    const content = randomBytes(10 * 1024);
    const upload = await call(
      origin,
      'PUT',
      '/exchange/packets/g1/content?token=t',
      { 'content-length': content.length, authorization: 'Bearer not-even-a-jwt', [REQUEST_ID_HEADER]: 'gw-req-1' },
      (req) => void req.end(content),
    );
    assert.equal(upload.status, 201, 'a bad Authorization header is not the proxy’s business (the relay checks its capability URL)');
    assert.equal(upload.headers[REQUEST_ID_HEADER], 'gw-req-1');
    assert.equal(relay.seen.at(-1)?.url, '/exchange/packets/g1/content?token=t');
    assert.equal(relay.seen.at(-1)?.headers[REQUEST_ID_HEADER], 'gw-req-1');
    assert.equal(relay.seen.at(-1)?.bytes, content.length);

    const seen = relay.seen.length;
    const other = await call(origin, 'GET', '/exchangefoo', {});
    assert.equal(other.status, 404);
    assert.equal(relay.seen.length, seen, 'not proxied');
    assert.ok(other.headers[REQUEST_ID_HEADER], 'Express answered, with its request id');
    assert.equal((await call(origin, 'GET', '/health/live', {})).status, 200);
  });

  it('answers 503 when the supergraph has no relay subgraph', async () => {
    const federation = await startTestFederation();
    const noRelay = await startGateway(federation.config, {
      issuer: federation.issuer,
      metrics: createMetricsRegistry('gateway'),
      logger: pino({ level: 'silent' }),
    });
    try {
      const answer = await call(new URL(noRelay.url).origin, 'GET', '/exchange/packets/x/content', {});
      assert.equal(answer.status, 503);
      assert.equal(json(answer).errors[0].extensions.code, 'UPSTREAM_UNAVAILABLE');
    } finally {
      await noRelay.close();
      await federation.cleanup();
    }
  });
});
