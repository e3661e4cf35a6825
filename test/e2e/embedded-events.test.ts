/**
 * Embedded mode across two real services (no Redis): the relay posts its events to the subscriptions service's
 * `/internal/events`, and the subscriptions service reports listening systems to the relay's `/internal/presence`,
 * both with the shared EVENTS_PUBLISH_TOKEN. Real HTTP, real graphql-ws, real signed internal tokens. (The HTTP
 * publisher's own contract runs in subgraphs/subscriptions/src/http-publisher.test.ts, against the real route.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type InternalTokenIssuer, type Principal } from '@lgsp/kit';
import { configSchema as subscriptionsConfigSchema, startSubscriptions, type RunningSubscriptions } from '@lgsp/subscriptions';
import { loadRelayConfig } from '../../subgraphs/relay/src/config.ts';
import { startRelay, type RunningRelay } from '../../subgraphs/relay/src/service.ts';
import { A, AGENCY_A, AGENCY_B, B, REQUEST_EXCHANGE, httpRequest, reprDigest, sha256, sleep } from '../../subgraphs/relay/src/testing.ts';

const token = `development-only-${randomBytes(24).toString('hex')}`;
const silent = createLogger('embedded-events-test', 'silent');

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

describe('embedded mode: relay → subscriptions events, subscriptions → relay presence', () => {
  let issuer: InternalTokenIssuer;
  let subscriptions: RunningSubscriptions;
  let relay: RunningRelay;

  before(async () => {
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
    // The relay's port is needed by the subscriptions service and the other way round: start the relay first with
    // the subscriptions port reserved by starting the subscriptions service without presence, then restart it.
    subscriptions = await startSubscriptions(
      subscriptionsConfigSchema.parse({ PORT: '0', LOG_LEVEL: 'silent', EVENTS_PUBLISH_TOKEN: token, SUBSCRIPTIONS_BLOCK_MS: '1000' }),
      { verifier, logger: silent },
    );
    relay = await startRelay(
      loadRelayConfig({ PORT: '0', LOG_LEVEL: 'silent', RELAY_SWEEP_MS: '0', EVENTS_URL: subscriptions.origin, EVENTS_PUBLISH_TOKEN: token }),
      { verifier, logger: silent },
    );
    const port = String(subscriptions.port);
    await subscriptions.close();
    subscriptions = await startSubscriptions(
      subscriptionsConfigSchema.parse({
        PORT: port,
        LOG_LEVEL: 'silent',
        EVENTS_PUBLISH_TOKEN: token,
        SUBSCRIPTIONS_BLOCK_MS: '1000',
        RELAY_URL: relay.origin,
        PRESENCE_REPORT_MS: '200',
      }),
      { verifier, logger: silent },
    );
  });
  after(async () => {
    await relay?.close();
    await subscriptions?.close();
  });

  it('refuses events without the shared token, and an unknown topic, without storing them', async () => {
    const post = (authorization: string | undefined, body: unknown) =>
      fetch(`${subscriptions.origin}/internal/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
    assert.equal((await post(undefined, { topic: `packet-available:${AGENCY_A}`, fields: { packetId: 'x' } })).status, 401);
    assert.equal(
      (await post('Bearer wrong-token-of-sufficient-length-000000', { topic: `packet-available:${AGENCY_A}`, fields: { packetId: 'x' } })).status,
      401,
    );
    const unknown = await post(`Bearer ${token}`, { topic: 'nonsense', fields: { a: 'b' } });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { errors: Array<{ message: string }> }).errors[0]!.message, /unknown event topic/);
  });

  it('a packet uploaded to the relay reaches the recipient subscribed at the subscriptions service', async () => {
    const client = createClient({
      url: subscriptions.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await issuer.tokenFor(B)}` },
    });
    const received: Array<{ packet: { id: string }; source: { code: string } }> = [];
    const dispose = client.subscribe(
      { query: 'subscription { packetAvailable { packet { id } source { code } } }' },
      {
        next: (v) => void received.push((v.data as { packetAvailable: (typeof received)[number] }).packetAvailable),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await eventually(async () => subscriptions.stream.stats().subscriptions === 1, 'the subscription is open');

    const content = Buffer.from('embedded event');
    const answer = await fetch(relay.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(A)}` },
      body: JSON.stringify({
        query: REQUEST_EXCHANGE,
        variables: {
          input: {
            recipients: { agencyCodes: [AGENCY_B] },
            title: 't',
            priority: 'NORMAL',
            dataType: 'FILE',
            protocol: 'p',
            declaredBytes: content.length,
            sha256: sha256(content),
          },
        },
      }),
    });
    const space = ((await answer.json()) as { data: { requestExchange: { id: string; uploadUrl: string } } }).data.requestExchange;
    assert.equal((await httpRequest(space.uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(content) } })).status, 201);
    await eventually(async () => received.length === 1, 'the packetAvailable event arrives');
    assert.deepEqual(received[0], { packet: { id: space.id }, source: { code: AGENCY_A } });
    dispose();
    await client.dispose();
  });

  it("test and production environments: each recipient's subscription brings its own namespace's packets only, and a test listener is online in the test namespace only", async () => {
    const inTest = (p: Principal): Principal => ({ ...p, environment: 'test' });
    const listen = async (principal: Principal) => {
      const client = createClient({
        url: subscriptions.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${await issuer.tokenFor(principal)}` },
      });
      const received: string[] = [];
      const dispose = client.subscribe(
        { query: 'subscription { packetAvailable { packet { id } } }' },
        {
          next: (v) => void received.push((v.data as { packetAvailable: { packet: { id: string } } }).packetAvailable.packet.id),
          error: () => undefined,
          complete: () => undefined,
        },
      );
      return { received, close: async () => (dispose(), await client.dispose()) };
    };
    const send = async (principal: Principal) => {
      const content = Buffer.from(`environment ${principal.environment ?? 'production'}`);
      const answer = await fetch(relay.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
        body: JSON.stringify({
          query: REQUEST_EXCHANGE,
          variables: {
            input: {
              recipients: { agencyCodes: [AGENCY_B] },
              title: 't',
              priority: 'NORMAL',
              dataType: 'FILE',
              protocol: 'p',
              declaredBytes: content.length,
              sha256: sha256(content),
            },
          },
        }),
      });
      const space = ((await answer.json()) as { data: { requestExchange: { id: string; uploadUrl: string } } }).data.requestExchange;
      assert.equal((await httpRequest(space.uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(content) } })).status, 201);
      return space.id;
    };
    const production = await listen(B);
    const test = await listen(inTest(B));
    await eventually(
      async () => subscriptions.stream.stats().subscriptions === 1 && subscriptions.testStream.stats().subscriptions === 1,
      'both subscriptions are open',
    );
    const testPacket = await send(inTest(A));
    const productionPacket = await send(A);
    await eventually(async () => test.received.length >= 1 && production.received.length >= 1, 'each subscriber gets an event');
    await sleep(300); // time for a wrong event to arrive
    assert.deepEqual(test.received, [testPacket], 'the test subscriber gets the test packet only');
    assert.deepEqual(production.received, [productionPacket], 'the production subscriber gets the production packet only');
    await eventually(async () => (await relay.relays.test.lastSeen(AGENCY_B)) !== null, 'the test listener is online in the test namespace');
    await production.close();
    await test.close();

    // A test system that only listens: reported with its environment, online in the test namespace only.
    const listener = inTest({ kind: 'system', agencyCode: '000.00.09.H41', systemId: '000.00.09.H41:test-listener', roles: [], scopes: [] });
    const held = await listen(listener);
    await eventually(async () => (await relay.relays.test.lastSeen('000.00.09.H41')) !== null, 'the relay sees the test listener');
    assert.equal(await relay.relays.production.lastSeen('000.00.09.H41'), null, 'never online in production');
    await held.close();
  });

  it('a system that only listens is online: the subscriptions service reports it to the relay while it is subscribed', async () => {
    // The system id as the realm's tokens carry it (`<agency code>:<system>`).
    const listener: Principal = { kind: 'system', agencyCode: '000.00.05.H41', systemId: '000.00.05.H41:syt-listener', roles: [], scopes: [] };
    assert.equal(await relay.relay.lastSeen(listener.agencyCode!), null, 'never seen before');
    const client = createClient({
      url: subscriptions.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await issuer.tokenFor(listener)}` },
    });
    const dispose = client.subscribe(
      { query: 'subscription { packetAvailable { eventId } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await eventually(async () => (await relay.relay.lastSeen(listener.agencyCode!)) !== null, 'the relay sees the listener');
    const first = (await relay.relay.lastSeen(listener.agencyCode!))!;
    await eventually(async () => (await relay.relay.lastSeen(listener.agencyCode!))! > first, 'the report is repeated while subscribed');
    dispose();
    await client.dispose();
    await eventually(async () => subscriptions.stream.stats().subscriptions === 0, 'the subscription is closed');
    const closedAt = Date.now();
    await sleep(700); // the last lease (three intervals of 200 ms) runs out
    const last = (await relay.relay.lastSeen(listener.agencyCode!))!;
    assert.ok(last <= closedAt, `seen at its last report once the lease ran out, not later: ${last - closedAt} ms after the close`);
    await sleep(500);
    assert.equal(await relay.relay.lastSeen(listener.agencyCode!), last, 'no report after the subscription ended');
  });

  it('the presence endpoint refuses a missing token and a malformed body', async () => {
    const post = (authorization: string | undefined, body: string) =>
      fetch(`${relay.origin}/internal/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body,
      });
    const anonymous = await post(undefined, JSON.stringify({ systems: [] }));
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'UNAUTHENTICATED');
    for (const body of [
      '{',
      JSON.stringify({}),
      JSON.stringify({ systems: [{ agencyCode: 'x y', systemId: 's' }] }),
      JSON.stringify({ systems: [{ agencyCode: AGENCY_A, systemId: 'a b' }] }),
      JSON.stringify({ systems: [{ agencyCode: AGENCY_A }] }),
    ]) {
      const answer = await post(`Bearer ${token}`, body);
      assert.equal(answer.status, 400, body);
    }
    assert.equal((await post(`Bearer ${token}`, JSON.stringify({ systems: [{ agencyCode: AGENCY_A, systemId: 'stc-qlvb' }] }))).status, 204);
    // One malformed entry is refused on its own: the other systems of the report are recorded.
    const mixed = await post(
      `Bearer ${token}`,
      JSON.stringify({
        systems: [
          { agencyCode: '000.00.07.H41', systemId: '000.00.07.H41:sldtbxh' },
          { agencyCode: 'x y', systemId: 's' },
        ],
      }),
    );
    assert.equal(mixed.status, 400);
    const error = ((await mixed.json()) as { errors: Array<{ message: string; extensions: { code: string; refused: number[]; recorded: number } }> })
      .errors[0]!;
    assert.deepEqual([error.extensions.code, error.extensions.refused, error.extensions.recorded], ['BAD_USER_INPUT', [1], 1]);
    assert.match(error.message, /^systems\[1\] is not/);
    assert.notEqual(await relay.relay.lastSeen('000.00.07.H41'), null);
  });

  it('the presence endpoint refuses a malformed heldForMs, recording nothing of the report', async () => {
    const post = (heldForMs: unknown) =>
      fetch(`${relay.origin}/internal/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ systems: [{ agencyCode: '000.00.08.H41', systemId: '000.00.08.H41:skhcn' }], heldForMs }),
      });
    for (const heldForMs of [-1, 1.5, '60000', null, 3_600_001, true]) {
      const answer = await post(heldForMs);
      assert.equal(answer.status, 400, JSON.stringify(heldForMs));
      const error = ((await answer.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors[0]!;
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.match(
        error.message,
        /^heldForMs must be absent or an integer from 0 to 3600000 \(milliseconds the systems are held from now\); nothing recorded$/,
      );
    }
    assert.equal(await relay.relay.lastSeen('000.00.08.H41'), null, 'nothing recorded');
    assert.equal((await post(0)).status, 204);
    assert.equal((await post(3_600_000)).status, 204);
    assert.notEqual(await relay.relay.lastSeen('000.00.08.H41'), null);
  });
});
