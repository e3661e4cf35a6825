/**
 * Report downloads through the gateway's proxy: a real monitoring subgraph (its modules as modules.ts lists them, a memory audit log)
 * behind `withReportDownloads` on a real HTTP server on loopback. The file arrives whole with its headers; monitoring's
 * link errors pass through with their codes; other paths go to the next listener; a monitoring that is absent or down
 * is a precise 503 / 502.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@lgsp/kit';
import { OPERATOR, startMonitoringHarness, type MonitoringHarness } from '@lgsp/monitoring/testing';
import { withReportDownloads } from './report-proxy.ts';

describe('report downloads through the gateway', () => {
  let monitoring: MonitoringHarness;
  let server: Server;
  let origin: string;
  let monitoringUrl: string | undefined;

  before(async () => {
    // The reports module as modules.ts starts it (REPORT_PUBLIC_URL unset: links point at http://127.0.0.1:4000).
    monitoring = await startMonitoringHarness();
    monitoringUrl = monitoring.running.url;
    server = createServer(
      withReportDownloads((_req, res) => res.writeHead(418).end('next'), { monitoringUrl: () => monitoringUrl, logger: createLogger('gateway', 'silent') }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await monitoring.close();
  });

  const link = async () => {
    const answer = await monitoring.gql(OPERATOR, '{ report(period: "2026-11", format: CSV) { url fileName } }');
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return (answer.data!.report as { url: string }).url.replace('http://127.0.0.1:4000', origin);
  };

  it('streams the file with its headers and the request id', async () => {
    const response = await fetch(await link(), { headers: { 'x-request-id': 'report-proxy-test-1' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="bao-cao-2026-11-toan-tinh\.csv"/);
    assert.equal(response.headers.get('x-request-id'), 'report-proxy-test-1');
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8'); // keeps the byte order mark
    assert.ok(text.startsWith('\uFEFFPhần,Mã,Tên,Yêu cầu'));
    assert.match(text, /\r\nTONG,toan-tinh,Toàn tỉnh,0,0,0,0,0,0,0,0,0\r\n/);
  });

  it('passes monitoring’s refusals on with their codes, and only GET', async () => {
    const url = await link();
    const forged = `${url.slice(0, -3)}abc`;
    const refused = await fetch(forged);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'REPORT_LINK_INVALID');
    const post = await fetch(url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal((await fetch(`${origin}/reportsx`)).status, 418);
    assert.equal((await fetch(`${origin}/graphql`)).status, 418);
  });

  it('answers 503 without monitoring in the supergraph and 502 when it is down', async () => {
    const url = await link();
    monitoringUrl = undefined;
    const absent = await fetch(url);
    assert.equal(absent.status, 503);
    assert.equal(((await absent.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'UPSTREAM_UNAVAILABLE');
    monitoringUrl = 'http://127.0.0.1:9/graphql';
    const down = await fetch(url);
    assert.equal(down.status, 502);
    monitoringUrl = monitoring.running.url;
  });
});
