/**
 * Small packets with their content inline (`RequestExchangeInput.content`, `PacketClaim.content`) over real HTTP and
 * Redis: the same exchange as with PUT and GET — validated, encrypted, queued, notified, delivered, content deleted —
 * in fewer requests; every refusal precise and leaving nothing behind; larger packets still streamed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventStreamKey } from '@lgsp/events';
import { loadRelayConfig } from './config.ts';
import { BASE_DOCUMENT } from './edxml/inline.table.ts';
import {
  A,
  ACK,
  AGENCY_A,
  AGENCY_B,
  AGENCY_C,
  B,
  C,
  exchangeInput,
  HISTORY,
  httpRequest,
  PACKET,
  reprDigest,
  sendPacket,
  sha256,
  startHarness,
  type Harness,
} from './testing.ts';

const INLINE_MAX = 4096;
const REQUEST = `mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl packet { id status contentDeleted } } }`;
const REQUEST_MANY = `mutation($inputs: [RequestExchangeInput!]!) { requestExchanges(inputs: $inputs) { id packet { status } } }`;
const CLAIM_INLINE = `mutation($id: ID!) { claimPacket(id: $id) { packetId downloadUrl sha256 bytes content } }`;
const CLAIM_NEXT_INLINE = `mutation($first: Int!) { claimPackets(first: $first) { packetId sha256 bytes content } }`;
const DOCUMENT = Buffer.from(BASE_DOCUMENT.replaceAll('000.00.00.G22', AGENCY_A).replaceAll('000.00.00.H41', AGENCY_B));

const inlineInput = (content: Buffer, overrides: Record<string, unknown> = {}) => exchangeInput(content, { content: content.toString('base64'), ...overrides });

describe('relay: small packets with their content inline', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ RELAY_INLINE_MAX_BYTES: String(INLINE_MAX) });
  });
  after(async () => {
    await h.close();
  });

  async function packetKeys(): Promise<string[]> {
    return h.scan(`${h.keyPrefix}relay:packet:*`);
  }

  it('requests, uploads, claims, reads and acknowledges in three calls; the content is encrypted at rest, then gone', async () => {
    const content = Buffer.from('Công văn số 12/STC — nội dung ngắn gửi kèm yêu cầu trao đổi.');
    const requested = await h.gql(A, REQUEST, { input: inlineInput(content) });
    assert.equal(requested.errors, undefined, JSON.stringify(requested.errors));
    const { id, uploadUrl, packet } = requested.data!.requestExchange;
    assert.equal(packet.status, 'QUEUED');
    // Stored encrypted: no stored value holds the plaintext.
    const keys = await h.contentKeys(id);
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const stored = (await h.redis.type(key)) === 'hash' ? Object.values(await h.redis.hGetAll(key)).join('') : String(await h.redis.get(key));
      assert.ok(!stored.includes('Công văn'), `${key} holds plaintext`);
    }
    // The space is filled: a PUT now is refused.
    const late = await httpRequest(uploadUrl, {
      method: 'PUT',
      headers: { 'content-length': String(content.length), 'repr-digest': reprDigest(content) },
      body: content,
    });
    assert.equal(late.status, 409);
    assert.equal(JSON.parse(late.body.toString()).errors[0].extensions.reason, 'SPACE_CLOSED');
    const available = await h.redis.xRange(eventStreamKey(h.keyPrefix, `packet-available:${AGENCY_B}`), '-', '+');
    assert.ok(
      available.some((e) => e.message.packetId === id),
      'the recipient is told',
    );

    const claim = await h.gql(B, CLAIM_INLINE, { id });
    assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
    const received = Buffer.from(claim.data!.claimPacket.content, 'base64');
    assert.ok(received.equals(content));
    assert.equal(claim.data!.claimPacket.sha256, sha256(received));
    const ack = await h.gql(B, ACK, { id, sha256: sha256(received) });
    assert.equal(ack.data!.acknowledgePacket.status, 'DELIVERED');
    assert.deepEqual(await h.contentKeys(id), []);
    const history = ((await h.gql(A, HISTORY, { id })).data!.packetStatusHistory as Array<{ status: string }>).map((e) => e.status);
    assert.deepEqual(history, ['REQUESTED', 'UPLOADED', 'VALIDATED', 'QUEUED', 'NOTIFIED', 'CLAIMED', 'DELIVERED']);
  });

  it('validates inline edXML as an upload: a document is accepted, a malformed one is CONTENT_REJECTED with the precise error', async () => {
    const accepted = await h.gql(A, REQUEST, { input: inlineInput(DOCUMENT, { dataType: 'EDXML_DOCUMENT', protocol: 'QCVN-102:2016' }) });
    assert.ok(DOCUMENT.length <= INLINE_MAX, 'the sample document fits the inline limit of this test');
    assert.equal(accepted.errors, undefined, JSON.stringify(accepted.errors));
    const id = accepted.data!.requestExchange.id;
    assert.equal((await h.gql(A, PACKET, { id })).data!.packet.edxml.kind, 'document');

    const broken = Buffer.from(DOCUMENT.toString().replace('</edXML:Subject>', '</edXML:Subjet>'));
    const brokenLine =
      DOCUMENT.toString()
        .split('\n')
        .findIndex((l) => l.includes('</edXML:Subject>')) + 1;
    const refused = await h.gql(A, REQUEST, { input: inlineInput(broken, { dataType: 'EDXML_DOCUMENT', protocol: 'QCVN-102:2016' }) });
    assert.deepEqual(refused.data, { requestExchange: null }, 'only the refused mutation is null (root fields are nullable)');
    const error = refused.errors![0]!;
    assert.equal(error.extensions!.code, 'BAD_USER_INPUT');
    assert.equal(error.extensions!.reason, 'CONTENT_REJECTED');
    assert.equal(error.extensions!.rejection.code, 'EDXML_NOT_WELL_FORMED');
    assert.equal(error.extensions!.rejection.line, brokenLine);
    const rejectedId = error.extensions!.packetId as string;
    assert.equal((await h.gql(A, PACKET, { id: rejectedId })).data!.packet.status, 'REJECTED');
    assert.deepEqual(await h.contentKeys(rejectedId), []);
    const available = await h.redis.xRange(eventStreamKey(h.keyPrefix, `packet-available:${AGENCY_B}`), '-', '+');
    assert.ok(!available.some((e) => e.message.packetId === rejectedId), 'the recipient is never told');

    const claims = (await h.gql(B, CLAIM_NEXT_INLINE, { first: 10 })).data!.claimPackets as Array<{ packetId: string; content: string }>;
    assert.deepEqual(
      claims.map((c) => c.packetId),
      [id],
    );
    assert.ok(Buffer.from(claims[0]!.content, 'base64').equals(DOCUMENT));
    await h.gql(B, ACK, { id, sha256: sha256(DOCUMENT) });
  });

  it('refuses content that is not what was declared, before anything is stored', async () => {
    const content = Buffer.from('nội dung');
    const before = (await packetKeys()).length;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ content: 'không phải base64!' }, 'BAD_USER_INPUT', 'CONTENT_NOT_BASE64'],
      [{ content: `${content.toString('base64').replace(/=+$/, '')}` + '=x' }, 'BAD_USER_INPUT', 'CONTENT_NOT_BASE64'],
      [{ declaredBytes: content.length + 1 }, 'BAD_USER_INPUT', 'SIZE_MISMATCH'],
      [{ sha256: sha256('something else') }, 'BAD_USER_INPUT', 'DIGEST_MISMATCH'],
      [{ content: Buffer.alloc(INLINE_MAX + 1).toString('base64'), declaredBytes: INLINE_MAX + 1 }, 'LIMIT_EXCEEDED', 'INLINE_TOO_LARGE'],
    ];
    for (const [overrides, code, reason] of cases) {
      const answer = await h.gql(A, REQUEST, { input: inlineInput(content, overrides) });
      assert.equal(answer.errors?.[0]?.extensions?.code, code, `${reason}: ${JSON.stringify(answer.errors)}`);
      assert.equal(answer.errors![0]!.extensions!.reason, reason);
      assert.equal(answer.errors![0]!.extensions!.field, 'content');
    }
    assert.equal((await packetKeys()).length, before, 'no packet record was created');
    assert.deepEqual(await h.contentKeys(), []);

    // In a batch, the refused item is null at its index and the others go through.
    const batch = await h.gql(A, REQUEST_MANY, { inputs: [inlineInput(content), inlineInput(content, { sha256: sha256('x') })] });
    assert.equal(batch.data!.requestExchanges[0].packet.status, 'QUEUED');
    assert.equal(batch.data!.requestExchanges[1], null);
    assert.deepEqual((batch.errors![0] as { path?: unknown[] }).path, ['requestExchanges', 1]);
    const claimed = (await h.gql(B, CLAIM_NEXT_INLINE, { first: 10 })).data!.claimPackets as Array<{ packetId: string; sha256: string }>;
    assert.equal(claimed.length, 1);
    await h.gql(B, ACK, { id: claimed[0]!.packetId, sha256: claimed[0]!.sha256 });
  });

  it('leaves a packet larger than the inline limit to PUT and GET: its claim has no content', async () => {
    const content = Buffer.alloc(INLINE_MAX + 10, 7);
    const { id, upload } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    assert.equal(upload.status, 201);
    const claim = (await h.gql(B, CLAIM_INLINE, { id })).data!.claimPacket;
    assert.equal(claim.content, null);
    const download = await httpRequest(claim.downloadUrl, { method: 'GET' });
    assert.ok(download.body.equals(content));
    await h.gql(B, ACK, { id, sha256: sha256(download.body) });
    assert.deepEqual(await h.contentKeys(id), []);
  });

  it('delivers, on reading it, a packet whose policy needs no acknowledgement; a second recipient still gets its copy', async () => {
    const content = Buffer.from('{"thongBao":"họp giao ban"}');
    const requested = await h.gql(A, REQUEST, {
      input: inlineInput(content, { recipients: { agencyCodes: [AGENCY_B, AGENCY_C] }, policy: { acknowledgementRequired: false } }),
    });
    const id = requested.data!.requestExchange.id as string;
    const first = await h.gql(B, CLAIM_INLINE, { id });
    assert.ok(Buffer.from(first.data!.claimPacket.content, 'base64').equals(content));
    const deliveries = (await h.gql(A, PACKET, { id })).data!.packet.deliveries as Array<{ agencyCode: string; status: string }>;
    assert.deepEqual(
      deliveries.map((d) => [d.agencyCode, d.status]),
      [
        [AGENCY_B, 'DELIVERED'],
        [AGENCY_C, 'NOTIFIED'],
      ],
    );
    assert.ok((await h.contentKeys(id)).length > 0, 'kept for the recipient still to read it');
    const second = await h.gql(C, CLAIM_INLINE, { id });
    assert.ok(Buffer.from(second.data!.claimPacket.content, 'base64').equals(content));
    assert.equal((await h.gql(A, PACKET, { id })).data!.packet.status, 'DELIVERED');
    assert.deepEqual(await h.contentKeys(id), []);
  });

  it('refuses all inline content when RELAY_INLINE_MAX_BYTES is 0, and a value above 1 MiB at start-up', async () => {
    const none = await startHarness({ RELAY_INLINE_MAX_BYTES: '0' });
    try {
      const answer = await none.gql(A, REQUEST, { input: inlineInput(Buffer.from('x')) });
      assert.equal(answer.errors![0]!.extensions!.reason, 'INLINE_TOO_LARGE');
      assert.match(answer.errors![0]!.message, /takes no inline content/);
      const empty = await none.gql(A, REQUEST, { input: inlineInput(Buffer.alloc(0)) });
      assert.equal(empty.errors?.[0]?.extensions?.reason, 'INLINE_TOO_LARGE', 'not even an empty packet');
    } finally {
      await none.close();
    }
    assert.throws(() => loadRelayConfig({ RELAY_INLINE_MAX_BYTES: String(2 * 1024 * 1024) }), /RELAY_INLINE_MAX_BYTES: must be at most 1048576/);
  });
});
