/**
 * The 7-step exchange end to end through the gateway (issue 4 point 5), with real agency systems and real tokens
 * from the development issuer, on one Redis-mode platform of real processes:
 *  - real-time notification: the recipient follows `packetAvailable` and the source `packetStatusChanged` and
 *    `documentStatusReported` over graphql-ws before anything is sent; a full edXML document (the project's own
 *    test packet, subgraphs/relay/src/edxml/packets/document_new.edxml) travels Finance → Justice and its status
 *    packet comes back; nothing is left in Redis;
 *  - one packet to three recipients, tracked per recipient;
 *  - a relay restart between upload and claim loses nothing;
 *  - the fault cases, each with its HTTP status and `extensions.code` / `reason`;
 *  - the batch mutations (requestExchanges, claimPackets, acknowledgePackets) with a partly refused batch, and small
 *    packets with their content inline (no PUT, no GET);
 *  - a dropped subscription resumed with `after` misses nothing and repeats nothing.
 * The relay's own tests (subgraphs/relay/src/service.test.ts) cover the same faults at the subgraph with the
 * internal token; these prove they reach an agency's system through the gateway unchanged.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatformFixture, type GatewaySubscription, type PlatformFixture } from '../testing/platform-fixture.ts';
import {
  edxmlDocument,
  edxmlStatus,
  exchangeClient,
  FINANCE,
  HOSPITAL,
  JUSTICE,
  OFFICE,
  POLICE,
  putOnce,
  sha256,
  WARD,
  type AgencySystem,
} from '../testing/exchange-client.ts';
import { connectRedis } from '@lgsp/kit';

const PACKET_AVAILABLE = `subscription($after: ID) {
  packetAvailable(after: $after) { eventId packet { id title } source { code name } priority }
}`;
const PACKET_STATUS = `subscription($packetId: ID, $after: ID) {
  packetStatusChanged(packetId: $packetId, after: $after) { eventId status packet { id title } recipient { code } }
}`;
const DOCUMENT_STATUS = `subscription {
  documentStatusReported { eventId statusCode packet { id } reportedBy { code name } statusPacket { id } }
}`;
const PACKET = `query($id: ID!) { packet(id: $id) { status contentDeleted deliveries { agencyCode status attempts } statusHistory { status recipient } } }`;

let p: PlatformFixture;
let x: ReturnType<typeof exchangeClient>;
before(async () => {
  p = await startPlatformFixture({ redis: true });
  x = exchangeClient(p);
});
after(async () => {
  await p?.close();
});

/** Opens the subscriptions (one after the other), runs `body`, and closes them whatever happens. */
type Follow = readonly [query: string, variables: Record<string, unknown>, as: AgencySystem];
async function following<const S extends readonly Follow[], T>(
  subscriptions: S,
  body: (subs: { [K in keyof S]: GatewaySubscription }) => Promise<T>,
): Promise<T> {
  const subs: GatewaySubscription[] = [];
  try {
    for (const [query, variables, as] of subscriptions) subs.push(await p.subscribe(query, variables, { as: as.client }));
    return await body(subs as { [K in keyof S]: GatewaySubscription });
  } finally {
    for (const sub of subs) await sub.close();
  }
}

/** The next `packetStatusChanged` event, reduced to what the assertions compare. */
async function nextStatus(sub: GatewaySubscription, waitingFor: string) {
  const event = await sub.event('packetStatusChanged', waitingFor);
  assert.match(event.eventId, /^\d+-\d+$/);
  return { packet: event.packet.id as string, status: event.status as string, recipient: (event.recipient?.code ?? null) as string | null };
}

/** The first error of a GraphQL answer from the gateway, with the HTTP status. */
async function refusal(as: AgencySystem, query: string, variables: Record<string, unknown>) {
  const { status, body } = await p.query(query, variables, { as: as.client, purpose: null });
  assert.ok(body.errors !== undefined && body.errors.length > 0, `expected an error, got ${JSON.stringify(body)}`);
  const extensions = (body.errors[0]!.extensions ?? {}) as Record<string, unknown>;
  return { status, code: extensions.code, reason: extensions.reason, data: body.data };
}

