/**
 * The revocation bound, end to end with real parts: real tokens from the development issuer, a real gateway in
 * front of real subgraphs, revocations in real Redis written by another connection (as the registry or an operator's
 * tool does). A revoked client's tokens are refused — 401 CREDENTIAL_REVOKED over HTTP, close 4403 over graphql-ws,
 * open connections closed after their subscriptions get a CREDENTIAL_REVOKED error — within 5 seconds of `revoke`,
 * by notification and, when the notification is lost, by the poll.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectRedis, createInternalTokenIssuer, createMetricsRegistry, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import WebSocket from 'ws';
import { developmentClientToken } from '../../../../keycloak/src/dev-clients.ts';
import { gatewayConfig } from '../../config.ts';
import { revocationKeyPattern, revocationKeys } from '@lgsp/access';
import { startGateway, type RunningGateway } from '../../server.ts';
import { startEventFeed, startPacketsSubgraph, type EventFeed } from '../../subscriptions/testing/event-subgraphs.ts';
import { composeSupergraph, startPeopleSubgraph, supergraphFileWith, type TestSubgraph } from '../../testing/fixtures.ts';
import type { CredentialRevocations } from '@lgsp/access';
import { createRedisCredentialRevocations } from '@lgsp/access';
import { REVOCATION_BOUND_MS } from './revocation-watch.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OFFICE_CLIENT = 'vpubnd-h41-motcua'; // 000.00.01.H41
const FINANCE_CLIENT = 'sotaichinh-h41-dkkd'; // 000.00.03.H41
const POLICE_CLIENT = 'congan-h41-dancu'; // 000.00.02.H41
const QUERY = '{ person(id: "1") { name } }';
const SUBSCRIPTION = 'subscription Inbox { packetAvailable { eventId packet { id } } }';
const revocation = { at: new Date().toISOString(), reason: 'access request cancelled', by: 'operator.h41' };

let lgsp: RunningDevIssuer;
let feed: EventFeed;
let packets: Awaited<ReturnType<typeof startPacketsSubgraph>>;
let people: TestSubgraph;
let supergraph: Awaited<ReturnType<typeof supergraphFileWith>>;
let gateway: RunningGateway;
let keyPrefix: string;
let gatewayRedis: RedisClient;
let registryRedis: RedisClient;
let gatewayStore: CredentialRevocations;
/** The registry's (or an operator tool's) store: another connection to the same Redis. */
let registry: CredentialRevocations;

before(async () => {
  lgsp = await startDevIssuer(issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  feed = await startEventFeed(issuer);
  packets = await startPacketsSubgraph(issuer);
  people = await startPeopleSubgraph(issuer);
  supergraph = await supergraphFileWith(composeSupergraph([feed, packets, people]));
  keyPrefix = testKeyPrefix();
  gatewayRedis = await connectRedis(redisUrl);
  registryRedis = await connectRedis(redisUrl);
  gatewayStore = createRedisCredentialRevocations(gatewayRedis, { keyPrefix });
  registry = createRedisCredentialRevocations(registryRedis, { keyPrefix });
  const base = gatewayConfig();
  gateway = await startGateway(
    {
      ...base,
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      supergraphFile: supergraph.path,
      watchSupergraph: false,
      // The default poll (CREDENTIAL_REVOCATION_POLL_MS 2000): the bound is asserted with the configuration operators get.
      authentication: { ...base.authentication, realmUrl: lgsp.issuer, required: false },
      subscriptions: { ...base.subscriptions, keepAliveMs: 0 },
    },
    { issuer, metrics: createMetricsRegistry('gateway'), revocations: gatewayStore },
  );
  assert.equal(base.authentication.revocationPollMs, 2_000);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([feed?.close(), packets?.close(), people?.close(), lgsp?.close()]);
  await supergraph?.cleanup();
  await gatewayStore?.close();
  await registry?.close();
  for await (const keys of registryRedis.scanIterator({ MATCH: revocationKeyPattern(keyPrefix), COUNT: 100 }))
    if (keys.length > 0) await registryRedis.del(keys);
  await Promise.allSettled([gatewayRedis?.quit(), registryRedis?.quit()]);
});

const tokenOf = (clientId: string) => developmentClientToken(lgsp.issuer, clientId, lgsp.realm);

async function query(
  token: string,
): Promise<{ status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> }; challenge: string | null }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: response.status, body: (await response.json()) as never, challenge: response.headers.get('www-authenticate') };
}

/** Milliseconds until `condition` holds, checked every 20 ms; fails past twice the bound. */
async function millisecondsUntil(condition: () => Promise<boolean> | boolean): Promise<number> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > 2 * REVOCATION_BOUND_MS) assert.fail('the condition did not hold within twice the revocation bound');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - start;
}

