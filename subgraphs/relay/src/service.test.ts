/**
 * The 7-step exchange through real HTTP, with the gateway's internal token for two (or more) agency systems and
 * real Redis: the happy paths and the fault cases of issue 4, each proving what is (not) left in Redis.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { toEdxmlStatus } from './edxml/index.ts';
import { BASE_DOCUMENT } from './edxml/inline.table.ts';
import {
  A,
  ACK,
  AGENCY_A,
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
  REQUEST_EXCHANGE,
  reprDigest,
  sendPacket,
  sha256,
  sleep,
  startHarness,
  type Harness,
} from './testing.ts';
import { ANONYMOUS } from '@lgsp/kit';
import { relayKeys } from './store/keys.ts';
import { eventStreamKey } from '@lgsp/events';

const DOCUMENT = Buffer.from(BASE_DOCUMENT.replaceAll('000.00.00.G22', AGENCY_A).replaceAll('000.00.00.H41', AGENCY_B));
const DOCUMENT_ID = `${AGENCY_A},2018/09/28,7816/VPCP-TTĐT`;
/** The secret shared with the subscriptions service: here, the test reports presence as that service would. */
const PRESENCE_TOKEN = 'presence-test-token-of-at-least-32-characters';

async function events(h: Harness, topic: string, agency: string): Promise<Array<Record<string, string>>> {
  const rows = await h.redis.xRange(eventStreamKey(h.keyPrefix, `${topic}:${agency}`), '-', '+');
  return rows.map((r) => ({ ...(r.message as Record<string, string>) }));
}

async function claimAndDownload(h: Harness, who: typeof B, id: string) {
  const claim = await h.gql(who, CLAIM, { id });
  assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
  const { downloadUrl, sha256: digest, bytes } = claim.data!.claimPacket;
  const download = await httpRequest(downloadUrl, { method: 'GET' });
  return { claim: claim.data!.claimPacket, download, downloadUrl, digest, bytes };
}

