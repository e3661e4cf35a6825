/**
 * A 200 MB packet streams through the relay with bounded memory: the upload is hashed, encrypted and stored in
 * RELAY_CHUNK_BYTES chunks as it arrives, the download decrypted chunk by chunk. The check is the process's RSS
 * growth (loose bound: the relay, the client and the test share this process) and the number of stored chunks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { A, ACK, AGENCY_B, B, CLAIM, httpRequest, REQUEST_EXCHANGE, startHarness, type Harness } from './testing.ts';
import { relayKeys } from './store/keys.ts';

const SIZE = 200 * 1024 * 1024;
const PIECE = 64 * 1024;

/** Deterministic, incompressible-looking content generated on the fly (never held whole). */
async function* generated(): AsyncGenerator<Buffer> {
  const block = createHash('sha512');
  let seed = block.update('lgsp').digest();
  for (let sent = 0; sent < SIZE; sent += PIECE) {
    const piece = Buffer.alloc(PIECE);
    for (let o = 0; o < PIECE; o += 64) {
      seed = createHash('sha512').update(seed).digest();
      seed.copy(piece, o);
    }
    yield piece;
  }
}

describe('relay: a 200 MB packet with bounded memory', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('uploads and downloads 200 MB while RSS grows by far less than the packet', async (t) => {
    const hash = createHash('sha256');
    for await (const piece of generated()) hash.update(piece);
    const digest = hash.digest('hex');

    const space = await h.gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: '200 MB',
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'p',
        declaredBytes: SIZE,
        sha256: digest,
      },
    });
    assert.equal(space.errors, undefined, JSON.stringify(space.errors));
    const { id, uploadUrl } = space.data!.requestExchange;

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      const upload = await httpRequest(uploadUrl, { method: 'PUT', headers: { 'content-length': String(SIZE) }, body: generated() });
      assert.equal(upload.status, 201, upload.body.toString());
      const packet = await h.gql(A, `query($id: ID!) { packet(id: $id) { status } }`, { id });
      assert.equal(packet.data!.packet.status, 'QUEUED');
      // Stored as 800 encrypted chunks of 256 KiB (+ the meta field), not one value.
      const [contentKey] = await h.contentKeys(id);
      assert.equal(await h.redis.hLen(contentKey!), SIZE / (256 * 1024) + 1);
      assert.equal(contentKey!.startsWith(`${h.keyPrefix}relay:content:{${id}}:`), true);
      assert.ok(relayKeys(h.keyPrefix).contentPattern(id));

      const claim = await h.gql(B, CLAIM, { id });
      const received = createHash('sha256');
      let bytes = 0;
      await new Promise<void>((resolve, reject) => {
        get(claim.data!.claimPacket.downloadUrl, (res) => {
          assert.equal(res.statusCode, 200);
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            received.update(chunk);
          });
          res.on('end', () => resolve());
          res.on('error', reject);
        }).on('error', reject);
      });
      assert.equal(bytes, SIZE);
      assert.equal(received.digest('hex'), digest);
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - baseline) / (1024 * 1024);
    t.diagnostic(`RSS growth while streaming 200 MB up and down: ${growthMb.toFixed(1)} MB`);
    assert.ok(growthMb < 64, `RSS grew by ${growthMb.toFixed(1)} MB while streaming 200 MB`);

    const ack = await h.gql(B, ACK, { id, sha256: digest });
    assert.equal(ack.data!.acknowledgePacket.status, 'DELIVERED');
    assert.deepEqual(await h.contentKeys(id), []);
  });
});
