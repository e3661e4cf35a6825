/**
 * The exchange's plain-HTTP edges on a real relay (real Redis): what answers a path or a method it does not serve,
 * how the `token` query parameter is read, and that the routes still match as Express matched them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  A,
  AGENCY_B,
  B,
  CLAIM,
  httpRequest,
  PACKET,
  REQUEST_EXCHANGE,
  reprDigest,
  sendPacket,
  sha256,
  sleep,
  startHarness,
  type Harness,
  type HttpAnswer,
} from '../testing.ts';

const SOME_ID = '3f1e0c2a-1111-4222-8333-444455556666';

function jsonOf(answer: HttpAnswer): { errors?: Array<{ message: string; extensions: Record<string, unknown> }> } & Record<string, unknown> {
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(answer.headers['content-length'], String(answer.body.length));
  return JSON.parse(answer.body.toString('utf8'));
}

describe('exchange content routes: edges', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  async function space(content: Buffer): Promise<{ id: string; uploadUrl: string }> {
    const answer = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        title: 'edges',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'test',
        declaredBytes: content.length,
        sha256: sha256(content),
        recipients: { agencyCodes: [AGENCY_B] },
      },
    });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!.requestExchange;
  }

  it('answers a JSON 404 NOT_FOUND for any other path under /exchange, a non-UUID id included', async () => {
    for (const [method, path] of [
      ['GET', '/exchange'],
      ['GET', '/exchange/'],
      ['GET', '/exchange/nope?token=x'],
      ['PUT', `/exchange/packets/${SOME_ID}/upload`],
      ['PUT', '/exchange/spaces/not-a-uuid/content?token=x'],
      ['GET', `/exchange/packets/${SOME_ID}x/content?token=x`],
      ['GET', `/EXCHANGE/packets/${SOME_ID}/content/more`],
    ] as const) {
      const answer = await httpRequest(`${h.relay.origin}${path}`, {
        method,
        ...(method === 'PUT' ? { headers: { 'content-length': '5' }, body: Buffer.from('hello') } : {}),
      });
      assert.equal(answer.status, 404, `${method} ${path}`);
      const body = jsonOf(answer);
      assert.equal(body.errors![0]!.extensions.code, 'NOT_FOUND');
      assert.match(body.errors![0]!.message, /PUT \/exchange\/spaces\/\{id\}\/content/);
    }
  });

  it('leaves paths outside /exchange to Express', async () => {
    const health = await httpRequest(`${h.relay.origin}/health/live`, { method: 'GET' });
    assert.equal(health.status, 200);
    const lookalike = await httpRequest(`${h.relay.origin}/exchanges/x`, { method: 'GET' });
    assert.equal(lookalike.status, 404);
    assert.match(String(lookalike.headers['content-type']), /^text\/html/); // Express's own 404
  });

  it('answers 405 with Allow for another method on the two paths, and 204 with Allow for OPTIONS', async () => {
    const post = await httpRequest(`${h.relay.origin}/exchange/spaces/${SOME_ID}/content?token=x`, {
      method: 'POST',
      headers: { 'content-length': '2' },
      body: Buffer.from('{}'),
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'PUT');
    assert.equal(jsonOf(post).errors![0]!.extensions.code, 'BAD_USER_INPUT');
    const del = await httpRequest(`${h.relay.origin}/exchange/packets/${SOME_ID}/content?token=x`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET');
    assert.match(jsonOf(del).errors![0]!.message, /DELETE is not allowed .*: use GET/);
    const options = await httpRequest(`${h.relay.origin}/exchange/spaces/${SOME_ID}/content`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.allow, 'PUT');
  });

  it('refuses HEAD on a download without completing the delivery (Express ran the whole download for it)', async () => {
    const content = Buffer.from('head must not count as a download');
    const { id } = await sendPacket(h, A, content, { recipients: { agencyCodes: [AGENCY_B] }, policy: { acknowledgementRequired: false } });
    const claimed = await h.gql(B, CLAIM, { id });
    const url = claimed.data!.claimPacket.downloadUrl as string;
    const head = await httpRequest(url, { method: 'HEAD' });
    assert.equal(head.status, 405);
    assert.equal(head.headers.allow, 'GET');
    await sleep(200); // the old handler completed the delivery right after its (empty) body
    const packet = (await h.gql(A, PACKET, { id })).data!.packet;
    assert.deepEqual(
      packet.deliveries.map((d: { status: string }) => d.status),
      ['CLAIMED'],
    );
    const download = await httpRequest(url, { method: 'GET' });
    assert.equal(download.status, 200);
    assert.ok(download.body.equals(content));
  });

  it('reads a percent-encoded token, on a path in any case and with a trailing slash, and answers 201 as Express did', async () => {
    const content = Buffer.from('percent-encoded token');
    const { id, uploadUrl } = await space(content);
    const token = new URL(uploadUrl).searchParams.get('token')!;
    const encoded = [...token].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const upload = await httpRequest(`${h.relay.origin}/Exchange/Spaces/${id}/content/?x=1&token=${encoded}`, {
      method: 'PUT',
      headers: { 'content-length': String(content.length), 'repr-digest': reprDigest(content) },
      body: content,
    });
    assert.equal(upload.status, 201, upload.body.toString());
    assert.deepEqual(jsonOf(upload), { packetId: id, status: 'QUEUED', rejection: null });
  });

  it('treats a missing or repeated token as no token (401 TOKEN_INVALID)', async () => {
    const content = Buffer.from('repeated token');
    const { id, uploadUrl } = await space(content);
    const token = new URL(uploadUrl).searchParams.get('token')!;
    for (const query of [`?token=${token}&token=${token}`, '', '?tokens=1']) {
      const answer = await httpRequest(`${h.relay.origin}/exchange/spaces/${id}/content${query}`, {
        method: 'PUT',
        headers: { 'content-length': String(content.length) },
        body: content,
      });
      assert.equal(answer.status, 401, query);
      assert.deepEqual(jsonOf(answer).errors![0]!.extensions, { code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
    }
  });
});