describe('relay: the 7-step exchange over HTTP and Redis', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(
      { RELAY_ACK_TIMEOUT_MS: '200', EVENTS_PUBLISH_TOKEN: PRESENCE_TOKEN },
      {
        'lgsp.test-dossier/1': { type: 'object', required: ['dossierCode'], properties: { dossierCode: { type: 'string', pattern: '^[0-9]{3}\\.[0-9]{3}' } } },
      },
    );
  });
  after(async () => {
    await h.close();
  });

  it('runs the 7 steps for one recipient and leaves no content behind', async () => {
    const content = Buffer.from('Nội dung gói tin — một tệp bất kỳ\n'.repeat(1000));
    const { id, upload } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, title: 'Báo cáo quý', priority: 'HIGH' });
    assert.equal(upload.status, 201, upload.body.toString());
    assert.equal(JSON.parse(upload.body.toString()).status, 'QUEUED');
    assert.ok((await h.contentKeys(id)).length > 0, 'content is held until delivery');

    // Step 4-5: the destination is notified (event with keys only) and finds it in its inbox.
    const available = await events(h, 'packet-available', AGENCY_B);
    assert.deepEqual(available.at(-1), { packetId: id, sourceAgency: AGENCY_A, priority: 'HIGH' });
    const inbox = await h.gql(
      B,
      `{ inbox(first: 5) { edges { cursor node { id title status deliveries { agencyCode status } } } pageInfo { hasNextPage endCursor } } }`,
    );
    assert.equal(inbox.errors, undefined);
    assert.deepEqual(inbox.data!.inbox.edges[0].node, {
      id,
      title: 'Báo cáo quý',
      status: 'QUEUED',
      deliveries: [{ agencyCode: AGENCY_B, status: 'NOTIFIED' }],
    });

    // Step 6-7: claim, download with its digest, acknowledge.
    const { download, downloadUrl, digest, bytes } = await claimAndDownload(h, B, id);
    assert.equal(download.status, 200);
    assert.equal(download.headers['repr-digest'], reprDigest(content));
    assert.equal(bytes, content.length);
    assert.ok(download.body.equals(content));
    const ack = await h.gql(B, ACK, { id, sha256: digest });
    assert.deepEqual(ack.data!.acknowledgePacket, {
      recipient: AGENCY_B,
      status: 'DELIVERED',
      alreadyAcknowledged: false,
      packet: { id, status: 'DELIVERED' },
    });

    // Nothing kept after the transfer: no content key of the packet remains in Redis.
    assert.deepEqual(await h.contentKeys(id), []);
    const packet = await h.gql(A, PACKET, { id });
    assert.equal(packet.data!.packet.contentDeleted, true);
    assert.equal((await httpRequest(downloadUrl, { method: 'GET' })).status, 410);

    // Duplicate acknowledgement: idempotent.
    const again = await h.gql(B, ACK, { id, sha256: digest });
    assert.equal(again.errors, undefined);
    assert.equal(again.data!.acknowledgePacket.alreadyAcknowledged, true);

    // Status history, server-timestamped, readable by source, recipient and operator.
    const history = await h.gql(A, HISTORY, { id });
    assert.deepEqual(
      history.data!.packetStatusHistory.map((e: { status: string; recipient: string | null }) => [e.status, e.recipient]),
      [
        ['REQUESTED', null],
        ['UPLOADED', null],
        ['VALIDATED', null],
        ['QUEUED', AGENCY_B],
        ['NOTIFIED', AGENCY_B],
        ['CLAIMED', AGENCY_B],
        ['DELIVERED', AGENCY_B],
      ],
    );
    for (const e of history.data!.packetStatusHistory) assert.ok(!Number.isNaN(Date.parse(e.at)));
    assert.equal((await h.gql(OPERATOR, HISTORY, { id })).data!.packetStatusHistory.length, 7);
    assert.equal((await h.gql(B, HISTORY, { id })).data!.packetStatusHistory.length, 7);
    const statuses = (await events(h, 'packet-status', AGENCY_A)).filter((e) => e.packetId === id).map((e) => e.status);
    assert.deepEqual(statuses, ['NOTIFIED', 'CLAIMED', 'DELIVERED']);
  });

  it('tracks a packet to several recipients per recipient and deletes the content after the last one', async () => {
    const content = Buffer.from('{"x":1}');
    const { id, upload } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B, AGENCY_C] }, dataType: 'JSON' });
    assert.equal(upload.status, 201);
    const b = await claimAndDownload(h, B, id);
    assert.equal((await h.gql(B, ACK, { id, sha256: b.digest })).data!.acknowledgePacket.status, 'DELIVERED');
    assert.ok((await h.contentKeys(id)).length > 0, 'C has not received it yet');

    const bySource = (await h.gql(A, PACKET, { id })).data!.packet;
    assert.equal(bySource.status, 'QUEUED');
    assert.deepEqual(
      bySource.deliveries.map((d: { agencyCode: string; status: string }) => [d.agencyCode, d.status]),
      [
        [AGENCY_B, 'DELIVERED'],
        [AGENCY_C, 'NOTIFIED'],
      ],
    );
    // A recipient sees its own delivery and history only.
    const byC = (await h.gql(C, PACKET, { id })).data!.packet;
    assert.deepEqual(
      byC.deliveries.map((d: { agencyCode: string }) => d.agencyCode),
      [AGENCY_C],
    );
    const cHistory = (await h.gql(C, HISTORY, { id })).data!.packetStatusHistory as Array<{ recipient: string | null }>;
    assert.ok(cHistory.every((e) => e.recipient === null || e.recipient === AGENCY_C));

    const c = await claimAndDownload(h, C, id);
    assert.ok(c.download.body.equals(content));
    await h.gql(C, ACK, { id, sha256: c.digest });
    assert.deepEqual(await h.contentKeys(id), []);
    assert.equal((await h.gql(A, PACKET, { id })).data!.packet.status, 'DELIVERED');
  });

  it('resolves recipients by parent unit and by search', async () => {
    const content = Buffer.from('x');
    const byParent = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { parentCode: '000.00.05.H41' },
        title: 't',
        priority: 'LOW',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: 1,
        sha256: sha256(content),
      },
    });
    assert.equal(byParent.errors, undefined);
    const parentPacket = (await h.gql(A, PACKET, { id: byParent.data!.requestExchange.id })).data!.packet;
    assert.deepEqual(
      parentPacket.deliveries.map((d: { agencyCode: string }) => d.agencyCode),
      ['000.01.05.H41'],
    );
    const bySearch = await h.gql(A, REQUEST_EXCHANGE, {
      input: { recipients: { search: 'so tu phap' }, title: 't', priority: 'LOW', dataType: 'FILE', protocol: 'p', declaredBytes: 1, sha256: sha256(content) },
    });
    const searchPacket = (await h.gql(A, PACKET, { id: bySearch.data!.requestExchange.id })).data!.packet;
    assert.deepEqual(
      searchPacket.deliveries.map((d: { agencyCode: string }) => d.agencyCode),
      [AGENCY_B],
    );
  });

  it('refuses requests that cannot be valid: unknown recipient, itself, oversize, no agency', async () => {
    const base = { title: 't', priority: 'NORMAL', dataType: 'FILE', protocol: 'p', declaredBytes: 1, sha256: sha256('x') };
    const unknown = await h.gql(A, REQUEST_EXCHANGE, { input: { ...base, recipients: { agencyCodes: ['999.99.99.H41'] } } });
    assert.equal(unknown.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    assert.deepEqual(unknown.errors![0]!.extensions!.unknownAgencyCodes, ['999.99.99.H41']);
    const self = await h.gql(A, REQUEST_EXCHANGE, { input: { ...base, recipients: { agencyCodes: [AGENCY_A] } } });
    assert.equal(self.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    const big = await h.gql(A, REQUEST_EXCHANGE, { input: { ...base, declaredBytes: 2 ** 30, recipients: { agencyCodes: [AGENCY_B] } } });
    assert.equal(big.errors![0]!.extensions!.code, 'LIMIT_EXCEEDED');
    const anonymous = await h.gql(ANONYMOUS, REQUEST_EXCHANGE, { input: { ...base, recipients: { agencyCodes: [AGENCY_B] } } });
    assert.equal(anonymous.errors![0]!.extensions!.code, 'UNAUTHENTICATED');
    const noAgency = await h.gql({ kind: 'user', userId: 'u', roles: [], scopes: [] }, REQUEST_EXCHANGE, {
      input: { ...base, recipients: { agencyCodes: [AGENCY_B] } },
    });
    assert.equal(noAgency.errors![0]!.extensions!.code, 'FORBIDDEN');
  });

  it("exchanges an edXML document, then the recipient's status packet updates the document's status at its source", async () => {
    const doc = await sendPacket(h, A, DOCUMENT, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'EDXML_DOCUMENT', protocol: 'QCVN-102:2016' });
    assert.equal(doc.upload.status, 201, doc.upload.body.toString());
    const docPacket = (await h.gql(A, PACKET, { id: doc.id })).data!.packet;
    assert.deepEqual(docPacket.edxml, {
      kind: 'document',
      fromOrganId: AGENCY_A,
      toOrganIds: [AGENCY_B],
      documentId: DOCUMENT_ID,
      statusCode: null,
      responseForDocumentId: null,
    });
    const received = await claimAndDownload(h, B, doc.id);
    assert.ok(received.download.body.equals(DOCUMENT));
    await h.gql(B, ACK, { id: doc.id, sha256: received.digest });

    const status = Buffer.from(
      toEdxmlStatus({
        from: { organId: AGENCY_B, organName: 'Sở Tư pháp' },
        responseFor: { organId: AGENCY_A, code: '7816/VPCP-TTĐT', promulgationDate: '2018-09-28', documentId: DOCUMENT_ID },
        statusCode: '03',
        description: 'Đã tiếp nhận',
      }),
    );
    const back = await sendPacket(h, B, status, {
      recipients: { agencyCodes: [AGENCY_A] },
      dataType: 'EDXML_STATUS',
      protocol: 'QCVN-102:2016',
      priority: 'HIGH',
    });
    assert.equal(back.upload.status, 201, back.upload.body.toString());

    const updated = (await h.gql(A, PACKET, { id: doc.id })).data!.packet;
    assert.deepEqual(updated.documentStatusHistory, [{ statusCode: '03', description: 'Đã tiếp nhận', reportedBy: AGENCY_B, statusPacketId: back.id }]);
    assert.deepEqual((await events(h, 'document-status', AGENCY_A)).at(-1), {
      packetId: doc.id,
      statusCode: '03',
      reportedBy: AGENCY_B,
      statusPacketId: back.id,
    });
    // The status packet itself is delivered to the document's source like any packet.
    const statusPacket = await claimAndDownload(h, A, back.id);
    assert.ok(statusPacket.download.body.equals(status));
    assert.equal((await h.gql(A, ACK, { id: back.id, sha256: statusPacket.digest })).data!.acknowledgePacket.status, 'DELIVERED');
  });

  it('rejects malformed edXML precisely and stores nothing', async () => {
    const broken = Buffer.from(DOCUMENT.toString().replace('</edXML:Subject>', '</edXML:Subjet>'));
    const brokenLine =
      DOCUMENT.toString()
        .split('\n')
        .findIndex((l) => l.includes('</edXML:Subject>')) + 1;
    const { id, upload } = await sendPacket(h, A, broken, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'EDXML_DOCUMENT' });
    assert.equal(upload.status, 422);
    const answer = JSON.parse(upload.body.toString());
    assert.equal(answer.status, 'REJECTED');
    assert.equal(answer.rejection.code, 'EDXML_NOT_WELL_FORMED');
    assert.equal(answer.rejection.line, brokenLine);
    assert.equal(typeof answer.rejection.column, 'number');
    assert.deepEqual(await h.contentKeys(id), []);
    const history = (await h.gql(A, HISTORY, { id })).data!.packetStatusHistory as Array<{ status: string; detail: string }>;
    assert.equal(history.at(-1)!.status, 'REJECTED');
    assert.match(history.at(-1)!.detail, new RegExp(`^EDXML_NOT_WELL_FORMED: .*line ${brokenLine}`));
    assert.ok(!(await events(h, 'packet-available', AGENCY_B)).some((e) => e.packetId === id), 'the recipient is never told');
    const claim = await h.gql(B, CLAIM, { id });
    assert.equal(claim.errors![0]!.extensions!.reason, 'DELIVERY_CLOSED');

    const noCode = Buffer.from(DOCUMENT.toString().replace(/<edXML:Code>.*<\/edXML:Code>/, ''));
    const missing = await sendPacket(h, A, noCode, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'EDXML_DOCUMENT' });
    const rejection = JSON.parse(missing.upload.body.toString()).rejection;
    assert.equal(rejection.code, 'EDXML_MISSING_ELEMENT');
    assert.match(rejection.path, /MessageHeader\/Code/);
    assert.deepEqual(await h.contentKeys(missing.id), []);

    // A document whose From is not the sending agency is refused (no sending in another agency's name).
    const spoofed = await sendPacket(h, C, DOCUMENT, { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'EDXML_DOCUMENT' });
    assert.equal(JSON.parse(spoofed.upload.body.toString()).rejection.code, 'EDXML_FROM_MISMATCH');
  });

  it('checks JSON against a registered schema', async () => {
    const bad = await sendPacket(h, A, Buffer.from('{"dossierCode": 42}'), {
      recipients: { agencyCodes: [AGENCY_B] },
      dataType: 'DOSSIER',
      schemaId: 'lgsp.test-dossier/1',
    });
    assert.equal(bad.upload.status, 422);
    assert.equal(JSON.parse(bad.upload.body.toString()).rejection.code, 'JSON_SCHEMA_MISMATCH');
    const notJson = await sendPacket(h, A, Buffer.from('{oops'), { recipients: { agencyCodes: [AGENCY_B] }, dataType: 'JSON' });
    assert.equal(JSON.parse(notJson.upload.body.toString()).rejection.code, 'JSON_INVALID');
    const good = await sendPacket(h, A, Buffer.from('{"dossierCode": "000.123-2025"}'), {
      recipients: { agencyCodes: [AGENCY_B] },
      dataType: 'DOSSIER',
      schemaId: 'lgsp.test-dossier/1',
    });
    assert.equal(good.upload.status, 201);
    const unknownSchema = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'LOW',
        dataType: 'JSON',
        schemaId: 'nope',
        protocol: 'p',
        declaredBytes: 1,
        sha256: sha256('x'),
      },
    });
    assert.equal(unknownSchema.errors![0]!.extensions!.field, 'schemaId');
  });

  it('refuses a wrong digest, keeps nothing of it, and accepts a correct retry', async () => {
    const content = Buffer.from('the real content');
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl } = answer.data!.requestExchange;
    const tampered = Buffer.from('the fake content');
    const wrong = await httpRequest(uploadUrl, { method: 'PUT', body: tampered, headers: { 'content-length': String(tampered.length) } });
    assert.equal(wrong.status, 400);
    assert.equal(JSON.parse(wrong.body.toString()).errors[0].extensions.reason, 'DIGEST_MISMATCH');
    const wrongField = await httpRequest(uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(tampered) } });
    assert.equal(wrongField.status, 400);
    assert.equal(JSON.parse(wrongField.body.toString()).errors[0].extensions.reason, 'DIGEST_MISMATCH');
    assert.deepEqual(await h.contentKeys(id), []);
    assert.equal((await h.gql(A, PACKET, { id })).data!.packet.status, 'REQUESTED');
    const right = await httpRequest(uploadUrl, { method: 'PUT', body: content, headers: { 'repr-digest': reprDigest(content) } });
    assert.equal(right.status, 201);
    // A second upload into a filled space is refused.
    assert.equal((await httpRequest(uploadUrl, { method: 'PUT', body: content })).status, 409);
    // Acknowledging with the wrong digest does not complete the delivery.
    await h.gql(B, CLAIM, { id });
    const badAck = await h.gql(B, ACK, { id, sha256: sha256(tampered) });
    assert.equal(badAck.errors![0]!.extensions!.reason, 'DIGEST_MISMATCH');
  });

  it('takes one of several uploads racing into one space and keeps nothing of the others', async () => {
    const content = Buffer.from('sent twice at once, by a client retrying too early');
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl } = answer.data!.requestExchange;
    const answers = await Promise.all(
      [1, 2, 3].map(() => httpRequest(uploadUrl, { method: 'PUT', body: content, headers: { 'content-length': String(content.length) } })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409))
      assert.equal(JSON.parse(refused.body.toString()).errors[0].extensions.reason, 'SPACE_CLOSED');
    assert.equal((await h.contentKeys(id)).length, 1, 'the content of the upload taken, none of the others');
    const { download } = await claimAndDownload(h, B, id);
    assert.deepEqual(download.body, content);
  });

  it('keeps nothing of an upload the client abandons half-way', async () => {
    const content = Buffer.alloc(4 * 1024 * 1024, 3);
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl } = answer.data!.requestExchange;
    await new Promise<void>((resolve) => {
      const req = request(uploadUrl, { method: 'PUT', headers: { 'content-length': String(content.length) } });
      req.on('error', () => resolve());
      req.write(content.subarray(0, 1024 * 1024), () => {
        // Wait until the relay has stored some of it, then hang up.
        const poll = async () => {
          if ((await h.contentKeys(id)).length > 0) req.destroy();
          else setTimeout(poll, 5);
        };
        void poll();
      });
    });
    for (let i = 0; i < 200 && (await h.contentKeys(id)).length > 0; i += 1) await sleep(10);
    assert.deepEqual(await h.contentKeys(id), []);
    assert.equal((await h.gql(A, PACKET, { id })).data!.packet.status, 'REQUESTED');
    assert.equal((await httpRequest(uploadUrl, { method: 'PUT', body: content })).status, 201);
  });

  it('refuses a forged or altered upload URL', async () => {
    const content = Buffer.from('abc');
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: 3,
        sha256: sha256(content),
      },
    });
    const url = new URL(answer.data!.requestExchange.uploadUrl as string);
    const token = url.searchParams.get('token')!;
    // One bit of the signature flipped (rewriting its last characters can leave the decoded bytes unchanged).
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    url.searchParams.set('token', `${payload}.${flipped.toString('base64url')}`);
    assert.equal((await httpRequest(url.toString(), { method: 'PUT', body: content })).status, 401);
    url.searchParams.delete('token');
    assert.equal((await httpRequest(url.toString(), { method: 'PUT', body: content })).status, 401);
  });

  it('denies a claim, a read and an acknowledgement by an agency that is not a recipient', async () => {
    const content = Buffer.from('for B only');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    const claim = await h.gql(C, CLAIM, { id });
    assert.equal(claim.errors![0]!.extensions!.code, 'FORBIDDEN');
    assert.equal((await h.gql(C, PACKET, { id })).errors![0]!.extensions!.code, 'FORBIDDEN');
    assert.equal((await h.gql(C, HISTORY, { id })).errors![0]!.extensions!.code, 'FORBIDDEN');
    assert.equal((await h.gql(C, ACK, { id, sha256: sha256(content) })).errors![0]!.extensions!.code, 'FORBIDDEN');
    assert.equal((await h.gql(ANONYMOUS, CLAIM, { id })).errors![0]!.extensions!.code, 'UNAUTHENTICATED');
    // The source may read but not claim its own packet.
    assert.equal((await h.gql(A, CLAIM, { id })).errors![0]!.extensions!.code, 'FORBIDDEN');
    // B's download URL cannot be used for another packet.
    const b = await h.gql(B, CLAIM, { id });
    const other = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    const forged = (b.data!.claimPacket.downloadUrl as string).replace(id, other.id);
    assert.equal((await httpRequest(forged, { method: 'GET' })).status, 401);
  });

  it('refuses an oversize upload with 413, from Content-Length and while streaming, keeping nothing', async () => {
    const content = Buffer.alloc(1000, 7);
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: 1000,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl, maxBytes } = answer.data!.requestExchange;
    assert.equal(maxBytes, 1000);
    const declared = await httpRequest(uploadUrl, { method: 'PUT', headers: { 'content-length': '5000' }, body: Buffer.alloc(5000, 7) });
    assert.equal(declared.status, 413);
    async function* chunked() {
      for (let i = 0; i < 8; i += 1) yield Buffer.alloc(600, 7);
    }
    const streamed = await httpRequest(uploadUrl, { method: 'PUT', body: chunked() });
    assert.equal(streamed.status, 413);
    assert.equal(JSON.parse(streamed.body.toString()).errors[0].extensions.reason, 'PAYLOAD_TOO_LARGE');
    assert.deepEqual(await h.contentKeys(id), []);
    assert.equal((await httpRequest(uploadUrl, { method: 'PUT', body: content })).status, 201);
  });

  it('expires a space never filled (410) and deletes content of deliveries past their deadline', async () => {
    const content = Buffer.from('too late');
    const soon = () => new Date(Date.now() + 800).toISOString();
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
        policy: { deadline: soon() },
      },
    });
    const space = answer.data!.requestExchange;
    const delivered = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, policy: { deadline: soon() } });
    assert.equal(delivered.upload.status, 201);
    assert.ok((await h.contentKeys(delivered.id)).length > 0);
    await sleep(1_000);

    const late = await httpRequest(space.uploadUrl, { method: 'PUT', body: content });
    assert.equal(late.status, 410);
    assert.equal(JSON.parse(late.body.toString()).errors[0].extensions.reason, 'SPACE_EXPIRED');

    const swept = await h.relay.sweep();
    assert.ok(swept.expired >= 2);
    assert.equal((await h.gql(A, PACKET, { id: space.id })).data!.packet.status, 'EXPIRED');
    const expired = (await h.gql(A, PACKET, { id: delivered.id })).data!.packet;
    assert.deepEqual(
      expired.deliveries.map((d: { status: string }) => d.status),
      ['EXPIRED'],
    );
    assert.equal(expired.contentDeleted, true);
    assert.deepEqual(await h.contentKeys(delivered.id), []);
    assert.deepEqual(await h.contentKeys(space.id), []);
    assert.ok((await events(h, 'packet-status', AGENCY_A)).some((e) => e.packetId === delivered.id && e.status === 'EXPIRED'));
    assert.equal((await h.gql(B, CLAIM, { id: delivered.id })).errors![0]!.extensions!.reason, 'DELIVERY_CLOSED');
  });

  it('redelivers a claim not acknowledged in time, and gives up after maxAttempts claims', async () => {
    const content = Buffer.from('claim me twice');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, policy: { maxAttempts: 2 } });
    const first = await claimAndDownload(h, B, id);
    assert.equal(first.download.status, 200);
    await sleep(300); // longer than RELAY_ACK_TIMEOUT_MS (200)
    await h.relay.sweep();
    let history = (await h.gql(A, HISTORY, { id })).data!.packetStatusHistory as Array<{ status: string; detail: string | null }>;
    assert.equal(history.at(-1)!.status, 'NOTIFIED');
    assert.match(history.at(-1)!.detail!, /redelivered: claim 1/);
    assert.equal((await events(h, 'packet-available', AGENCY_B)).filter((e) => e.packetId === id).length, 2);
    // The first claim's URL is void; a new claim works.
    assert.equal((await httpRequest(first.downloadUrl, { method: 'GET' })).status, 403);
    const second = await claimAndDownload(h, B, id);
    assert.ok(second.download.body.equals(content));
    await sleep(300);
    await h.relay.sweep();
    history = (await h.gql(A, HISTORY, { id })).data!.packetStatusHistory;
    assert.equal(history.at(-1)!.status, 'UNDELIVERABLE');
    assert.deepEqual(await h.contentKeys(id), []);
    assert.ok((await events(h, 'packet-status', AGENCY_A)).some((e) => e.packetId === id && e.status === 'UNDELIVERABLE'));
    // The recipient hears of it too, on its own topic, naming the source.
    const toRecipient = (await events(h, 'packet-status', AGENCY_B)).filter((e) => e.packetId === id);
    assert.deepEqual(
      toRecipient.map((e) => [e.status, e.recipient, e.sourceAgency]),
      [['UNDELIVERABLE', AGENCY_B, AGENCY_A]],
    );
  });

  it('turns a destination offline longer than the policy allows UNDELIVERABLE, tells the source and alerts the operator', async () => {
    const content = Buffer.from('to an offline agency');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B, AGENCY_D] }, policy: { maxOfflineSeconds: 1 } });
    await sleep(1_100);
    await h.gql(B, `{ inbox(first: 1) { edges { cursor } } }`); // B is active just now, D never was
    const swept = await h.relay.sweep();
    assert.equal(swept.undeliverable, 1);
    const packet = (await h.gql(OPERATOR, PACKET, { id })).data!.packet;
    assert.deepEqual(
      packet.deliveries.map((d: { agencyCode: string; status: string }) => [d.agencyCode, d.status]),
      [
        [AGENCY_B, 'NOTIFIED'],
        [AGENCY_D, 'UNDELIVERABLE'],
      ],
    );
    assert.ok((await events(h, 'packet-status', AGENCY_A)).some((e) => e.packetId === id && e.recipient === AGENCY_D && e.status === 'UNDELIVERABLE'));
    // D, back online, finds among its events the packet it missed; B, still served, hears nothing of it.
    assert.deepEqual(
      (await events(h, 'packet-status', AGENCY_D)).filter((e) => e.packetId === id).map((e) => [e.status, e.sourceAgency]),
      [['UNDELIVERABLE', AGENCY_A]],
    );
    assert.deepEqual(
      (await events(h, 'packet-status', AGENCY_B)).filter((e) => e.packetId === id),
      [],
    );
    const metrics = await (await fetch(`${h.relay.origin}/metrics`)).text();
    assert.match(metrics, /lgsp_relay_undeliverable_total\{service="relay"\} [1-9]/);
    const alert = h.logs.find((line) => line.alert === 'RELAY_UNDELIVERABLE' && line.packetId === id);
    assert.ok(alert !== undefined, 'the operator alert is logged');
    assert.deepEqual([alert.level, alert.source, alert.recipient], ['error', AGENCY_A, AGENCY_D]);
    assert.match(String(alert.reason), /offline longer than 1 s/);
    assert.ok((await h.contentKeys(id)).length > 0, 'B can still receive it');
  });

  it('keeps a recipient that holds a subscription online however short the policy, until its lease runs out', async () => {
    const PRESENCE = `query($agency: ID!) { agencyPresence(agencyCode: $agency) { lastSeenAt } }`;
    const listener = { agencyCode: AGENCY_C, systemId: `${AGENCY_C}:listener` };
    // What the subscriptions service sends: at once and every PRESENCE_REPORT_MS a lease (three intervals).
    const report = async (heldForMs: number) => {
      const answer = await fetch(`${h.relay.origin}/internal/presence`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PRESENCE_TOKEN}` },
        body: JSON.stringify({ systems: [listener], heldForMs }),
      });
      assert.equal(answer.status, 204, await answer.text());
    };
    const status = async (id: string) => (await h.gql(OPERATOR, PACKET, { id })).data!.packet.deliveries[0].status as string;
    const { id } = await sendPacket(h, A, Buffer.from('to an agency that only listens'), {
      recipients: { agencyCodes: [AGENCY_C] },
      policy: { maxOfflineSeconds: 1 },
    });
    await report(130_000);
    await sleep(1_100); // no report, no call: only the hold says C is listening
    await h.relay.sweep();
    assert.equal(await status(id), 'NOTIFIED', 'a held recipient is online between two reports');
    const seenWhileHeld = Date.parse((await h.gql(OPERATOR, PRESENCE, { agency: AGENCY_C })).data!.agencyPresence.lastSeenAt);
    assert.ok(seenWhileHeld >= Date.now() - 1_000, `seen now while held, not at the report: ${seenWhileHeld}`);

    // A shorter lease does not end the longer one (another subscriptions replica may still hold C).
    await report(0);
    await sleep(1_100);
    await h.relay.sweep();
    assert.equal(await status(id), 'NOTIFIED', 'still held by the first lease');
    assert.ok(Date.parse((await h.gql(OPERATOR, PRESENCE, { agency: AGENCY_C })).data!.agencyPresence.lastSeenAt) >= Date.now() - 1_000);
  });

  it("counts a recipient whose lease ran out unrenewed as seen at its last report, and gives its delivery up after the policy's time", async () => {
    const agency = '000.00.22.H41'; // a development agency (a commune) no other test here uses
    const listener = { agencyCode: agency, systemId: `${agency}:listener` };
    const { id } = await sendPacket(h, A, Buffer.from('to an agency that stopped listening'), {
      recipients: { agencyCodes: [agency] },
      policy: { maxOfflineSeconds: 2 },
    });
    const reportedAt = Date.now();
    const answer = await fetch(`${h.relay.origin}/internal/presence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PRESENCE_TOKEN}` },
      body: JSON.stringify({ systems: [listener], heldForMs: 1_000 }),
    });
    assert.equal(answer.status, 204);
    await sleep(1_200);
    await h.relay.sweep();
    assert.equal((await h.gql(OPERATOR, PACKET, { id })).data!.packet.deliveries[0].status, 'NOTIFIED', 'held, then seen at its report: less than 2 s ago');
    const seen = Date.parse(
      (await h.gql(OPERATOR, `query($agency: ID!) { agencyPresence(agencyCode: $agency) { lastSeenAt } }`, { agency })).data!.agencyPresence.lastSeenAt,
    );
    assert.ok(seen >= reportedAt && seen <= reportedAt + 500, `seen at the report once the lease ran out: ${seen - reportedAt} ms after it`);
    await sleep(Math.max(0, reportedAt + 2_100 - Date.now()));
    await h.relay.sweep();
    assert.equal(
      (await h.gql(OPERATOR, PACKET, { id })).data!.packet.deliveries[0].status,
      'UNDELIVERABLE',
      'silent longer than the policy allows since its last report',
    );
  });

  it("shows an agency's presence, system by system, to the agency itself and to operators only", async () => {
    const PRESENCE = `query($agency: ID!) { agencyPresence(agencyCode: $agency) { agencyCode lastSeenAt systems { systemId lastSeenAt } } }`;
    const before = Date.now();
    await h.gql(B, `{ inbox(first: 1) { edges { cursor } } }`); // any call of B's system counts as activity
    const own = (await h.gql(B, PRESENCE, { agency: AGENCY_B })).data!.agencyPresence;
    assert.equal(own.agencyCode, AGENCY_B);
    const system = own.systems.find((s: { systemId: string }) => s.systemId === 'stp-qlvb');
    assert.ok(system !== undefined, JSON.stringify(own.systems));
    assert.ok(Date.parse(system.lastSeenAt) >= before - 1_000, 'seen just now (presence is written at most once a second per system)');
    assert.equal(own.lastSeenAt, own.systems[0].lastSeenAt, "the agency's latest is its most recent system's");
    assert.deepEqual((await h.gql(OPERATOR, PRESENCE, { agency: AGENCY_B })).data!.agencyPresence, own);
    const denied = await h.gql(A, PRESENCE, { agency: AGENCY_B });
    assert.equal(denied.errors![0]!.extensions!.code, 'FORBIDDEN');
    assert.deepEqual((await h.gql(OPERATOR, PRESENCE, { agency: '999.99.99.H99' })).data!.agencyPresence, {
      agencyCode: '999.99.99.H99',
      lastSeenAt: null,
      systems: [],
    });
  });

  it('sweeps only the packets that are due, and sets when each is due next', async () => {
    const active = relayKeys(h.keyPrefix).active;
    const due = async (id: string) => Number(await h.redis.zScore(active, id));
    const watched = await sendPacket(h, A, Buffer.from('watched'), { recipients: { agencyCodes: [AGENCY_B, AGENCY_D] }, policy: { maxOfflineSeconds: 1 } });
    const backlog = await sendPacket(h, A, Buffer.from('waits for its first look'), { recipients: { agencyCodes: [AGENCY_D] } });
    const backlogDue = await due(backlog.id);
    assert.ok(backlogDue > Date.now() + 20_000, 'first looked at about 30 s after the request');
    assert.ok((await due(watched.id)) <= Date.now() + 1_000, 'its first offline check is due within maxOfflineSeconds');
    const statuses = async (id: string) =>
      (await h.gql(OPERATOR, PACKET, { id })).data!.packet.deliveries.map((d: { agencyCode: string; status: string }) => [d.agencyCode, d.status]);
    await h.relay.sweep();
    assert.deepEqual(
      await statuses(watched.id),
      [
        [AGENCY_B, 'NOTIFIED'],
        [AGENCY_D, 'NOTIFIED'],
      ],
      'nothing due yet',
    );

    await sleep(1_100);
    await h.gql(B, `{ inbox(first: 1) { edges { cursor } } }`); // B is active just now, D never was
    const seenB = Date.now();
    await h.relay.sweep();
    assert.deepEqual(await statuses(watched.id), [
      [AGENCY_B, 'NOTIFIED'],
      [AGENCY_D, 'UNDELIVERABLE'],
    ]);
    // Due again when B could have been away too long: a second after its last call, not before.
    const next = await due(watched.id);
    assert.ok(next >= seenB + 900 && next <= Date.now() + 1_100, `due next at ${next}, B seen at ${seenB}`);
    assert.equal(await due(backlog.id), backlogDue, 'a packet not due is neither read nor moved');
    assert.deepEqual(await statuses(backlog.id), [[AGENCY_D, 'NOTIFIED']]);
  });

  it("reads a destination's presence once per sweep, however many of its packets are due", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push((await sendPacket(h, A, Buffer.from(`backlog ${i}`), { recipients: { agencyCodes: [AGENCY_D] }, policy: { maxOfflineSeconds: 1 } })).id);
    await sleep(1_100);
    // What the relay asks Redis, as Redis saw it (MONITOR on a connection of its own), for this test's keys only.
    const presenceKey = relayKeys(h.keyPrefix).presence(AGENCY_D);
    const reads: string[][] = [];
    const monitor = h.redis.duplicate();
    await monitor.connect();
    await monitor.monitor((line: string) => {
      if (line.includes(presenceKey)) reads.push(line.split(' ').slice(3));
    });
    try {
      const swept = await h.relay.sweep();
      assert.ok(swept.undeliverable >= 3, JSON.stringify(swept));
      await sleep(100); // MONITOR lines arrive after the replies
    } finally {
      monitor.destroy(); // a monitoring connection cannot QUIT
    }
    // One read (a MULTI): the activity and the holds of D, each once (the holds key starts with the activity key).
    const holdsKey = relayKeys(h.keyPrefix).presenceHolds(AGENCY_D);
    assert.deepEqual(
      reads.map((r) => r[1]),
      [`"${presenceKey}"`, `"${holdsKey}"`],
      `one presence read for three due packets: ${JSON.stringify(reads)}`,
    );
    for (const id of ids) {
      const packet = (await h.gql(OPERATOR, PACKET, { id })).data!.packet;
      assert.deepEqual(
        packet.deliveries.map((d: { status: string }) => d.status),
        ['UNDELIVERABLE'],
      );
    }
  });

  it('loses nothing when the relay restarts mid-flow', async () => {
    const content = Buffer.from('survives restarts '.repeat(100));
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B, AGENCY_C] },
        title: 'restart',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const { id, uploadUrl } = answer.data!.requestExchange;
    await h.restart(); // between request and upload
    const upload = await httpRequest(uploadUrl.replace(/:\d+\//, `:${h.relay.port}/`), { method: 'PUT', body: content });
    assert.equal(upload.status, 201);
    const claimed = await h.gql(B, CLAIM, { id });
    await h.restart(); // between claim and download
    const url = (claimed.data!.claimPacket.downloadUrl as string).replace(/:\d+\//, `:${h.relay.port}/`);
    const download = await httpRequest(url, { method: 'GET' });
    assert.ok(download.body.equals(content));
    await h.restart(); // between download and acknowledgement
    assert.equal((await h.gql(B, ACK, { id, sha256: sha256(content) })).data!.acknowledgePacket.status, 'DELIVERED');
    const c = await claimAndDownload(h, C, id);
    assert.ok(c.download.body.equals(content));
    await h.gql(C, ACK, { id, sha256: c.digest });
    const history = (await h.gql(A, HISTORY, { id })).data!.packetStatusHistory as Array<{ status: string }>;
    assert.equal(history.filter((e) => e.status === 'DELIVERED').length, 2);
    assert.deepEqual(await h.contentKeys(id), []);
  });

  it('redelivers, after a restart, a claim the stopped relay was waiting on', async () => {
    const content = Buffer.from('pending across a restart');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    await h.gql(B, CLAIM, { id });
    await h.restart(); // the new process is another consumer of the same consumer group
    await sleep(300);
    await h.relay.sweep();
    const history = (await h.gql(A, HISTORY, { id })).data!.packetStatusHistory as Array<{ status: string; detail: string | null }>;
    assert.equal(history.at(-1)!.status, 'NOTIFIED');
    assert.match(history.at(-1)!.detail!, /redelivered/);
    const again = await claimAndDownload(h, B, id);
    assert.ok(again.download.body.equals(content));
    assert.equal((await h.gql(B, ACK, { id, sha256: again.digest })).data!.acknowledgePacket.status, 'DELIVERED');
  });

  it('counts a complete download as delivery when the policy requires no acknowledgement', async () => {
    const content = Buffer.from('no acknowledgement needed');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, policy: { acknowledgementRequired: false } });
    const { download } = await claimAndDownload(h, B, id);
    assert.ok(download.body.equals(content));
    let packet = (await h.gql(A, PACKET, { id })).data!.packet;
    for (let i = 0; i < 100 && packet.status !== 'DELIVERED'; i += 1) {
      await sleep(10); // the relay completes the delivery right after the last byte is sent
      packet = (await h.gql(A, PACKET, { id })).data!.packet;
    }
    assert.equal(packet.status, 'DELIVERED');
    assert.deepEqual(await h.contentKeys(id), []);
  });

  it('pages the inbox with cursors', async () => {
    const page1 = await h.gql(B, `{ inbox(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`);
    const { edges, pageInfo } = page1.data!.inbox;
    assert.equal(edges.length, 2);
    assert.equal(pageInfo.hasNextPage, true);
    const page2 = await h.gql(B, `query($after: String) { inbox(first: 2, after: $after) { edges { node { id } } } }`, { after: pageInfo.endCursor });
    const ids = new Set(edges.map((e: { node: { id: string } }) => e.node.id));
    for (const e of page2.data!.inbox.edges) assert.ok(!ids.has(e.node.id));
    assert.equal((await h.gql(B, `{ inbox(first: 2, after: "bogus") { edges { cursor } } }`)).errors![0]!.extensions!.code, 'INVALID_CURSOR');
  });

  it('drops from the inbox a packet whose record expired with its retention', async () => {
    const { id } = await sendPacket(h, A, Buffer.from('kept for its retention only'), { recipients: { agencyCodes: [AGENCY_B] } });
    const keys = relayKeys(h.keyPrefix);
    assert.notEqual(await h.redis.zScore(keys.inbox(AGENCY_B), id), null);
    await h.redis.del([keys.packet(id), keys.history(id)]); // as Redis does when RELAY_RETENTION_MS has passed
    const page = await h.gql(B, `{ inbox(first: 5) { edges { node { id } } } }`);
    assert.ok(!page.data!.inbox.edges.some((e: { node: { id: string } }) => e.node.id === id));
    assert.equal(await h.redis.zScore(keys.inbox(AGENCY_B), id), null, 'its entry is gone too');
  });
});
