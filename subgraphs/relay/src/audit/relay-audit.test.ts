/**
 * Issue 17: every step of the exchange is an audit record (`kind: 'relay'`), in order, with the acting agency, the
 * counterpart, the data type, the packet id, bytes and outcome — through real HTTP and real Redis, in both namespaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '@lgsp/audit';
import type { Principal } from '@lgsp/kit';
import {
  A,
  ACK,
  AGENCY_A,
  AGENCY_B,
  AGENCY_D,
  B,
  CLAIM,
  httpRequest,
  REQUEST_EXCHANGE,
  sendPacket,
  sha256,
  sleep,
  startHarness,
  type Harness,
} from '../testing.ts';

async function recordsOf(h: Harness, packetId: string): Promise<AuditRecord[]> {
  await h.relay.audit.writer.flush();
  const log = h.relay.audit.log;
  assert.ok(log !== null, 'the relay owns its audit log');
  return (await log.range(1, 10_000)).filter((r) => r.entityId === packetId);
}

const inTest = (p: Principal): Principal => ({ ...p, environment: 'test' });

describe('relay: audit records of the exchange', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ RELAY_ACK_TIMEOUT_MS: '200' });
  });
  after(async () => {
    await h.close();
  });

  it('records the 7 steps in order, each with who acted, the counterpart, the data type and bytes', async () => {
    const content = Buffer.from('Nội dung gói tin\n'.repeat(100));
    const { id, upload } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] } });
    assert.equal(upload.status, 201, upload.body.toString());
    const claim = await h.gql(B, CLAIM, { id });
    assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
    assert.equal((await httpRequest(claim.data!.claimPacket.downloadUrl, { method: 'GET' })).status, 200);
    const ack = await h.gql(B, ACK, { id, sha256: sha256(content) });
    assert.equal(ack.errors, undefined, JSON.stringify(ack.errors));

    const records = await recordsOf(h, id);
    assert.deepEqual(
      records.map((r) => [r.action, r.agency, r.counterpartAgency, r.outcome]),
      [
        ['REQUESTED', AGENCY_A, AGENCY_B, 'success'],
        ['UPLOADED', AGENCY_A, AGENCY_B, 'success'],
        ['VALIDATED', AGENCY_A, AGENCY_B, 'success'],
        ['QUEUED', AGENCY_A, AGENCY_B, 'success'],
        ['NOTIFIED', AGENCY_A, AGENCY_B, 'success'],
        ['CLAIMED', AGENCY_B, AGENCY_A, 'success'],
        ['DELIVERED', AGENCY_B, AGENCY_A, 'success'],
      ],
    );
    for (const r of records) {
      assert.equal(r.kind, 'relay');
      assert.equal(r.source, 'relay');
      assert.equal(r.environment, 'production');
      assert.equal(r.service, 'FILE');
      assert.equal(r.details.bytes, content.length);
      assert.deepEqual(r.subjects, []);
    }
    const [requested, uploaded, , , , claimed, delivered] = records;
    assert.equal(requested!.system, A.kind === 'system' ? A.systemId : null);
    assert.equal(uploaded!.bytesIn, content.length);
    assert.equal(claimed!.system, B.kind === 'system' ? B.systemId : null);
    assert.equal(delivered!.bytesOut, content.length);
    assert.deepEqual([delivered!.details.recipient, delivered!.details.sourceAgency], [AGENCY_B, AGENCY_A]);
    // Chained in the order they happened.
    for (let i = 1; i < records.length; i += 1) assert.ok(records[i]!.seq > records[i - 1]!.seq && records[i]!.at >= records[i - 1]!.at);
  });

  it('records a rejection with its code, and a packet to several recipients with them all', async () => {
    const bad = Buffer.from('{ not json');
    const { id, upload } = await sendPacket(h, A, bad, { recipients: { agencyCodes: [AGENCY_B, AGENCY_D] }, dataType: 'JSON' });
    assert.equal(upload.status, 422, upload.body.toString());
    const records = await recordsOf(h, id);
    assert.deepEqual(
      records.map((r) => [r.action, r.agency, r.counterpartAgency, r.outcome, r.errorCodes]),
      [
        ['REQUESTED', AGENCY_A, null, 'success', []],
        ['UPLOADED', AGENCY_A, null, 'success', []],
        ['REJECTED', AGENCY_A, null, 'rejected', ['JSON_INVALID']],
      ],
    );
    assert.equal(records[0]!.details.recipients, `${AGENCY_B},${AGENCY_D}`);
    assert.equal(records[2]!.service, 'JSON');
  });

  it('records an expired space and an undeliverable delivery as failures of the source', async () => {
    const content = Buffer.from('never uploaded');
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: 't',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: content.length,
        sha256: sha256(content),
        policy: { deadline: new Date(Date.now() + 800).toISOString() },
      },
    });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const expiredId = answer.data!.requestExchange.id as string;
    const { id: offlineId } = await sendPacket(h, A, Buffer.from('to an offline agency'), {
      recipients: { agencyCodes: [AGENCY_D] },
      policy: { maxOfflineSeconds: 1 },
    });
    await sleep(1_100);
    await h.relay.sweep();

    const expired = await recordsOf(h, expiredId);
    assert.deepEqual(
      expired.map((r) => [r.action, r.agency, r.counterpartAgency, r.outcome, r.errorCodes]),
      [
        ['REQUESTED', AGENCY_A, AGENCY_B, 'success', []],
        ['EXPIRED', AGENCY_A, AGENCY_B, 'error', ['EXPIRED']],
      ],
    );
    const offline = await recordsOf(h, offlineId);
    assert.deepEqual(
      offline.map((r) => [r.action, r.agency, r.counterpartAgency, r.outcome]),
      [
        ['REQUESTED', AGENCY_A, AGENCY_D, 'success'],
        ['UPLOADED', AGENCY_A, AGENCY_D, 'success'],
        ['VALIDATED', AGENCY_A, AGENCY_D, 'success'],
        ['QUEUED', AGENCY_A, AGENCY_D, 'success'],
        ['NOTIFIED', AGENCY_A, AGENCY_D, 'success'],
        ['UNDELIVERABLE', AGENCY_A, AGENCY_D, 'error'],
      ],
    );
    assert.match(String(offline.at(-1)!.details.detail), /offline longer than 1 s/);
  });

  it("marks the test namespace's records as the test environment", async () => {
    const content = Buffer.from('a test packet');
    const { id, upload } = await sendPacket(h, inTest(A), content, { recipients: { agencyCodes: [AGENCY_B] } });
    assert.equal(upload.status, 201, upload.body.toString());
    const records = await recordsOf(h, id);
    assert.deepEqual(
      records.map((r) => [r.action, r.environment]),
      [
        ['REQUESTED', 'test'],
        ['UPLOADED', 'test'],
        ['VALIDATED', 'test'],
        ['QUEUED', 'test'],
        ['NOTIFIED', 'test'],
      ],
    );
  });

  it('writes every queued record before a clean shutdown returns', async () => {
    const { id } = await sendPacket(h, A, Buffer.from('last one'), { recipients: { agencyCodes: [AGENCY_B] } });
    await h.restart(); // closes this relay (a clean shutdown), then starts another on the same Redis keys
    assert.equal((await h.relay.audit.log!.range(1, 10_000)).filter((r) => r.entityId === id).length, 5);
  });
});
