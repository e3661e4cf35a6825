/**
 * The batch mutations for systems that exchange many packets — requestExchanges, claimPackets, acknowledgePackets —
 * over real HTTP and Redis: per-item answers and errors, priority order, one packet to one claimer, limits; and many
 * uploads to one destination at once, each offered exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventStreamKey } from '@lgsp/events';
import { relayKeys } from './store/keys.ts';
import {
  A,
  AGENCY_B,
  AGENCY_C,
  B,
  C,
  CLAIM,
  exchangeInput,
  httpRequest,
  PACKET,
  reprDigest,
  sendPacket,
  sha256,
  sleep,
  startHarness,
  system,
  type Harness,
} from './testing.ts';

const REQUEST_MANY = `mutation($inputs: [RequestExchangeInput!]!) { requestExchanges(inputs: $inputs) { id uploadUrl maxBytes packet { id status } } }`;
const CLAIM_NEXT = `mutation($first: Int!) { claimPackets(first: $first) { packetId downloadUrl sha256 bytes } }`;
const ACK_MANY = `mutation($acks: [PacketAcknowledgementInput!]!) { acknowledgePackets(acknowledgements: $acks) { recipient status alreadyAcknowledged packet { id status } } }`;

/** A second system of agency B: draining the same inbox. */
const B2 = system(AGENCY_B, 'stp-qlvb-2');

