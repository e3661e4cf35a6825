/** Embedded mode (no REDIS_URL): the same exchange on the in-memory stores. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createInternalTokenVerifier, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { loadRelayConfig } from './config.ts';
import { startRelay, type RunningRelay } from './service.ts';
import { A, ACK, AGENCY_B, B, CLAIM, httpRequest, REQUEST_EXCHANGE, reprDigest, sha256 } from './testing.ts';

describe('relay in embedded mode (in-memory stores)', () => {
  let relay: RunningRelay;
  let issuer: InternalTokenIssuer;
  const gql = async (principal: Principal, query: string, variables: Record<string, unknown>) =>
    (await (
      await fetch(relay.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as { data: Record<string, any>; errors?: unknown[] };

  before(async () => {
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    relay = await startRelay(loadRelayConfig({ PORT: '0', LOG_LEVEL: 'silent', RELAY_SWEEP_MS: '0' }), {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    });
  });
  after(async () => {
    await relay.close();
  });

  it('runs the 7 steps', async () => {
    const content = Buffer.from('embedded');
    const space = await gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'HIGH',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl } = space.data.requestExchange;
    assert.ok(uploadUrl.startsWith(`${relay.origin}/exchange/spaces/${id}/content?token=`));
    assert.equal((await httpRequest(uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(content) } })).status, 201);
    const claim = await gql(B, CLAIM, { id });
    const download = await httpRequest(claim.data.claimPacket.downloadUrl, { method: 'GET' });
    assert.ok(download.body.equals(content));
    assert.equal(download.headers['repr-digest'], reprDigest(content));
    const ack = await gql(B, ACK, { id, sha256: sha256(content) });
    assert.equal(ack.data.acknowledgePacket.status, 'DELIVERED');
    assert.equal((await httpRequest(claim.data.claimPacket.downloadUrl, { method: 'GET' })).status, 410);
  });
});

describe("relay in embedded mode: each namespace's events posted to EVENTS_URL with its environment", () => {
  const token = 'embedded-events-token-of-at-least-32-characters';
  let relay: RunningRelay;
  let issuer: InternalTokenIssuer;
  let events: Server;
  /** The bodies posted to `/internal/events`, as the subscriptions service receives them (with their bearer). */
  const posts: Array<{ authorization: string | undefined; body: { environment?: string; events: Array<{ topic: string; fields: Record<string, string> }> } }> =
    [];
  let sequence = 0;

  before(async () => {
    // The receiving end of the publisher's posts, answering as the subscriptions service does (201, one id per event).
    events = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as (typeof posts)[number]['body'];
        posts.push({ authorization: req.headers.authorization, body });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ eventIds: body.events.map(() => `${Date.now()}-${sequence++}`) }));
      });
    });
    await new Promise<void>((resolve) => events.listen(0, '127.0.0.1', resolve));
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    relay = await startRelay(
      loadRelayConfig({
        PORT: '0',
        LOG_LEVEL: 'silent',
        RELAY_SWEEP_MS: '0',
        EVENTS_URL: `http://127.0.0.1:${(events.address() as AddressInfo).port}`,
        EVENTS_PUBLISH_TOKEN: token,
      }),
      { verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }) },
    );
  });
  after(async () => {
    await relay.close();
    await new Promise((resolve) => events.close(resolve));
  });

  const send = async (principal: Principal, title: string) => {
    const content = Buffer.from(title);
    const space = await (
      await fetch(relay.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
        body: JSON.stringify({
          query: REQUEST_EXCHANGE,
          variables: {
            input: {
              recipients: { agencyCodes: [AGENCY_B] },
              title,
              priority: 'NORMAL',
              dataType: 'FILE',
              protocol: 'p',
              declaredBytes: content.length,
              sha256: sha256(content),
            },
          },
        }),
      })
    ).json();
    const { id, uploadUrl } = (space as { data: { requestExchange: { id: string; uploadUrl: string } } }).data.requestExchange;
    assert.equal((await httpRequest(uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(content) } })).status, 201);
    return id;
  };
  /** The packet ids of the packet-available events for B posted with `environment` (undefined: posts naming none). */
  const availableFor = (environment: string | undefined) =>
    posts
      .filter((post) => post.body.environment === environment)
      .flatMap((post) => post.body.events)
      .filter((event) => event.topic === `packet-available:${AGENCY_B}`)
      .map((event) => event.fields.packetId);

  it("posts the test namespace's events with environment test, and production's without an environment", async () => {
    const production = await send(A, 'sản xuất');
    const test = await send({ ...A, environment: 'test' }, 'thử nghiệm');
    const deadline = Date.now() + 10_000;
    while (availableFor('test').length + availableFor(undefined).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(availableFor(undefined), [production], "production's packet, in a post naming no environment");
    assert.deepEqual(availableFor('test'), [test], 'the test packet, in a post naming the test environment');
    assert.deepEqual(
      posts.map((post) => post.body.environment).filter((environment) => environment !== undefined && environment !== 'test'),
      [],
      'no other environment is ever named',
    );
    const testPackets = posts.filter((post) => post.body.environment === 'test').flatMap((post) => post.body.events.map((e) => e.fields.packetId));
    assert.ok(testPackets.length > 0 && testPackets.every((packetId) => packetId === test), JSON.stringify(testPackets));
    assert.ok(posts.every((post) => post.authorization === `Bearer ${token}`));
  });
});

describe('relay JSON schemas from RELAY_JSON_SCHEMAS_DIR', () => {
  it("checks DOSSIER packets against the directory's schema, and refuses to start on a broken schema file, naming it", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'relay-schemas-'));
    const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
    try {
      await writeFile(
        join(directory, 'DOSSIER.json'),
        JSON.stringify({ type: 'object', required: ['dossierCode'], properties: { dossierCode: { type: 'string' } } }),
      );
      const relay = await startRelay(loadRelayConfig({ PORT: '0', LOG_LEVEL: 'silent', RELAY_SWEEP_MS: '0', RELAY_JSON_SCHEMAS_DIR: directory }), { verifier });
      try {
        const content = Buffer.from('{"dossierCode": 42}');
        const answer = (await (
          await fetch(relay.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(A)}` },
            body: JSON.stringify({
              query: REQUEST_EXCHANGE,
              variables: {
                input: {
                  recipients: { agencyCodes: [AGENCY_B] },
                  title: 't',
                  priority: 'LOW',
                  dataType: 'DOSSIER',
                  protocol: 'p',
                  declaredBytes: content.length,
                  sha256: sha256(content),
                },
              },
            }),
          })
        ).json()) as { data: { requestExchange: { uploadUrl: string } } };
        const upload = await httpRequest(answer.data.requestExchange.uploadUrl, { method: 'PUT', body: content });
        assert.equal(upload.status, 422);
        const rejection = JSON.parse(upload.body.toString()).rejection as { code: string; message: string };
        assert.equal(rejection.code, 'JSON_SCHEMA_MISMATCH');
        assert.match(rejection.message, /dossierCode/);
      } finally {
        await relay.close();
      }

      await writeFile(join(directory, 'BROKEN.json'), '{ "type": ');
      await assert.rejects(
        startRelay(loadRelayConfig({ PORT: '0', LOG_LEVEL: 'silent', RELAY_SWEEP_MS: '0', RELAY_JSON_SCHEMAS_DIR: directory }), { verifier }),
        (error: Error) => /RELAY_JSON_SCHEMAS_DIR: .*BROKEN\.json is not JSON/.test(error.message),
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