describe('the 7 steps with real-time notification', () => {
  it('tells the recipient at once, shows the source every status, and carries the status packet back', async () => {
    await following(
      [
        [PACKET_AVAILABLE, {}, JUSTICE],
        [PACKET_STATUS, {}, FINANCE],
        [DOCUMENT_STATUS, {}, FINANCE],
      ],
      async ([inbox, statuses, reports]) => {
        const document = await edxmlDocument(FINANCE, JUSTICE);
        const title = 'Công văn thử nghiệm liên thông';
        const id = await x.send(FINANCE, [JUSTICE], document, { dataType: 'EDXML_DOCUMENT', title, priority: 'HIGH' });

        // Step 5: the recipient is told, with the title (from the relay) and the source's name (from the catalogs).
        const available = await inbox.event('packetAvailable', `Justice told of packet ${id}`);
        assert.match(available.eventId, /^\d+-\d+$/);
        assert.deepEqual(
          { packet: available.packet, source: available.source, priority: available.priority },
          { packet: { id, title }, source: { code: FINANCE.agency, name: FINANCE.name }, priority: 'HIGH' },
        );
        assert.deepEqual(await nextStatus(statuses, 'NOTIFIED'), { packet: id, status: 'NOTIFIED', recipient: JUSTICE.agency });

        // Steps 6-7, each seen by the source as it happens.
        const { content, sha256: digest } = await x.claimAndDownload(JUSTICE, id);
        assert.ok(content.equals(document), 'byte for byte');
        assert.deepEqual(await nextStatus(statuses, 'CLAIMED'), { packet: id, status: 'CLAIMED', recipient: JUSTICE.agency });
        assert.deepEqual(await x.acknowledge(JUSTICE, id, digest), { status: 'DELIVERED', alreadyAcknowledged: false });
        assert.deepEqual(await nextStatus(statuses, 'DELIVERED'), { packet: id, status: 'DELIVERED', recipient: JUSTICE.agency });

        const { packet } = await x.gql(
          FINANCE,
          `query($id: ID!) { packet(id: $id) { status contentDeleted deliveries { agencyCode status } statusHistory { status recipient } edxml { documentId } } }`,
          { id },
        );
        assert.deepEqual(packet.deliveries, [{ agencyCode: JUSTICE.agency, status: 'DELIVERED' }]);
        assert.equal(packet.contentDeleted, true);
        assert.deepEqual(
          packet.statusHistory.filter((e: { recipient: string | null }) => e.recipient === JUSTICE.agency).map((e: { status: string }) => e.status),
          ['QUEUED', 'NOTIFIED', 'CLAIMED', 'DELIVERED'],
        );

        // The recipient registers the document (status 03) and tells the source with an edXML status packet.
        const status = edxmlStatus(JUSTICE, FINANCE, packet.edxml.documentId, '03', 'Đã tiếp nhận');
        const statusId = await x.send(JUSTICE, [FINANCE], status, { dataType: 'EDXML_STATUS', title: 'Trạng thái: đã tiếp nhận', priority: 'HIGH' });
        const report = await reports.event('documentStatusReported', `the status report of document ${id}`);
        assert.deepEqual(
          { statusCode: report.statusCode, packet: report.packet, reportedBy: report.reportedBy, statusPacket: report.statusPacket },
          { statusCode: '03', packet: { id }, reportedBy: { code: JUSTICE.agency, name: JUSTICE.name }, statusPacket: { id: statusId } },
        );
        await x.receive(FINANCE, statusId);
        const reported = await x.gql(FINANCE, `query($id: ID!) { packet(id: $id) { documentStatusHistory { statusCode reportedBy } } }`, { id });
        assert.deepEqual(reported.packet.documentStatusHistory, [{ statusCode: '03', reportedBy: JUSTICE.agency }]);

        // Nothing is left: no content key of either packet remains in Redis.
        for (const packetId of [id, statusId]) assert.deepEqual(await x.contentKeys(packetId), [], `no content left for ${packetId}`);
      },
    );
  });
});