describe('relay: batch mutations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ RELAY_ACK_TIMEOUT_MS: '200' });
  });
  after(async () => {
    await h.close();
  });

  /** Takes everything waiting for B (so that each test starts from an empty ready list) and acknowledges it. */
  async function drain(): Promise<void> {
    for (;;) {
      const claims = (await h.gql(B, CLAIM_NEXT, { first: 100 })).data!.claimPackets as Array<{ packetId: string; sha256: string }>;
      if (claims.length === 0) return;
      await h.gql(B, ACK_MANY, { acks: claims.map((c) => ({ id: c.packetId, sha256: c.sha256 })) });
    }
  }

  it('requestExchanges answers one space per input, in order, and an error at the index of a refused one', async () => {
    const contents = [Buffer.from('một'), Buffer.from('hai'), Buffer.from('ba')];
    const answer = await h.gql(A, REQUEST_MANY, {
      inputs: [
        exchangeInput(contents[0]!),
        exchangeInput(contents[1]!, { recipients: { agencyCodes: ['999.99.99.H99'] } }),
        exchangeInput(contents[2]!, { priority: 'HIGH' }),
      ],
    });
    const items = answer.data!.requestExchanges as Array<{ id: string; uploadUrl: string; maxBytes: number; packet: { status: string } } | null>;
    assert.equal(items.length, 3);
    assert.equal(items[1], null);
    assert.equal(items[0]!.maxBytes, contents[0]!.length);
    assert.equal(items[2]!.packet.status, 'REQUESTED');
    assert.equal(answer.errors?.length, 1);
    assert.deepEqual(answer.errors![0]!.extensions?.code, 'BAD_USER_INPUT');
    assert.match(answer.errors![0]!.message, /999\.99\.99\.H99/);
    assert.deepEqual((answer.errors![0] as { path?: unknown[] }).path, ['requestExchanges', 1]);
    for (const [index, item] of [
      [0, items[0]!],
      [2, items[2]!],
    ] as const) {
      const content = contents[index]!;
      const upload = await httpRequest(item.uploadUrl, {
        method: 'PUT',
        headers: { 'content-length': String(content.length), 'repr-digest': reprDigest(content) },
        body: content,
      });
      assert.equal(upload.status, 201, upload.body.toString());
    }
    await drain();
  });

  it('claimPackets answers the claims it made when one packet fails to be claimed, and puts that one back', async () => {
    await drain();
    const sent = await Promise.all(['một', 'hai', 'ba'].map((text) => sendPacket(h, A, Buffer.from(text), { recipients: { agencyCodes: [AGENCY_B] } })));
    // A store error on one packet (a real Redis error: its record is briefly not a hash), none on the others.
    const broken = sent[1]!.id;
    const recordKey = relayKeys(h.keyPrefix).packet(broken);
    const record = await h.redis.hGetAll(recordKey);
    await h.redis.del(recordKey);
    await h.redis.set(recordKey, 'not a hash');
    const first = await h.gql(B, CLAIM_NEXT, { first: 10 });
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.deepEqual((first.data!.claimPackets as Array<{ packetId: string }>).map((c) => c.packetId).sort(), [sent[0]!.id, sent[2]!.id].sort());
    assert.notEqual(await h.redis.zScore(relayKeys(h.keyPrefix).ready(AGENCY_B), broken), null, 'back in the ready list');
    // Only that one failing: an error, and it stays ready.
    const failing = await h.gql(B, CLAIM_NEXT, { first: 10 });
    assert.ok(failing.errors !== undefined && failing.errors.length > 0);
    assert.notEqual(await h.redis.zScore(relayKeys(h.keyPrefix).ready(AGENCY_B), broken), null, 'still ready');
    await h.redis.del(recordKey);
    await h.redis.hSet(recordKey, record);
    const second = await h.gql(B, CLAIM_NEXT, { first: 10 });
    assert.deepEqual(
      (second.data!.claimPackets as Array<{ packetId: string }>).map((c) => c.packetId),
      [broken],
      'the next claimPackets takes it',
    );
    await h.gql(B, ACK_MANY, {
      acks: [...first.data!.claimPackets, ...second.data!.claimPackets].map((c: { packetId: string; sha256: string }) => ({
        id: c.packetId,
        sha256: c.sha256,
      })),
    });
  });

  it('refuses batches over 100 and callers without an agency', async () => {
    const content = Buffer.from('x');
    const tooMany = await h.gql(A, REQUEST_MANY, { inputs: Array.from({ length: 101 }, () => exchangeInput(content)) });
    assert.equal(tooMany.errors?.[0]?.extensions?.code, 'LIMIT_EXCEEDED');
    assert.equal((await h.gql(B, CLAIM_NEXT, { first: 101 })).errors?.[0]?.extensions?.code, 'LIMIT_EXCEEDED');
    assert.equal((await h.gql(B, CLAIM_NEXT, { first: -1 })).errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(
      (await h.gql(B, ACK_MANY, { acks: Array.from({ length: 101 }, () => ({ id: 'x', sha256: sha256(content) })) })).errors?.[0]?.extensions?.code,
      'LIMIT_EXCEEDED',
    );
    const nobody = { kind: 'user' as const, agencyCode: null, userId: 'u-1', roles: [], scopes: [] };
    assert.equal((await h.gql(nobody as never, CLAIM_NEXT, { first: 1 })).errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });

  it('claimPackets hands out HIGH first, then oldest first, never a packet someone holds a claim on', async () => {
    const sent: Record<string, string> = {};
    for (const [name, priority] of [
      ['low', 'LOW'],
      ['normal-1', 'NORMAL'],
      ['high', 'HIGH'],
      ['normal-2', 'NORMAL'],
      ['by-id', 'HIGH'],
    ] as const) {
      const { id, upload } = await sendPacket(h, A, Buffer.from(name), { recipients: { agencyCodes: [AGENCY_B] }, priority });
      assert.equal(upload.status, 201);
      sent[name] = id;
    }
    // One is claimed by id first: it is not handed out again.
    assert.equal((await h.gql(B, CLAIM, { id: sent['by-id'] })).errors, undefined);
    assert.deepEqual((await h.gql(C, CLAIM_NEXT, { first: 10 })).data!.claimPackets, [], 'another agency sees none of them');
    const first = (await h.gql(B, CLAIM_NEXT, { first: 2 })).data!.claimPackets as Array<{
      packetId: string;
      downloadUrl: string;
      sha256: string;
      bytes: number;
    }>;
    assert.deepEqual(
      first.map((c) => c.packetId),
      [sent.high, sent['normal-1']],
    );
    assert.equal(first[0]!.bytes, 4);
    const download = await httpRequest(first[0]!.downloadUrl, { method: 'GET' });
    assert.equal(download.body.toString(), 'high');
    const [x, y] = await Promise.all([h.gql(B, CLAIM_NEXT, { first: 1 }), h.gql(B2, CLAIM_NEXT, { first: 1 })]);
    const rest = [...x.data!.claimPackets, ...y.data!.claimPackets].map((c: { packetId: string }) => c.packetId);
    assert.deepEqual(rest.sort(), [sent['normal-2'], sent.low].sort(), 'two systems draining at once get different packets');
    assert.deepEqual((await h.gql(B, CLAIM_NEXT, { first: 10 })).data!.claimPackets, []);
    const packet = (await h.gql(B, PACKET, { id: sent.low })).data!.packet;
    assert.equal(packet.deliveries[0].status, 'CLAIMED');
    assert.equal(packet.deliveries[0].attempts, 1);

    // Not acknowledged in time: offered again (sweep), and claimPackets takes it again.
    await sleep(300);
    await h.relay.sweep();
    const again = (await h.gql(B, CLAIM_NEXT, { first: 10 })).data!.claimPackets as Array<{ packetId: string }>;
    assert.deepEqual(new Set(again.map((c) => c.packetId)), new Set(Object.values(sent)));
    await drain();
    for (const c of again)
      await h.gql(B, ACK_MANY, { acks: [{ id: c.packetId, sha256: sha256(Buffer.from(Object.entries(sent).find(([, id]) => id === c.packetId)![0])) }] });
  });

  it('acknowledgePackets acknowledges each, answers an error at the index of a refused one, and deletes the content', async () => {
    const good = [Buffer.from('tốt 1'), Buffer.from('tốt 2')];
    const ids: string[] = [];
    for (const content of good) ids.push((await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } })).id);
    const toC = await sendPacket(h, A, Buffer.from('cho C'), { recipients: { agencyCodes: [AGENCY_C] } });
    const claims = (await h.gql(B, CLAIM_NEXT, { first: 10 })).data!.claimPackets as Array<{ packetId: string; downloadUrl: string }>;
    assert.deepEqual(claims.map((c) => c.packetId).sort(), [...ids].sort());
    for (const c of claims) assert.equal((await httpRequest(c.downloadUrl, { method: 'GET' })).status, 200);

    const answer = await h.gql(B, ACK_MANY, {
      acks: [
        { id: ids[0], sha256: sha256(good[0]!) },
        { id: ids[1], sha256: sha256(Buffer.from('something else')) },
        { id: toC.id, sha256: sha256(Buffer.from('cho C')) },
        { id: ids[1], sha256: 'not a digest' },
      ],
    });
    const items = answer.data!.acknowledgePackets as Array<{ status: string; alreadyAcknowledged: boolean; packet: { id: string; status: string } } | null>;
    assert.equal(items[0]!.status, 'DELIVERED');
    assert.equal(items[0]!.alreadyAcknowledged, false);
    assert.equal(items[0]!.packet.status, 'DELIVERED');
    assert.deepEqual(items.slice(1), [null, null, null]);
    const errorAt = (index: number) => answer.errors!.find((e) => (e as { path?: unknown[] }).path?.[1] === index)!;
    assert.equal(errorAt(1).extensions?.reason, 'DIGEST_MISMATCH');
    assert.equal(errorAt(2).extensions?.code, 'FORBIDDEN');
    assert.equal(errorAt(3).extensions?.reason, 'DIGEST_MISMATCH');
    assert.deepEqual(await h.contentKeys(ids[0]), [], 'acknowledged: no content left');
    assert.notDeepEqual(await h.contentKeys(ids[1]), [], 'refused acknowledgement: content still there');

    const retry = await h.gql(B, ACK_MANY, {
      acks: [
        { id: ids[0], sha256: sha256(good[0]!) },
        { id: ids[1], sha256: sha256(good[1]!) },
      ],
    });
    assert.equal(retry.errors, undefined, JSON.stringify(retry.errors));
    assert.deepEqual(
      retry.data!.acknowledgePackets.map((a: { alreadyAcknowledged: boolean }) => a.alreadyAcknowledged),
      [true, false],
    );
    assert.deepEqual(await h.contentKeys(ids[1]), []);
  });

  it('offers every one of many packets uploaded to one destination at the same moment exactly once, and tracks each for redelivery', async () => {
    await drain();
    const contents = Array.from({ length: 40 }, (_, i) => Buffer.from(`gói ${i}`));
    const sent = await Promise.all(contents.map((content) => sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } })));
    for (const s of sent) assert.equal(s.upload.status, 201, s.upload.body.toString());
    for (const s of sent) {
      const packet = (await h.gql(A, PACKET, { id: s.id })).data!.packet;
      assert.equal(packet.deliveries[0].status, 'NOTIFIED', `packet ${s.id} was offered`);
    }
    const claimed = (await h.gql(B, CLAIM_NEXT, { first: 100 })).data!.claimPackets as Array<{ packetId: string; sha256: string }>;
    assert.deepEqual(claimed.map((c) => c.packetId).sort(), sent.map((s) => s.id).sort());
    const ids = new Set(sent.map((s) => s.id));
    const available = (await h.redis.xRange(eventStreamKey(h.keyPrefix, `packet-available:${AGENCY_B}`), '-', '+')).filter((e) =>
      ids.has(String(e.message.packetId)),
    );
    assert.equal(available.length, 40, 'one packet-available event per packet');
    // Each one's queue entry is still tracked: left unacknowledged, every one of them is offered again.
    await sleep(300);
    await h.relay.sweep();
    const reclaimed = (await h.gql(B, CLAIM_NEXT, { first: 100 })).data!.claimPackets as Array<{ packetId: string; sha256: string }>;
    assert.deepEqual(reclaimed.map((c) => c.packetId).sort(), sent.map((s) => s.id).sort(), 'every packet redelivered');
    const acks = await h.gql(B, ACK_MANY, { acks: reclaimed.map((c) => ({ id: c.packetId, sha256: c.sha256 })) });
    assert.equal(acks.errors, undefined);
    assert.equal(acks.data!.acknowledgePackets.length, 40);
    for (const s of sent) assert.deepEqual(await h.contentKeys(s.id), [], `no content left of ${s.id}`);
  });
});
