/**
 * The 7-step exchange end to end through the gateway, with two agency systems and real tokens: the Department of
 * Finance's system sends a real edXML document (a VPCP sample from ../shared/data, addressed between our
 * development agencies) to the Department of Justice, whose system claims, downloads through the gateway and
 * acknowledges it, then answers with a status packet that updates the document's status at its source.
 * Nothing is left behind: the content is gone once delivered. (Real-time notification: see the subscriptions tests.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { toEdxmlStatus } from '../../subgraphs/relay/src/edxml/index.ts';
import { connectRedis } from '../../subgraphs/kit/src/redis.ts';
import { startPlatformFixture, type PlatformFixture } from '../support/platform-fixture.ts';

const FINANCE = { client: 'sotaichinh-h41-dkkd', agency: '000.00.03.H41' };
const JUSTICE = { client: 'sotuphap-h41-hotich', agency: '000.00.04.H41' };
const sample = new URL('../../../shared/data/edxml/samples/all4u1089-truclienthong-example/edoc_new.redacted.edxml', import.meta.url);

let p: PlatformFixture;
before(async () => {
  p = await startPlatformFixture({ redis: true });
});
after(async () => {
  await p?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const reprDigest = (data: Buffer) => `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;

async function gql(as: string, query: string, variables?: Record<string, unknown>) {
  const { body } = await p.query(query, variables, { as, purpose: null });
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data as Record<string, any>;
}

async function send(from: string, to: string, content: Buffer, dataType: string, title: string): Promise<string> {
  const { requestExchange } = await gql(from, `mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl maxBytes } }`, {
    input: { recipients: { agencyCodes: [to] }, title, priority: 'HIGH', dataType, protocol: 'QCVN-102:2016', declaredBytes: content.length, sha256: sha256(content) },
  });
  // The upload URL points at the gateway, the only public entry point; the content streams through to the relay.
  assert.ok(requestExchange.uploadUrl.startsWith(new URL(p.platform.urls.gateway).origin + '/exchange/'), requestExchange.uploadUrl);
  const upload = await fetch(requestExchange.uploadUrl, { method: 'PUT', body: new Uint8Array(content), headers: { 'content-type': 'application/xml', 'repr-digest': reprDigest(content) } });
  assert.equal(upload.status, 201, await upload.clone().text());
  return requestExchange.id as string;
}

async function receive(as: string, id: string): Promise<Buffer> {
  const { inbox } = await gql(as, `{ inbox(first: 20) { edges { node { id title } } } }`);
  assert.ok(inbox.edges.some((e: { node: { id: string } }) => e.node.id === id), 'the packet waits in the inbox');
  const { claimPacket } = await gql(as, `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl sha256 bytes } }`, { id });
  const download = await fetch(claimPacket.downloadUrl);
  assert.equal(download.status, 200);
  const content = Buffer.from(await download.arrayBuffer());
  assert.equal(download.headers.get('repr-digest'), reprDigest(content), 'the digest travels with the content');
  assert.equal(sha256(content), claimPacket.sha256);
  const { acknowledgePacket } = await gql(as, `mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status alreadyAcknowledged } }`, { id, sha: claimPacket.sha256 });
  assert.equal(acknowledgePacket.alreadyAcknowledged, false);
  const again = await gql(as, `mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { alreadyAcknowledged } }`, { id, sha: claimPacket.sha256 });
  assert.equal(again.acknowledgePacket.alreadyAcknowledged, true, 'acknowledging twice is harmless');
  return content;
}

test('an edXML document and its status packet travel between two agencies through the gateway, and nothing is left', async () => {
  const document = Buffer.from(
    (await readFile(sample, 'utf8'))
      .replace('<edXML:OrganId>000.00.00.A80</edXML:OrganId>', `<edXML:OrganId>${FINANCE.agency}</edXML:OrganId>`)
      .replace('<edXML:OrganId>28.22.H17</edXML:OrganId>', `<edXML:OrganId>${JUSTICE.agency}</edXML:OrganId>`),
  );
  const id = await send(FINANCE.client, JUSTICE.agency, document, 'EDXML_DOCUMENT', 'Công văn thử nghiệm liên thông');
  const received = await receive(JUSTICE.client, id);
  assert.ok(received.equals(document), 'byte for byte');

  const { packet } = await gql(FINANCE.client, `query($id: ID!) { packet(id: $id) { status contentDeleted deliveries { agencyCode status } edxml { documentId } } }`, { id });
  assert.deepEqual(packet.deliveries, [{ agencyCode: JUSTICE.agency, status: 'DELIVERED' }]);
  assert.equal(packet.contentDeleted, true);

  // The recipient registers the document (status 03) and tells the source with a status packet.
  const status = Buffer.from(
    toEdxmlStatus({
      from: { organId: JUSTICE.agency, organName: 'Sở Tư pháp tỉnh Nghệ An' },
      responseFor: { organId: FINANCE.agency, code: '7816/VPCP-TTĐT', promulgationDate: '2015-09-30', documentId: packet.edxml.documentId },
      statusCode: '03',
      description: 'Đã tiếp nhận',
      staffInfo: { department: 'Văn thư', staff: 'Nguyễn Văn A' },
    }),
  );
  const statusId = await send(JUSTICE.client, FINANCE.agency, status, 'EDXML_STATUS', 'Trạng thái: đã tiếp nhận');
  await receive(FINANCE.client, statusId);
  const after = await gql(FINANCE.client, `query($id: ID!) { packet(id: $id) { documentStatusHistory { statusCode reportedBy } } }`, { id });
  assert.deepEqual(after.packet.documentStatusHistory.map((s: { statusCode: string }) => s.statusCode), ['03']);

  // No content key of either packet remains in Redis.
  const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    for (const packetId of [id, statusId]) {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `*relay:content:*${packetId}*`, COUNT: 1000 })) keys.push(...batch);
      assert.deepEqual(keys, [], `no content left for ${packetId}`);
    }
  } finally {
    await redis.quit();
  }
});

test('a system that is not a recipient cannot claim, and a tampered upload is refused', async () => {
  const content = Buffer.from('{"hoSo":"HS-2026-1"}');
  const { requestExchange } = await gql(FINANCE.client, `mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }`, {
    input: { recipients: { agencyCodes: [JUSTICE.agency] }, title: 'Hồ sơ', priority: 'NORMAL', dataType: 'FILE', protocol: 'LGSP-FILE/1', declaredBytes: content.length, sha256: sha256(content) },
  });
  const tampered = Buffer.from('{"hoSo":"HS-2026-2"}');
  const refused = await fetch(requestExchange.uploadUrl, { method: 'PUT', body: new Uint8Array(tampered) });
  assert.equal(refused.status, 400, 'a different content than announced');
  const forged = await fetch(requestExchange.uploadUrl.replace(/token=[^&]+/, 'token=forged'), { method: 'PUT', body: new Uint8Array(content) });
  assert.equal(forged.status, 401);
  assert.equal((await fetch(requestExchange.uploadUrl, { method: 'PUT', body: new Uint8Array(content) })).status, 201);

  const { body } = await p.query(`mutation($id: ID!) { claimPacket(id: $id) { downloadUrl } }`, { id: requestExchange.id }, { as: 'bvhndk-h41-his', purpose: null });
  assert.equal(body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
});
