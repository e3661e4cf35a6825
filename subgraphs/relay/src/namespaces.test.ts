/**
 * Issue 16, test and production environments: a packet sent by a test-environment caller lives in the test namespace
 * (its own keys, URLs, queues, presence and events) and is invisible to production callers on every path, and the
 * reverse. Real HTTP, real internal tokens, real Redis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventStreamKey } from '@lgsp/events';
import { ErrorCode, type Principal } from '@lgsp/kit';
import {
  A,
  ACK,
  AGENCY_B,
  AGENCY_C,
  AGENCY_D,
  B,
  C,
  CLAIM,
  HISTORY,
  httpRequest,
  OPERATOR,
  PACKET,
  sendPacket,
  sha256,
  startHarness,
  type Harness,
} from './testing.ts';

const PRESENCE_TOKEN = 'presence-test-token-of-at-least-32-characters';
const inTest = (p: Principal): Principal => ({ ...p, environment: 'test' });
const A_TEST = inTest(A);
const B_TEST = inTest(B);
const C_TEST = inTest(C);
const OPERATOR_TEST = inTest(OPERATOR);

const INBOX = `{ inbox(first: 50) { edges { node { id } } } }`;
const CLAIM_NEXT = `mutation { claimPackets(first: 100) { packetId } }`;
const PRESENCE = `query($agency: ID!) { agencyPresence(agencyCode: $agency) { lastSeenAt systems { systemId } } }`;

describe('relay: the test namespace', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ EVENTS_PUBLISH_TOKEN: PRESENCE_TOKEN });
  });
  after(async () => {
    await h.close();
  });

  const inbox = async (who: Principal) => ((await h.gql(who, INBOX)).data!.inbox.edges as Array<{ node: { id: string } }>).map((e) => e.node.id);
  const streamIds = async (prefix: string, topic: string) =>
    (await h.redis.xRange(eventStreamKey(prefix, topic), '-', '+')).map((r) => (r.message as Record<string, string>).packetId);

  it("keeps a test caller's packet out of every production read and write, and serves it to test callers", async () => {
    const content = Buffer.from('gói tin của môi trường thử nghiệm');
    const { id, upload } = await sendPacket(h, A_TEST, content, { recipients: { agencyCodes: [AGENCY_B] }, title: 'thử nghiệm' });
    assert.equal(upload.status, 201, upload.body.toString());

    // Keys: only under <prefix>test:, nothing of it in production's keys.
    assert.ok((await h.scan(`${h.keyPrefix}test:relay:packet:{${id}}`)).length === 1, 'the record is in the test namespace');
    assert.deepEqual(await h.scan(`${h.keyPrefix}relay:*${id}*`), [], 'no production key names the packet');
    assert.ok((await h.scan(`${h.keyPrefix}test:relay:content:{${id}}:*`)).length > 0);

    // Events: on the test namespace's streams only; production's topic of B never hears of it.
    assert.deepEqual(await streamIds(`${h.keyPrefix}test:`, `packet-available:${AGENCY_B}`), [id]);
    assert.deepEqual(await streamIds(h.keyPrefix, `packet-available:${AGENCY_B}`), []);

    // Production callers: the recipient, the source's production system, an operator — none sees it.
    for (const who of [B, A, OPERATOR]) {
      assert.equal((await h.gql(who, PACKET, { id })).data!.packet, null, `packet() for ${who.systemId ?? who.userId}`);
      const history = await h.gql(who, HISTORY, { id });
      assert.ok(history.data?.packetStatusHistory == null, JSON.stringify(history));
    }
    assert.deepEqual(await inbox(B), []);
    assert.deepEqual((await h.gql(B, CLAIM_NEXT)).data!.claimPackets, []);
    const claimByProduction = await h.gql(B, CLAIM, { id });
    assert.equal(claimByProduction.errors?.[0]?.extensions?.code, ErrorCode.NOT_FOUND, JSON.stringify(claimByProduction));
    const ackByProduction = await h.gql(B, ACK, { id, sha256: sha256(content) });
    assert.equal(ackByProduction.errors?.[0]?.extensions?.code, ErrorCode.NOT_FOUND, JSON.stringify(ackByProduction));

    // Test callers: the recipient lists, claims, downloads and acknowledges it; a test operator reads it.
    assert.deepEqual(await inbox(B_TEST), [id]);
    assert.equal((await h.gql(OPERATOR_TEST, PACKET, { id })).data!.packet.id, id);
    const claim = await h.gql(B_TEST, CLAIM, { id });
    assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
    const download = await httpRequest(claim.data!.claimPacket.downloadUrl, { method: 'GET' });
    assert.equal(download.status, 200);
    assert.ok(download.body.equals(content));
    const ack = await h.gql(B_TEST, ACK, { id, sha256: sha256(content) });
    assert.equal(ack.data!.acknowledgePacket.status, 'DELIVERED');
    assert.deepEqual(await streamIds(`${h.keyPrefix}test:`, `packet-status:${A.agencyCode!}`), [id, id, id]);
    assert.deepEqual(await streamIds(h.keyPrefix, `packet-status:${A.agencyCode!}`), []);
  });

  it('keeps a production packet out of every test read and write, and the claimPackets of each side to its own', async () => {
    const production = await sendPacket(h, A, Buffer.from('sản xuất'), { recipients: { agencyCodes: [AGENCY_C] } });
    const test = await sendPacket(h, A_TEST, Buffer.from('thử nghiệm'), { recipients: { agencyCodes: [AGENCY_C] } });
    assert.equal((await h.gql(C_TEST, PACKET, { id: production.id })).data!.packet, null);
    assert.equal((await h.gql(A_TEST, PACKET, { id: production.id })).data!.packet, null);
    assert.deepEqual(await inbox(C_TEST), [test.id]);
    assert.deepEqual(await inbox(C), [production.id]);
    assert.deepEqual((await h.gql(C_TEST, CLAIM_NEXT)).data!.claimPackets, [{ packetId: test.id }]);
    assert.deepEqual((await h.gql(C, CLAIM_NEXT)).data!.claimPackets, [{ packetId: production.id }]);
    assert.equal((await h.gql(C_TEST, CLAIM, { id: production.id })).errors?.[0]?.extensions?.code, ErrorCode.NOT_FOUND);
  });

  it('honours a content URL in its own namespace only', async () => {
    const content = Buffer.from('URL của gói tin thử nghiệm');
    const test = await sendPacket(h, A_TEST, content, { recipients: { agencyCodes: [AGENCY_B] } });
    const production = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    const testClaim = (await h.gql(B_TEST, CLAIM, { id: test.id })).data!.claimPacket;
    const productionClaim = (await h.gql(B, CLAIM, { id: production.id })).data!.claimPacket;
    const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;
    // Each relay refuses the other namespace's token, even for a packet id it holds.
    await assert.rejects(h.relay.relays.production.download(test.id, tokenOf(testClaim.downloadUrl)), (e: any) => e.details?.reason === 'TOKEN_INVALID');
    await assert.rejects(h.relay.relays.test.download(production.id, tokenOf(productionClaim.downloadUrl)), (e: any) => e.details?.reason === 'TOKEN_INVALID');
    // A test URL with a production packet's id (the same path shape) reaches the test relay, which holds no such packet.
    const crossed = testClaim.downloadUrl.replace(test.id, production.id);
    assert.equal((await httpRequest(crossed, { method: 'GET' })).status, 401);
    // The right URLs work.
    assert.ok((await httpRequest(testClaim.downloadUrl, { method: 'GET' })).body.equals(content));
    assert.ok((await httpRequest(productionClaim.downloadUrl, { method: 'GET' })).body.equals(content));
  });

  it('records presence per namespace: calls, and the subscriptions service reports by environment', async () => {
    const agency = AGENCY_C;
    const report = async (systems: unknown[]) =>
      fetch(`${h.relay.origin}/internal/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PRESENCE_TOKEN}` },
        body: JSON.stringify({ systems }),
      });
    const D_TEST: Principal = { kind: 'system', agencyCode: '000.00.07.H41', systemId: 'test-only', roles: [], scopes: [], environment: 'test' };
    await h.gql(D_TEST, INBOX);
    assert.deepEqual((await h.gql(OPERATOR, PRESENCE, { agency: '000.00.07.H41' })).data!.agencyPresence, { lastSeenAt: null, systems: [] });
    assert.deepEqual((await h.gql(OPERATOR_TEST, PRESENCE, { agency: '000.00.07.H41' })).data!.agencyPresence.systems, [{ systemId: 'test-only' }]);

    assert.equal((await report([{ agencyCode: agency, systemId: `${agency}:test-listener`, environment: 'test' }])).status, 204);
    assert.equal((await report([{ agencyCode: agency, systemId: `${agency}:listener` }])).status, 204);
    const systemsOf = async (who: Principal) =>
      ((await h.gql(who, PRESENCE, { agency })).data!.agencyPresence.systems as Array<{ systemId: string }>).map((s) => s.systemId);
    assert.ok(!(await systemsOf(OPERATOR)).includes(`${agency}:test-listener`));
    assert.ok((await systemsOf(OPERATOR)).includes(`${agency}:listener`));
    assert.ok((await systemsOf(OPERATOR_TEST)).includes(`${agency}:test-listener`));
    assert.ok(!(await systemsOf(OPERATOR_TEST)).includes(`${agency}:listener`));

    const refused = await report([{ agencyCode: agency, systemId: 'x', environment: 'staging' }]);
    assert.equal(refused.status, 400);
    assert.deepEqual(((await refused.json()) as any).errors[0].extensions.refused, [0]);
  });

  it('runs without REGISTRY_URL on the development agency list, saying so at start', () => {
    assert.ok(h.logs.some((l) => l.level === 'warn' && String(l.msg).startsWith('REGISTRY_URL unset: the development agency list is the directory')));
  });

  it('sweeps both namespaces', async () => {
    const { id } = await sendPacket(h, A_TEST, Buffer.from('hạn'), { recipients: { agencyCodes: [AGENCY_D] }, policy: { maxOfflineSeconds: 1 } });
    await new Promise((r) => setTimeout(r, 1_100));
    await h.relay.sweep();
    const deliveries = (await h.gql(OPERATOR_TEST, PACKET, { id })).data!.packet.deliveries;
    assert.equal(deliveries[0].status, 'UNDELIVERABLE', 'D has not called for 1 s');
  });
});