describe('one packet to several recipients', () => {
  it('tracks each recipient on its own: one delivered, one claimed, one only notified', async () => {
    await following([[PACKET_STATUS, {}, OFFICE]], async ([statuses]) => {
      const content = Buffer.from(JSON.stringify({ vanBan: 'Thông báo lịch tiếp công dân tháng 7' }));
      const recipients = [JUSTICE, WARD, HOSPITAL];
      const id = await x.send(OFFICE, recipients, content, { title: 'Thông báo gửi nhiều đơn vị' });

      const notified = [await nextStatus(statuses, 'NOTIFIED 1/3'), await nextStatus(statuses, 'NOTIFIED 2/3'), await nextStatus(statuses, 'NOTIFIED 3/3')];
      assert.deepEqual(
        notified.sort((a, b) => a.recipient!.localeCompare(b.recipient!)),
        recipients.map((r) => ({ packet: id, status: 'NOTIFIED', recipient: r.agency })).sort((a, b) => a.recipient.localeCompare(b.recipient)),
      );

      const justice = await x.claimAndDownload(JUSTICE, id);
      await x.acknowledge(JUSTICE, id, justice.sha256);
      const ward = await x.claimAndDownload(WARD, id);
      assert.ok(ward.content.equals(content));
      assert.deepEqual(
        [await nextStatus(statuses, 'Justice CLAIMED'), await nextStatus(statuses, 'Justice DELIVERED'), await nextStatus(statuses, 'Ward CLAIMED')],
        [
          { packet: id, status: 'CLAIMED', recipient: JUSTICE.agency },
          { packet: id, status: 'DELIVERED', recipient: JUSTICE.agency },
          { packet: id, status: 'CLAIMED', recipient: WARD.agency },
        ],
      );

      const { packet } = await x.gql(OFFICE, PACKET, { id });
      assert.equal(packet.status, 'QUEUED', 'still being delivered');
      assert.deepEqual(
        packet.deliveries.map((d: { agencyCode: string; status: string }) => [d.agencyCode, d.status]),
        [
          [JUSTICE.agency, 'DELIVERED'],
          [WARD.agency, 'CLAIMED'],
          [HOSPITAL.agency, 'NOTIFIED'],
        ],
      );
      const last = (agency: string) => packet.statusHistory.filter((e: { recipient: string | null }) => e.recipient === agency).at(-1)?.status;
      assert.deepEqual(
        recipients.map((r) => last(r.agency)),
        ['DELIVERED', 'CLAIMED', 'NOTIFIED'],
        'the history per recipient',
      );
      // The content stays until the last recipient is done.
      assert.ok((await x.contentKeys(id)).length > 0, 'Ward and the hospital can still receive it');

      // A recipient sees only its own delivery.
      const seenByWard = await x.gql(WARD, `query($id: ID!) { packet(id: $id) { deliveries { agencyCode status } } }`, { id });
      assert.deepEqual(seenByWard.packet.deliveries, [{ agencyCode: WARD.agency, status: 'CLAIMED' }]);
    });
  });
});

describe('a relay restart in the middle of an exchange (Redis)', () => {
  it('loses nothing between upload and claim', async () => {
    await following([[PACKET_STATUS, {}, FINANCE]], async ([statuses]) => {
      const content = Buffer.from('Hồ sơ đăng ký kinh doanh — bản điện tử\n'.repeat(2_000));
      const title = 'Hồ sơ trước khi khởi động lại';
      const id = await x.send(FINANCE, [WARD], content, { title });
      assert.deepEqual(await nextStatus(statuses, 'NOTIFIED'), { packet: id, status: 'NOTIFIED', recipient: WARD.agency });
      assert.ok((await x.contentKeys(id)).length > 0, 'the content waits in Redis');

      await p.restart('relay');

      const { content: received, sha256: digest } = await x.claimAndDownload(WARD, id);
      assert.ok(received.equals(content), 'the content uploaded before the restart, byte for byte');
      assert.equal(digest, sha256(content));
      assert.deepEqual(await x.acknowledge(WARD, id, digest), { status: 'DELIVERED', alreadyAcknowledged: false });
      // The subscription opened before the restart goes on, and its packet titles come from the new relay process.
      const claimed = await statuses.event('packetStatusChanged', 'CLAIMED after the restart');
      assert.deepEqual([claimed.status, claimed.packet], ['CLAIMED', { id, title }]);
      assert.deepEqual(await nextStatus(statuses, 'DELIVERED'), { packet: id, status: 'DELIVERED', recipient: WARD.agency });
      const { packet } = await x.gql(FINANCE, PACKET, { id });
      assert.deepEqual(packet.deliveries, [{ agencyCode: WARD.agency, status: 'DELIVERED', attempts: 1 }]);
      assert.deepEqual(await x.contentKeys(id), []);
    });
  });
});

