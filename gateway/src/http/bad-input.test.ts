/**
 * The HTTP edge is strict and quiet: every case of bad-input.cases.json (specs as data) is sent raw to a real
 * gateway and gets its status and `extensions.code`, never a 500, and no error-level log line (an error line is an
 * operator alert: nothing a caller sends may raise one). Compressed bodies are accepted as docs/decisions say.
 */
import { createLogger, createMetricsRegistry } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { startGateway, type RunningGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';
import cases from './bad-input.cases.json' with { type: 'json' };

interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  accept?: string;
  body?: string;
  bodyHex?: string;
  bodyRepeat?: [string, number];
  gzip?: string;
  gzipHex?: string;
  gzipRepeat?: [string, number];
  deflate?: string;
  br?: string;
  truncate?: number;
  authorizationRepeat?: number;
  raw?: string;
  rawRepeat?: number;
  status?: number;
  legacyStatus?: number;
  code?: string;
  data?: unknown;
}

function bodyOf(c: Case): Buffer | undefined {
  let body: Buffer | undefined;
  if (c.body !== undefined) body = Buffer.from(c.body, 'utf8');
  else if (c.bodyHex !== undefined) body = Buffer.from(c.bodyHex, 'hex');
  else if (c.bodyRepeat !== undefined) body = Buffer.from(c.bodyRepeat[0] + 'x'.repeat(c.bodyRepeat[1]) + '"}', 'utf8');
  else if (c.gzip !== undefined) body = gzipSync(c.gzip);
  else if (c.gzipHex !== undefined) body = gzipSync(Buffer.from(c.gzipHex, 'hex'));
  else if (c.gzipRepeat !== undefined) body = gzipSync(Buffer.from(`{"query":"{ __typename }","x":"${c.gzipRepeat[0].repeat(c.gzipRepeat[1])}"}`));
  else if (c.deflate !== undefined) body = deflateSync(c.deflate);
  else if (c.br !== undefined) body = brotliCompressSync(c.br);
  if (body !== undefined && c.truncate !== undefined) body = body.subarray(0, body.length - c.truncate);
  return body;
}

describe('the HTTP edge: bad input gets a precise 4xx and no error log line', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let gateway: RunningGateway;
  const lines: Array<{ level: number; msg: string; err?: unknown }> = [];

  before(async () => {
    fed = await startTestFederation({ maxBodyBytes: 10_000 });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line));
        done();
      },
    });
    gateway = await startGateway(fed.config, {
      issuer: fed.issuer,
      metrics: createMetricsRegistry('gateway-test'),
      logger: createLogger('gateway', 'debug', sink),
    });
  });
  after(async () => {
    await gateway.close();
    await fed.cleanup();
  });

  /** Writes `c.raw` to a socket and reads the answer (Node's HTTP parser refuses these before any handler). */
  function sendRaw(c: Case): Promise<{ status: number; text: string }> {
    const url = new URL(gateway.url);
    const bytes = c.raw!.replace('@@@', 'x'.repeat(c.rawRepeat ?? 0));
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const answer = Buffer.concat(chunks).toString('utf8');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
        resolve({ status, text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
      });
    });
  }

  function send(c: Case, accept: string): Promise<{ status: number; text: string }> {
    if (c.raw !== undefined) return sendRaw(c);
    const url = new URL(gateway.url + (c.path ?? ''));
    const headers: Record<string, string | string[]> = { accept: c.accept ?? accept, ...(c.headers ?? {}) };
    if (c.authorizationRepeat !== undefined) headers.authorization = `Bearer ${'a'.repeat(c.authorizationRepeat)}`;
    const body = bodyOf(c);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: c.method ?? 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  for (const c of cases.valid as unknown as Case[]) {
    test(`accepted: ${c.name}`, async () => {
      const response = await send(c, 'application/graphql-response+json');
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(JSON.parse(response.text), { data: c.data });
    });
  }

  for (const c of cases.malformed as unknown as Case[]) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = lines.length;
      for (const accept of ['application/graphql-response+json', 'application/json']) {
        const response = await send(c, accept);
        const status = accept === 'application/json' ? (c.legacyStatus ?? c.status) : c.status;
        assert.equal(response.status, status, `${accept}: ${response.text}`);
        const body = JSON.parse(response.text) as { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };
        assert.equal(body.errors.length, 1, response.text);
        assert.equal(body.errors[0]!.extensions.code, c.code, response.text);
        assert.equal('data' in body, false);
      }
      const alerts = lines.slice(before).filter((l) => l.level >= 50);
      assert.deepEqual(alerts, [], "no error-level log line for a caller's mistake");
      const ok = await send(
        { name: 'after', headers: { 'content-type': 'application/json' }, body: '{"query":"{ person(id: \\"2\\") { name } }"}' },
        'application/json',
      );
      assert.deepEqual(JSON.parse(ok.text), { data: { person: { name: 'Nguyễn Văn 2' } } }, 'the gateway keeps serving');
    });
  }
});
