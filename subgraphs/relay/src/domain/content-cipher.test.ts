import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryContentStore } from '../store/memory-content-store.ts';
import { EncryptedContentWriter, freshRandom, loadMasterKey, MasterKeyUnavailableError, openDecryptedContent, readDecryptedContent } from './content-cipher.ts';

const later = Date.now() + 60_000;

async function readAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of source) parts.push(p);
  return Buffer.concat(parts);
}

async function written(content: Buffer, pieces: number[], chunkBytes = 16) {
  const store = createMemoryContentStore();
  const master = loadMasterKey('a'.repeat(64));
  const writer = new EncryptedContentWriter(store, master, 'p1', 'a1', chunkBytes, later);
  let offset = 0;
  for (const size of pieces) {
    await writer.write(content.subarray(offset, offset + size));
    offset += size;
  }
  await writer.write(content.subarray(offset));
  const meta = await writer.finish();
  return { store, master, meta };
}

describe('content encryption at rest', () => {
  it('round-trips content of any size in any pieces, in chunks of the configured size', async () => {
    for (const size of [0, 1, 15, 16, 17, 32, 100]) {
      const content = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
      const { store, master, meta } = await written(content, [3, 20, 1]);
      assert.equal(meta.bytes, size);
      assert.equal(meta.chunkCount, Math.max(1, Math.ceil(size / 16)));
      assert.deepEqual(await readAll(readDecryptedContent(store, master, 'p1', 'a1')), content);
    }
  });

  it('stores no plaintext and wraps the data key under the master key', async () => {
    const content = Buffer.from('bí mật nhà nước — confidential');
    const { store, meta } = await written(content, [], 1024);
    const chunk = await store.getChunk('p1', 'a1', 0);
    assert.ok(!chunk!.includes(Buffer.from('confidential')));
    assert.notEqual(meta.wrappedKey.length, 0);
    await assert.rejects(readAll(readDecryptedContent(store, loadMasterKey('b'.repeat(64)), 'p1', 'a1')), /master key/);
  });

  it('detects altered, reordered, cut-short content', async () => {
    const content = Buffer.alloc(48, 1);
    const altered = await written(content, []);
    const c0 = (await altered.store.getChunk('p1', 'a1', 0))!;
    c0[c0.length - 1] = c0[c0.length - 1]! ^ 1;
    await altered.store.putChunk('p1', 'a1', 0, c0, later);
    await assert.rejects(readAll(readDecryptedContent(altered.store, altered.master, 'p1', 'a1')));

    const swapped = await written(content, []);
    const [x, y] = [await swapped.store.getChunk('p1', 'a1', 0), await swapped.store.getChunk('p1', 'a1', 1)];
    await swapped.store.putChunk('p1', 'a1', 0, y!, later);
    await swapped.store.putChunk('p1', 'a1', 1, x!, later);
    await assert.rejects(readAll(readDecryptedContent(swapped.store, swapped.master, 'p1', 'a1')));

    const cut = await written(content, []);
    await cut.store.putMeta('p1', 'a1', { ...cut.meta, chunkCount: 2 });
    await assert.rejects(readAll(readDecryptedContent(cut.store, cut.master, 'p1', 'a1')));
  });

  it('reads content sealed under a previous master key after a rotation, and seals new content under the current one', async () => {
    const content = Buffer.from('gửi trước khi đổi khóa — sent before the rotation');
    const { store, master: old } = await written(content, [], 16);
    const rotated = loadMasterKey('c'.repeat(64), `${'d'.repeat(64)}, ${'a'.repeat(64)}`);
    assert.deepEqual([...rotated.previous.keys()].sort(), [loadMasterKey('d'.repeat(64)).id, old.id].sort());
    assert.deepEqual(await readAll(readDecryptedContent(store, rotated, 'p1', 'a1')), content);

    const writer = new EncryptedContentWriter(store, rotated, 'p2', 'a1', 16, later);
    await writer.write(content);
    assert.equal((await writer.finish()).masterKeyId, rotated.id, 'new content names the current key');
    await assert.rejects(readAll(readDecryptedContent(store, old, 'p2', 'a1')), MasterKeyUnavailableError, 'the old key alone cannot read it');
  });

  it('refuses, before any byte, content whose master key is not configured, and keeps it', async () => {
    const content = Buffer.from('stored under a key that was dropped');
    const { store, master: old } = await written(content, [], 16);
    const forgot = loadMasterKey('c'.repeat(64));
    await assert.rejects(openDecryptedContent(store, forgot, 'p1', 'a1'), (error: unknown) => {
      assert.ok(error instanceof MasterKeyUnavailableError);
      assert.equal(error.masterKeyId, old.id);
      assert.match(error.message, /RELAY_MASTER_KEY_PREVIOUS/);
      assert.doesNotMatch(error.message, /a{64}/, 'the key itself is never in a message');
      return true;
    });
    const listed = loadMasterKey('c'.repeat(64), 'a'.repeat(64));
    assert.deepEqual(await readAll(await openDecryptedContent(store, listed, 'p1', 'a1')), content, 'listing the key again reads it');
  });

  it('does not list the current key among the previous ones, and names RELAY_MASTER_KEY_PREVIOUS for a bad one', () => {
    assert.equal(loadMasterKey('c'.repeat(64), 'c'.repeat(64)).previous.size, 0);
    assert.throws(() => loadMasterKey('c'.repeat(64), 'abcd'), /RELAY_MASTER_KEY_PREVIOUS/);
  });

  it('reads RELAY_MASTER_KEY as hex or base64 and refuses other lengths', () => {
    assert.equal(loadMasterKey('ab'.repeat(32)).key.length, 32);
    assert.equal(loadMasterKey(Buffer.alloc(32, 9).toString('base64')).development, false);
    assert.throws(() => loadMasterKey('abcd'), /RELAY_MASTER_KEY/);
    assert.equal(loadMasterKey(undefined).development, true);
  });

  it('draws keys and IVs that never repeat, across refills of its random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i += 1) {
      const piece = freshRandom(i % 2 === 0 ? 32 : 12);
      assert.equal(piece.length, i % 2 === 0 ? 32 : 12);
      assert.ok(
        piece.some((b) => b !== 0),
        'not a wiped piece of the pool',
      );
      seen.add(piece.toString('hex'));
    }
    assert.equal(seen.size, 1_000);
    const before = freshRandom(32);
    const copy = Buffer.from(before);
    freshRandom(32);
    assert.deepEqual(before, copy, 'a piece handed out is its own copy: later draws do not touch it');
    assert.equal(freshRandom(10_000).length, 10_000);
  });
});