describe('fault cases through the gateway', () => {
  it('acknowledges twice harmlessly: one DELIVERED in the history and in the events', async () => {
    await following([[PACKET_STATUS, {}, FINANCE]], async ([statuses]) => {
      const content = Buffer.from('acknowledged twice');
      const id = await x.send(FINANCE, [JUSTICE], content);
      await nextStatus(statuses, 'NOTIFIED');
      const { sha256: digest } = await x.claimAndDownload(JUSTICE, id);
      assert.deepEqual(await x.acknowledge(JUSTICE, id, digest), { status: 'DELIVERED', alreadyAcknowledged: false });
      assert.deepEqual(await x.acknowledge(JUSTICE, id, digest), { status: 'DELIVERED', alreadyAcknowledged: true });
      const { packet } = await x.gql(FINANCE, PACKET, { id });
      assert.equal(packet.statusHistory.filter((e: { status: string }) => e.status === 'DELIVERED').length, 1);

      // Events are in order: if the second acknowledgement had published anything, it would come before this packet's.
      const marker = await x.send(FINANCE, [JUSTICE], Buffer.from('marker'));
      assert.deepEqual(
        [await nextStatus(statuses, 'CLAIMED'), await nextStatus(statuses, 'DELIVERED'), await nextStatus(statuses, "the marker's NOTIFIED")],
        [
          { packet: id, status: 'CLAIMED', recipient: JUSTICE.agency },
          { packet: id, status: 'DELIVERED', recipient: JUSTICE.agency },
          { packet: marker, status: 'NOTIFIED', recipient: JUSTICE.agency },
        ],
      );
    });
  });

  it('refuses an acknowledgement with a wrong digest (DIGEST_MISMATCH) and keeps the delivery open', async () => {
    const content = Buffer.from('the real content');
    const id = await x.send(FINANCE, [JUSTICE], content);
    const { sha256: digest } = await x.claimAndDownload(JUSTICE, id);
    const wrong = await refusal(JUSTICE, `mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status } }`, {
      id,
      sha: sha256(Buffer.from('something else')),
    });
    assert.deepEqual(wrong, { status: 200, code: 'BAD_USER_INPUT', reason: 'DIGEST_MISMATCH', data: { acknowledgePacket: null } });
    const { packet } = await x.gql(FINANCE, PACKET, { id });
    assert.deepEqual(packet.deliveries, [{ agencyCode: JUSTICE.agency, status: 'CLAIMED', attempts: 1 }]);
    assert.ok((await x.contentKeys(id)).length > 0, 'the content is kept for a correct acknowledgement');
    assert.deepEqual(await x.acknowledge(JUSTICE, id, digest), { status: 'DELIVERED', alreadyAcknowledged: false });
    assert.deepEqual(await x.contentKeys(id), []);
  });

  it('denies a claim, a read and an acknowledgement by an agency that is not a recipient', async () => {
    const content = Buffer.from('for Justice only');
    const id = await x.send(FINANCE, [JUSTICE], content);
    assert.deepEqual(await refusal(HOSPITAL, `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl } }`, { id }), {
      status: 200,
      code: 'FORBIDDEN',
      reason: undefined,
      data: { claimPacket: null },
    });
    assert.deepEqual(await refusal(HOSPITAL, `query($id: ID!) { packet(id: $id) { title } }`, { id }), {
      status: 200,
      code: 'FORBIDDEN',
      reason: undefined,
      data: { packet: null },
    });
    assert.deepEqual(
      await refusal(HOSPITAL, `mutation($id: ID!, $sha: String!) { acknowledgePacket(id: $id, sha256: $sha) { status } }`, { id, sha: sha256(content) }),
      { status: 200, code: 'FORBIDDEN', reason: undefined, data: { acknowledgePacket: null } },
    );
    // The source may read its packet but not claim it.
    assert.equal((await refusal(FINANCE, `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl } }`, { id })).code, 'FORBIDDEN');
    // The recipient is unaffected.
    const { packet } = await x.gql(FINANCE, PACKET, { id });
    assert.deepEqual(
      packet.deliveries.map((d: { agencyCode: string }) => d.agencyCode),
      [JUSTICE.agency],
    );
    assert.notEqual(packet.deliveries[0].status, 'CLAIMED');
    assert.ok((await x.receive(JUSTICE, id)).equals(content));
    // Presence: Justice sees its own system, active just now; Hospital may not look at Justice's.
    const { agencyPresence } = await x.gql(JUSTICE, `query($code: ID!) { agencyPresence(agencyCode: $code) { lastSeenAt systems { systemId } } }`, {
      code: JUSTICE.agency,
    });
    assert.ok(
      agencyPresence.systems.length > 0 && agencyPresence.systems.every((s: { systemId: string }) => s.systemId.startsWith(`${JUSTICE.agency}:`)),
      JSON.stringify(agencyPresence),
    );
    assert.ok(Date.now() - Date.parse(agencyPresence.lastSeenAt) < 60_000);
    assert.equal(
      (await refusal(HOSPITAL, `query($code: ID!) { agencyPresence(agencyCode: $code) { lastSeenAt } }`, { code: JUSTICE.agency })).code,
      'FORBIDDEN',
    );
  });

  it('refuses an upload after the space expired (410 SPACE_EXPIRED), then expires the packet and tells the source', async () => {
    const content = Buffer.from('too late');
    // The space lives until the policy's deadline at most: a deadline 1.5 s ahead closes it then.
    const space = await x.requestExchange(FINANCE, [JUSTICE], content, { policy: { deadline: new Date(Date.now() + 1_500).toISOString() } });
    await following([[PACKET_STATUS, { packetId: space.id }, FINANCE]], async ([statuses]) => {
      const expiresAt = Date.parse(space.expiresAt);
      while (Date.now() <= expiresAt) await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 10));
      const late = await x.upload(space.uploadUrl, content);
      assert.equal(late.status, 410);
      assert.deepEqual([late.body.errors[0].extensions.code, late.body.errors[0].extensions.reason], ['BAD_USER_INPUT', 'SPACE_EXPIRED']);
      assert.deepEqual(await x.contentKeys(space.id), []);
      // The relay's sweep (every 5 s) closes the packet and tells the source.
      assert.deepEqual(await nextStatus(statuses, 'EXPIRED from the sweep'), { packet: space.id, status: 'EXPIRED', recipient: null });
      const { packet } = await x.gql(FINANCE, PACKET, { id: space.id });
      assert.equal(packet.status, 'EXPIRED');
      assert.equal((await refusal(JUSTICE, `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl } }`, { id: space.id })).reason, 'DELIVERY_CLOSED');
    });
  });

  it('refuses at the request a packet larger than the relay takes (LIMIT_EXCEEDED)', async () => {
    const huge = await refusal(FINANCE, `mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id } }`, {
      input: {
        recipients: { agencyCodes: [JUSTICE.agency] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: 2 ** 30,
        sha256: sha256(Buffer.from('x')),
      },
    });
    assert.deepEqual(huge, { status: 200, code: 'LIMIT_EXCEEDED', reason: undefined, data: { requestExchange: null } });
  });

  it('refuses content larger than its space with 413 PAYLOAD_TOO_LARGE (declared or streamed), keeping nothing', async () => {
    const content = Buffer.alloc(1_000, 7);
    const space = await x.requestExchange(FINANCE, [JUSTICE], content);
    assert.equal(space.maxBytes, 1_000);
    // Each on a connection of its own. The relay refuses early and discards the rest of the body (up to 16 MiB), so
    // the gateway, still streaming it, reads the 413 instead of a reset connection.
    for (const size of [1_001, 5_000, 300_000, 3_000_000]) {
      const declared = await putOnce(space.uploadUrl, Buffer.alloc(size, 7));
      assert.ok('status' in declared, `Content-Length ${size}: the connection failed (${JSON.stringify(declared)})`);
      const { code, reason } = declared.body.errors[0].extensions;
      assert.deepEqual([declared.status, code, reason], [413, 'LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE'], `Content-Length ${size}`);
    }
    // Without Content-Length (chunked): refused while streaming.
    const streamed = await putOnce(
      space.uploadUrl,
      (async function* () {
        for (let i = 0; i < 8; i += 1) yield Buffer.alloc(600, 7);
      })(),
    );
    assert.ok('status' in streamed, `chunked: the connection failed (${JSON.stringify(streamed)})`);
    const { code, reason } = streamed.body.errors[0].extensions;
    assert.deepEqual([streamed.status, code, reason], [413, 'LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE']);
    assert.deepEqual(await x.contentKeys(space.id), []);
    // The space still takes the right content.
    assert.equal((await x.upload(space.uploadUrl, content)).status, 201);
  });

  it('rejects malformed edXML with the precise error (422), stores nothing and never tells the recipient', async () => {
    const good = (await edxmlDocument(FINANCE, JUSTICE)).toString();
    const broken = Buffer.from(good.replace('</edXML:Subject>', '</edXML:Subjet>'));
    const brokenLine = good.split('\n').findIndex((l) => l.includes('</edXML:Subject>')) + 1;
    assert.ok(brokenLine > 0, 'the test document has a Subject');
    await following([[PACKET_STATUS, {}, FINANCE]], async ([statuses]) => {
      const space = await x.requestExchange(FINANCE, [JUSTICE], broken, { dataType: 'EDXML_DOCUMENT' });
      const answer = await x.upload(space.uploadUrl, broken);
      assert.equal(answer.status, 422);
      assert.equal(answer.body.status, 'REJECTED');
      assert.equal(answer.body.rejection.code, 'EDXML_NOT_WELL_FORMED');
      assert.equal(answer.body.rejection.line, brokenLine);
      assert.equal(typeof answer.body.rejection.column, 'number');
      assert.deepEqual(await x.contentKeys(space.id), [], 'nothing stored');
      assert.deepEqual(await nextStatus(statuses, 'REJECTED'), { packet: space.id, status: 'REJECTED', recipient: null });

      const { packet } = await x.gql(FINANCE, `query($id: ID!) { packet(id: $id) { status rejection { code line } deliveries { status } } }`, { id: space.id });
      assert.deepEqual([packet.status, packet.rejection], ['REJECTED', { code: 'EDXML_NOT_WELL_FORMED', line: brokenLine }]);
      const { inbox } = await x.gql(JUSTICE, `{ inbox(first: 50) { edges { node { id } } } }`);
      assert.ok(!inbox.edges.some((e: { node: { id: string } }) => e.node.id === space.id), 'never queued for the recipient');
      const claim = await refusal(JUSTICE, `mutation($id: ID!) { claimPacket(id: $id) { downloadUrl } }`, { id: space.id });
      assert.deepEqual([claim.code, claim.reason], ['BAD_USER_INPUT', 'DELIVERY_CLOSED']);
    });
  });
});

