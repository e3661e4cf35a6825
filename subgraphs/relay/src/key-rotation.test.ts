/**
 * Rotating the relay's secrets on a running platform (real Redis, real HTTP): content stored under the old master
 * key and URLs signed with the old URL secret keep working while the old values are listed as `…_PREVIOUS`; a
 * rotation that drops the old master key too early costs a clear, retryable error and loses nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { A, ACK, AGENCY_B, B, CLAIM, exchangeInput, httpRequest, PACKET, REQUEST_EXCHANGE, sha256, startHarness, type Harness } from './testing.ts';

const CLAIM_INLINE = `mutation($id: ID!) { claimPacket(id: $id) { packetId content } }`;
const CLAIM_NEXT = `mutation { claimPackets(first: 5) { packetId } }`;
const key = () => randomBytes(32).toString('hex');
const secret = () => `url-secret-${randomBytes(16).toString('hex')}`;

describe('relay: rotating RELAY_MASTER_KEY and RELAY_URL_SECRET', () => {
  const oldKey = key();
  const newKey = key();
  const oldSecret = secret();
  const newSecret = secret();
  let h: Harness;
  /** A URL the relay handed out before a restart, pointed at the port of the relay now running. */
  const here = (url: string) => url.replace(/:\d+\//, `:${h.relay.port}/`);

  before(async () => {
    h = await startHarness({ RELAY_MASTER_KEY: oldKey, RELAY_URL_SECRET: oldSecret });
  });
  after(async () => {
    await h.close();
  });

  it('keeps content and URLs of before the rotation usable while the old values are listed as previous', async () => {
    const stored = Buffer.from('uploaded before the rotation — tải lên trước khi đổi khóa');
    const pending = Buffer.from('space requested before the rotation, uploaded after');
    const first = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(stored, { title: 'before' }) });
    const second = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(pending, { title: 'across' }) });
    const third = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(pending, { title: 'never uploaded while the old secret counted' }) });
    const storedId = first.data!.requestExchange.id as string;
    const upload = await httpRequest(first.data!.requestExchange.uploadUrl, { method: 'PUT', body: stored });
    assert.equal(upload.status, 201, upload.body.toString());

    await h.restart({ RELAY_MASTER_KEY: newKey, RELAY_MASTER_KEY_PREVIOUS: oldKey, RELAY_URL_SECRET: newSecret, RELAY_URL_SECRET_PREVIOUS: oldSecret });
    assert.ok(
      h.logs.every((line) => !JSON.stringify(line).includes(oldKey) && !JSON.stringify(line).includes(oldSecret)),
      'no key or secret is logged',
    );

    // An upload URL signed with the old secret, content sealed under the new key.
    const across = await httpRequest(here(second.data!.requestExchange.uploadUrl), { method: 'PUT', body: pending });
    assert.equal(across.status, 201, across.body.toString());
    // Content sealed under the old key, a download URL signed with the new secret.
    for (const [id, content] of [
      [storedId, stored],
      [second.data!.requestExchange.id as string, pending],
    ] as const) {
      const claim = await h.gql(B, CLAIM, { id });
      assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
      const download = await httpRequest(claim.data!.claimPacket.downloadUrl, { method: 'GET' });
      assert.equal(download.status, 200, download.body.toString());
      assert.ok(download.body.equals(content));
      assert.equal((await h.gql(B, ACK, { id, sha256: sha256(content) })).data!.acknowledgePacket.status, 'DELIVERED');
      assert.deepEqual(await h.contentKeys(id), []);
    }

    // Once the previous secret is dropped, the URLs it signed die; those of the current one still work.
    const late = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(stored, { title: 'signed with the new secret' }) });
    await h.restart({ RELAY_URL_SECRET_PREVIOUS: undefined });
    const dead = await httpRequest(here(third.data!.requestExchange.uploadUrl), { method: 'PUT', body: pending });
    assert.equal(dead.status, 401, dead.body.toString());
    assert.equal(JSON.parse(dead.body.toString()).errors[0].extensions.reason, 'TOKEN_INVALID');
    const fresh = await httpRequest(here(late.data!.requestExchange.uploadUrl), { method: 'PUT', body: stored });
    assert.equal(fresh.status, 201, fresh.body.toString());
  });

  it('refuses content under a master key that was dropped — a download with 503 before any byte, a claim before it counts — keeps it, and delivers it once the key is listed again', async () => {
    const content = Buffer.from('stored under the key about to be forgotten');
    const upload = async (title: string) => {
      const space = await h.gql(A, REQUEST_EXCHANGE, { input: exchangeInput(content, { recipients: { agencyCodes: [AGENCY_B] }, title }) });
      assert.equal((await httpRequest(here(space.data!.requestExchange.uploadUrl), { method: 'PUT', body: content })).status, 201);
      return space.data!.requestExchange.id as string;
    };
    const id = await upload('claimed before the mistake');
    const waiting = await upload('still waiting at the mistake');
    const claim = await h.gql(B, CLAIM, { id });
    assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));

    // The content above is under newKey; the operator rotates again and forgets to list it.
    await h.restart({ RELAY_MASTER_KEY: key(), RELAY_MASTER_KEY_PREVIOUS: undefined });
    const refused = await httpRequest(here(claim.data!.claimPacket.downloadUrl), { method: 'GET' });
    assert.equal(refused.status, 503, refused.body.toString());
    const error = JSON.parse(refused.body.toString()).errors[0];
    assert.equal(error.extensions.code, 'INTERNAL_SERVER_ERROR');
    assert.equal(error.extensions.reason, 'CONTENT_KEY_UNAVAILABLE');
    assert.ok((await h.contentKeys(id)).length > 0, 'the content is kept');
    const alert = h.logs.find((line) => line.msg?.toString().startsWith('content key unavailable'));
    assert.ok(alert !== undefined && typeof alert.masterKeyId === 'string', 'the operator is told which key, by its id');
    assert.ok(!JSON.stringify(h.logs).includes(newKey), 'never the key itself');
    const metrics = await (await fetch(`${h.relay.origin}/metrics`)).text();
    assert.match(metrics, /^lgsp_relay_content_key_unavailable_total\{service="relay"\} 1$/m, 'and alerted by a metric');

    // A claim, by id (content inline or not) or from the ready list, is refused without counting as an attempt.
    for (const answer of [await h.gql(B, CLAIM_INLINE, { id: waiting }), await h.gql(B, CLAIM, { id: waiting }), await h.gql(B, CLAIM_NEXT)]) {
      assert.equal(answer.errors?.[0]?.extensions?.reason, 'CONTENT_KEY_UNAVAILABLE', JSON.stringify(answer));
    }
    const untouched = (await h.gql(A, PACKET, { id: waiting })).data!.packet.deliveries[0];
    assert.deepEqual([untouched.status, untouched.attempts], ['NOTIFIED', 0]);

    await h.restart({ RELAY_MASTER_KEY_PREVIOUS: newKey });
    const again = await httpRequest(here(claim.data!.claimPacket.downloadUrl), { method: 'GET' });
    assert.equal(again.status, 200, again.body.toString());
    assert.ok(again.body.equals(content));
    assert.equal((await h.gql(B, ACK, { id, sha256: sha256(content) })).data!.acknowledgePacket.status, 'DELIVERED');
    assert.deepEqual(await h.contentKeys(id), []);
    const next = await h.gql(B, `mutation { claimPackets(first: 5) { packetId content } }`);
    assert.equal(next.errors, undefined, JSON.stringify(next.errors));
    const taken = (next.data!.claimPackets as Array<{ packetId: string; content: string }>).find((c) => c.packetId === waiting);
    assert.ok(taken !== undefined, 'the refused packet waited in the ready list');
    assert.ok(Buffer.from(taken.content, 'base64').equals(content));
  });

  it('refuses at start a previous value without a current one, or equal to it, naming the variable', async () => {
    const { loadRelayConfig } = await import('./config.ts');
    assert.throws(() => loadRelayConfig({ RELAY_MASTER_KEY_PREVIOUS: oldKey }), /RELAY_MASTER_KEY_PREVIOUS.*needs RELAY_MASTER_KEY/s);
    assert.throws(
      () => loadRelayConfig({ RELAY_MASTER_KEY: oldKey, RELAY_MASTER_KEY_PREVIOUS: `${newKey},${oldKey}` }),
      /RELAY_MASTER_KEY_PREVIOUS.*lists RELAY_MASTER_KEY itself/s,
    );
    assert.throws(() => loadRelayConfig({ RELAY_MASTER_KEY: oldKey, RELAY_MASTER_KEY_PREVIOUS: `${newKey},abcd` }), /RELAY_MASTER_KEY_PREVIOUS.*32-byte keys/s);
    assert.throws(() => loadRelayConfig({ RELAY_URL_SECRET_PREVIOUS: oldSecret }), /RELAY_URL_SECRET_PREVIOUS.*needs RELAY_URL_SECRET/s);
    assert.throws(
      () => loadRelayConfig({ RELAY_URL_SECRET: oldSecret, RELAY_URL_SECRET_PREVIOUS: oldSecret }),
      /RELAY_URL_SECRET_PREVIOUS.*equals RELAY_URL_SECRET/s,
    );
  });
});
