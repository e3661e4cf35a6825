/**
 * The deployment's ingress (deploy/ingress/lgsp-ingress.conf.template, docker-compose.yml `ingress`) run by a real
 * nginx in front of a real Redis-mode platform: GraphQL and graphql-ws reach the gateways, packet content under
 * /exchange/ goes straight to the relay, whose URLs name the ingress (RELAY_PUBLIC_URL), and the services' own
 * answers — their JSON errors with `extensions.code`, their request ids — reach the client unchanged; Prometheus'
 * /metrics and the internal endpoints do not reach the public, however the path is spelled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { freePort } from '../../scripts/platform.ts';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';
import { ACKNOWLEDGE, CLAIM, FINANCE, JUSTICE, putOnce, REQUEST_EXCHANGE, reprDigest, sha256, type AgencySystem } from '../testing/exchange-client.ts';
import { startIngress, type Ingress } from '../../scripts/ingress.ts';

let p: PlatformFixture;
let ingress: Ingress;
before(async () => {
  const port = await freePort();
  p = await startPlatformFixture({ redis: true, env: { RELAY_PUBLIC_URL: `http://127.0.0.1:${port}` } });
  const hostOf = (url: string) => new URL(url).host;
  // Both upstream slots on the one gateway of the fixture: the routing, not the balancing, is under test.
  const gateway = hostOf(p.platform.urls.gateway);
  ingress = await startIngress({ port, gateways: [gateway, gateway], relay: hostOf(p.platform.urls.relay) });
});
after(async () => {
  await ingress?.close();
  await p?.close();
});

/** GraphQL over HTTP through the ingress as a development agency system. */
async function graphql(as: AgencySystem, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${ingress.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${await p.tokenFor(as.client)}`,
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    response,
    body: (await response.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> },
  };
}

async function requestSpace(content: Buffer, declaredBytes = content.length) {
  const { body } = await graphql(FINANCE, REQUEST_EXCHANGE, {
    input: {
      recipients: { agencyCodes: [JUSTICE.agency] },
      title: 'Qua cổng vào',
      priority: 'NORMAL',
      dataType: 'FILE',
      protocol: 'lgsp-test',
      declaredBytes,
      sha256: sha256(content),
    },
  });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data!.requestExchange as { id: string; uploadUrl: string };
}

describe('the ingress in front of the platform', () => {
  it('sends GraphQL to the gateways and packet content straight to the relay, all seven steps', async () => {
    const content = Buffer.from('Hồ sơ gửi qua cổng vào của tỉnh. '.repeat(300));
    const { response } = await graphql(FINANCE, '{ __typename }', {}, { 'x-request-id': 'ingress-graphql-1' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
    assert.equal(response.headers.get('x-request-id'), 'ingress-graphql-1', 'the request id given travels to the gateway and back');

    const space = await requestSpace(content);
    assert.ok(space.uploadUrl.startsWith(`${ingress.url}/exchange/`), `the relay hands out URLs of the ingress: ${space.uploadUrl}`);
    const upload = await fetch(space.uploadUrl, {
      method: 'PUT',
      body: content,
      headers: { 'repr-digest': reprDigest(content), 'x-request-id': 'ingress-upload-1' },
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    assert.equal(upload.headers.get('x-request-id'), 'ingress-upload-1', 'answered by the relay, which names the request');
    assert.equal(((await upload.json()) as { status: string }).status, 'QUEUED');

    const { body: claimed } = await graphql(JUSTICE, CLAIM, { id: space.id });
    assert.equal(claimed.errors, undefined, JSON.stringify(claimed.errors));
    const { downloadUrl } = claimed.data!.claimPacket as { downloadUrl: string };
    assert.ok(downloadUrl.startsWith(`${ingress.url}/exchange/`), downloadUrl);
    const download = await fetch(downloadUrl);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('repr-digest'), reprDigest(content));
    assert.ok(download.headers.get('x-request-id'), 'the ingress gave the request an id');
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(content));

    const { body: acknowledged } = await graphql(JUSTICE, ACKNOWLEDGE, { id: space.id, sha: sha256(content) });
    assert.deepEqual(acknowledged.data?.acknowledgePacket, { status: 'DELIVERED', alreadyAcknowledged: false });
  });

  it("passes on the relay's own refusals: 413 for a body larger than its space, 401 for a forged URL, 405", async () => {
    const declared = Buffer.from('ten bytes!');
    const space = await requestSpace(declared);
    const oversize = await putOnce(space.uploadUrl, Buffer.alloc(64 * 1024, 1));
    assert.ok(!('error' in oversize), `the client reads the answer, not a reset: ${JSON.stringify(oversize)}`);
    assert.equal(oversize.status, 413);
    assert.equal(oversize.body.errors[0].extensions.reason, 'PAYLOAD_TOO_LARGE', "the relay's JSON answer, not an nginx page");
    const forged = await fetch(`${ingress.url}/exchange/packets/${space.id}/content?token=forged.token`);
    assert.equal(forged.status, 401);
    assert.equal(((await forged.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'UNAUTHENTICATED');
    const wrongMethod = await fetch(space.uploadUrl, { method: 'POST', body: declared });
    assert.equal(wrongMethod.status, 405);
    // The space is still open: nothing of the refused body was kept.
    const right = await putOnce(space.uploadUrl, declared);
    assert.ok(!('error' in right) && right.status === 201, JSON.stringify(right));
  });

  it('carries graphql-ws subscriptions to the gateway: the recipient hears of a packet sent through the ingress', async () => {
    const content = Buffer.from('thông báo tức thì qua cổng vào');
    const sub = await p.subscribe('subscription { packetAvailable { packet { id title } source { code } } }', {}, { as: JUSTICE.client, url: ingress.wsUrl });
    try {
      const space = await requestSpace(content);
      const upload = await putOnce(space.uploadUrl, content);
      assert.ok(!('error' in upload) && upload.status === 201, JSON.stringify(upload));
      const event = await sub.event('packetAvailable', 'the packet sent through the ingress');
      assert.deepEqual(event, { packet: { id: space.id, title: 'Qua cổng vào' }, source: { code: FINANCE.agency } });
    } finally {
      await sub.close();
    }
  });

  it('keeps /metrics, /internal/… and the internal-token keys from the public, however the path is written', async () => {
    // What is refused exists: the gateway serves it on its own port, inside the network.
    const direct = await rawGet(p.platform.urls.gateway, '/metrics');
    assert.equal(direct.status, 200);
    assert.match(direct.body, /# HELP lgsp_gateway_operations_total/);
    const paths = [
      '/metrics',
      '/metrics/',
      '/METRICS',
      '/Metrics?format=text',
      '//metrics',
      '/%6detrics',
      '/graphql/../metrics',
      '/exchange/../metrics',
      '/exchange/%2e%2e/metrics',
      '/internal/v1/agencies',
      '/internal/events',
      '/INTERNAL/v1/audit',
      '/internal',
      '/.well-known/jwks.json',
    ];
    for (const path of paths) {
      const answer = await rawGet(ingress.url, path);
      assert.equal(answer.status, 404, `${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
      assert.deepEqual(JSON.parse(answer.body), { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] }, path);
    }
    // An encoded slash stays inside /exchange/: the relay answers, never with the metrics.
    const encoded = await rawGet(ingress.url, '/exchange/..%2fmetrics');
    assert.notEqual(encoded.status, 200);
    assert.doesNotMatch(encoded.body, /# HELP/);
    // What is public stays public.
    assert.equal((await rawGet(ingress.url, '/health/live')).status, 200);
  });
});

/** GET with the path sent exactly as written (fetch would resolve dot segments and encodings first). */
function rawGet(origin: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