/** A graphql-transport-ws connection spoken by hand, so every message and the close frame can be asserted. */
async function wsConnection(token: string) {
  const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  return { socket, messages, closed };
}

describe('credential revocation: refused within the bound', () => {
  it('HTTP: 401 CREDENTIAL_REVOKED within 5 s of revoke, fresh tokens too; other clients served; restore lets it back', async () => {
    const token = await tokenOf(FINANCE_CLIENT);
    const other = await tokenOf(POLICE_CLIENT);
    assert.equal((await query(token)).status, 200);

    await registry.revoke(FINANCE_CLIENT, revocation);
    const elapsed = await millisecondsUntil(async () => (await query(token)).status === 401);
    assert.ok(elapsed < REVOCATION_BOUND_MS, `refused after ${Math.round(elapsed)} ms`);
    const refused = await query(token);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'CREDENTIAL_REVOKED');
    assert.match(refused.body.errors?.[0]?.message ?? '', /revoked/);
    assert.match(refused.challenge ?? '', /^Bearer realm="lgsp", error="invalid_token", error_description="[^"]*revoked/);
    // The client is revoked, not one token: a token obtained after the revocation is refused as well.
    assert.equal((await query(await tokenOf(FINANCE_CLIENT))).body.errors?.[0]?.extensions?.code, 'CREDENTIAL_REVOKED');
    assert.equal((await query(other)).status, 200, 'another client is still served');

    assert.equal(await registry.restore(FINANCE_CLIENT), true);
    const restored = await millisecondsUntil(async () => (await query(token)).status === 200);
    assert.ok(restored < REVOCATION_BOUND_MS, `served again after ${Math.round(restored)} ms`);
  });

  it('graphql-ws: an open connection of a client revoked now: its subscription ends with CREDENTIAL_REVOKED, then close 4403', async () => {
    const token = await tokenOf(OFFICE_CLIENT);
    const bystander = await wsConnection(await tokenOf(POLICE_CLIENT));
    const connection = await wsConnection(token);
    await millisecondsUntil(() => connection.messages.some((m) => m.type === 'connection_ack'));
    const active = feed.probe.active;
    connection.socket.send(JSON.stringify({ id: 'inbox', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
    await millisecondsUntil(() => feed.probe.active === active + 1);

    const revokedAt = performance.now();
    await registry.revoke(OFFICE_CLIENT, revocation);
    const { code, reason } = await connection.closed;
    const elapsed = performance.now() - revokedAt;
    assert.ok(elapsed < REVOCATION_BOUND_MS, `closed after ${Math.round(elapsed)} ms`);
    assert.equal(code, 4403);
    assert.match(reason, /^Forbidden: CREDENTIAL_REVOKED: /);
    const error = connection.messages.find((m) => m.type === 'error' && m.id === 'inbox');
    assert.ok(error, `the subscription got an error message before the close: ${JSON.stringify(connection.messages)}`);
    assert.equal((error.payload as Array<{ extensions: { code: string } }>)[0]?.extensions.code, 'CREDENTIAL_REVOKED');
    await millisecondsUntil(() => feed.probe.active === active);

    // A new connection of the revoked client is refused at connection_init, the same way.
    const again = await wsConnection(token);
    const refusal = await again.closed;
    assert.equal(refusal.code, 4403);
    assert.match(refusal.reason, /^Forbidden: CREDENTIAL_REVOKED: /);
    assert.equal(again.messages.length, 0, 'no connection_ack');

    // Another client's connection was left alone.
    assert.equal(bystander.socket.readyState, WebSocket.OPEN);
    assert.ok(bystander.messages.some((m) => m.type === 'connection_ack'));
    bystander.socket.close();
    await registry.restore(OFFICE_CLIENT);
  });

  it('a lost notification: a revocation written without its publication is refused by the next poll, within the bound', async () => {
    const token = await tokenOf(POLICE_CLIENT);
    assert.equal((await query(token)).status, 200);
    // What a dropped pub/sub message looks like to the gateway: the entry and the version change, nobody is told.
    const keys = revocationKeys(keyPrefix);
    await registryRedis.hSet(keys.items, POLICE_CLIENT, JSON.stringify({ clientId: POLICE_CLIENT, ...revocation }));
    await registryRedis.incr(keys.version);
    const elapsed = await millisecondsUntil(async () => (await query(token)).status === 401);
    assert.ok(elapsed < REVOCATION_BOUND_MS, `refused after ${Math.round(elapsed)} ms`);
    assert.equal((await query(token)).body.errors?.[0]?.extensions?.code, 'CREDENTIAL_REVOKED');
    await registry.restore(POLICE_CLIENT);
  });
});