describe('a system that exchanges many packets: the batch mutations', () => {
  it('asks for several spaces at once, then the recipient drains its inbox with claimPackets and acknowledgePackets', async () => {
    const REQUEST_MANY = `mutation($inputs: [RequestExchangeInput!]!) { requestExchanges(inputs: $inputs) { id uploadUrl } }`;
    const CLAIM_NEXT = `mutation($first: Int!) { claimPackets(first: $first) { packetId downloadUrl sha256 bytes } }`;
    const ACK_MANY = `mutation($acks: [PacketAcknowledgementInput!]!) { acknowledgePackets(acknowledgements: $acks) { status alreadyAcknowledged packet { id status } } }`;
    await following([[PACKET_AVAILABLE, {}, POLICE]], async ([available]) => {
      const contents = ['Báo cáo số 1', 'Báo cáo số 2 (khẩn)', 'Báo cáo số 3'].map((t) => Buffer.from(t));
      const priorities = ['NORMAL', 'HIGH', 'LOW'];
      const input = (content: Buffer, i: number, recipient = POLICE.agency) => ({
        recipients: { agencyCodes: [recipient] },
        title: `Báo cáo ${i + 1}`,
        priority: priorities[i] ?? 'NORMAL',
        dataType: 'FILE',
        protocol: 'LGSP-FILE/1',
        declaredBytes: content.length,
        sha256: sha256(content),
      });
      const { status, body } = await p.query(
        REQUEST_MANY,
        { inputs: [...contents.map((c, i) => input(c, i)), input(contents[0]!, 3, '999.99.99.H99')] },
        { as: HOSPITAL.client, purpose: null },
      );
      assert.equal(status, 200, 'a partly refused batch is still answered 200, with data');
      const spaces = body.data!.requestExchanges as Array<{ id: string; uploadUrl: string } | null>;
      assert.equal(spaces.length, 4);
      assert.equal(spaces[3], null);
      assert.equal(body.errors?.length, 1);
      assert.deepEqual(body.errors![0]!.path, ['requestExchanges', 3]);
      assert.equal(body.errors![0]!.extensions?.code, 'BAD_USER_INPUT');
      for (const [i, space] of spaces.slice(0, 3).entries()) assert.equal((await x.upload(space!.uploadUrl, contents[i]!)).status, 201);

      const announced = new Set<string>();
      for (let i = 0; i < 3; i += 1) announced.add((await available.event('packetAvailable', `packetAvailable ${i + 1}/3`)).packet.id);
      assert.deepEqual(announced, new Set(spaces.slice(0, 3).map((s) => s!.id)));

      const { claimPackets } = await x.gql(POLICE, CLAIM_NEXT, { first: 10 });
      assert.deepEqual(
        claimPackets.map((c: { packetId: string }) => c.packetId),
        [spaces[1]!.id, spaces[0]!.id, spaces[2]!.id],
        'HIGH first, then NORMAL, then LOW',
      );
      const acks = [];
      for (const claim of claimPackets as Array<{ packetId: string; downloadUrl: string; sha256: string }>) {
        const download = await fetch(claim.downloadUrl);
        assert.equal(download.status, 200);
        const content = Buffer.from(await download.arrayBuffer());
        assert.equal(sha256(content), claim.sha256);
        acks.push({ id: claim.packetId, sha256: sha256(content) });
      }
      assert.deepEqual((await x.gql(POLICE, CLAIM_NEXT, { first: 10 })).claimPackets, [], 'nothing else waits');
      const { acknowledgePackets } = await x.gql(POLICE, ACK_MANY, { acks });
      assert.deepEqual(
        acknowledgePackets.map((a: { status: string; alreadyAcknowledged: boolean; packet: { status: string } }) => [
          a.status,
          a.alreadyAcknowledged,
          a.packet.status,
        ]),
        [
          ['DELIVERED', false, 'DELIVERED'],
          ['DELIVERED', false, 'DELIVERED'],
          ['DELIVERED', false, 'DELIVERED'],
        ],
      );
      for (const a of acks) assert.deepEqual(await x.contentKeys(a.id), [], 'nothing left behind');
    });
  });

  it('sends small packets with their content inline and reads it with the claim: three calls, no PUT or GET', async () => {
    const REQUEST_MANY = `mutation($inputs: [RequestExchangeInput!]!) { requestExchanges(inputs: $inputs) { id packet { status } } }`;
    const CLAIM_NEXT = `mutation($first: Int!) { claimPackets(first: $first) { packetId sha256 content } }`;
    const ACK_MANY = `mutation($acks: [PacketAcknowledgementInput!]!) { acknowledgePackets(acknowledgements: $acks) { status alreadyAcknowledged } }`;
    await following([[PACKET_AVAILABLE, {}, POLICE]], async ([available]) => {
      const contents = ['Tin báo 1', 'Tin báo 2'].map((t) => Buffer.from(t));
      const inputs = [...contents, Buffer.from('hỏng')].map((content, i) => ({
        recipients: { agencyCodes: [POLICE.agency] },
        title: `Tin báo ${i + 1}`,
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'LGSP-FILE/1',
        declaredBytes: content.length,
        sha256: sha256(i === 2 ? Buffer.from('khác') : content),
        content: content.toString('base64'),
      }));
      const { status, body } = await p.query(REQUEST_MANY, { inputs }, { as: HOSPITAL.client, purpose: null });
      assert.equal(status, 200);
      const spaces = body.data!.requestExchanges as Array<{ id: string; packet: { status: string } } | null>;
      assert.deepEqual(
        spaces.map((s) => s?.packet.status ?? null),
        ['QUEUED', 'QUEUED', null],
      );
      assert.deepEqual(body.errors![0]!.path, ['requestExchanges', 2]);
      assert.equal((body.errors![0]!.extensions as Record<string, unknown> | undefined)?.reason, 'DIGEST_MISMATCH');
      const announced = new Set<string>();
      for (let i = 0; i < 2; i += 1) announced.add((await available.event('packetAvailable', `packetAvailable ${i + 1}/2`)).packet.id);
      assert.deepEqual(announced, new Set(spaces.slice(0, 2).map((s) => s!.id)));

      const { claimPackets } = await x.gql(POLICE, CLAIM_NEXT, { first: 10 });
      const received = (claimPackets as Array<{ packetId: string; sha256: string; content: string }>).map((c) => ({
        ...c,
        bytes: Buffer.from(c.content, 'base64'),
      }));
      assert.deepEqual(received.map((r) => r.bytes.toString()).sort(), ['Tin báo 1', 'Tin báo 2']);
      for (const r of received) assert.equal(sha256(r.bytes), r.sha256);
      const { acknowledgePackets } = await x.gql(POLICE, ACK_MANY, { acks: received.map((r) => ({ id: r.packetId, sha256: sha256(r.bytes) })) });
      assert.deepEqual(acknowledgePackets, [
        { status: 'DELIVERED', alreadyAcknowledged: false },
        { status: 'DELIVERED', alreadyAcknowledged: false },
      ]);
      for (const r of received) assert.deepEqual(await x.contentKeys(r.packetId), [], 'nothing left behind');
    });
  });
});

describe('presence of a system that only listens', () => {
  it('is online while it holds packetAvailable through the gateway, under the system id its token carries', async () => {
    // What the relay judges deliveries by, read where it keeps it: no GraphQL call of the listener's own, which
    // would count as activity by itself.
    const presenceKey = `${p.keyPrefix}relay:presence:{${HOSPITAL.agency}}`;
    const redis = await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      await redis.del(presenceKey);
      const sub = await p.subscribe(PACKET_AVAILABLE, {}, { as: HOSPITAL.client });
      try {
        let systems: Record<string, string> = {};
        for (let i = 0; i < 100 && Object.keys(systems).length === 0; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          systems = await redis.hGetAll(presenceKey);
        }
        // The realm's system_id is `<agency code>:<system>`; the relay refused that form until 2026-12-02.
        assert.deepEqual(Object.keys(systems), [`${HOSPITAL.agency}:his-benh-vien`], JSON.stringify(systems));
        assert.ok(Date.now() - Number(Object.values(systems)[0]) < 30_000);
      } finally {
        await sub.close();
      }
    } finally {
      await redis.quit();
    }
  });
});

describe('a dropped subscription resumed with after', () => {
  it('delivers what was missed in order, then live events, without repeating any', async () => {
    const send = (n: number) => x.send(POLICE, [WARD], Buffer.from(`thông báo ${n}`), { title: `Thông báo số ${n}` });
    const first = await p.subscribe(PACKET_AVAILABLE, {}, { as: WARD.client });
    let resumeAfter: string;
    let one: string;
    try {
      one = await send(1);
      const event = await first.event('packetAvailable', 'packet 1');
      assert.deepEqual(event.packet, { id: one, title: 'Thông báo số 1' });
      resumeAfter = event.eventId;
    } finally {
      await first.close();
    }
    const two = await send(2);
    const three = await send(3);

    const resumed = await p.subscribe(PACKET_AVAILABLE, { after: resumeAfter }, { as: WARD.client });
    try {
      const missed = [await resumed.event('packetAvailable', 'packet 2 (replayed)'), await resumed.event('packetAvailable', 'packet 3 (replayed)')];
      const four = await send(4);
      const live = await resumed.event('packetAvailable', 'packet 4 (live)');
      const events = [...missed, live];
      assert.deepEqual(
        events.map((e) => [e.packet.id, e.packet.title, e.source.code]),
        [
          [two, 'Thông báo số 2', POLICE.agency],
          [three, 'Thông báo số 3', POLICE.agency],
          [four, 'Thông báo số 4', POLICE.agency],
        ],
      );
      const ids = events.map((e) => e.eventId as string);
      assert.ok(!ids.includes(resumeAfter), 'the event resumed after is not repeated');
      assert.equal(new Set(ids).size, 3);
    } finally {
      await resumed.close();
    }
  });
});
