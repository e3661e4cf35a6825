import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BASE_DOCUMENT } from './inline.table.ts';
import { parseEdxmlStream } from './parse.ts';

describe('edXML: large packets stream with bounded memory', () => {
  it('a 24 MiB attachment is decoded, counted and hashed while only 64 KiB of text may be retained', async () => {
    const [head, tail] = BASE_DOCUMENT.split('SGVsbG8=') as [string, string];
    const block = Buffer.alloc(48 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
    const blocks = 512; // 24 MiB decoded, 32 MiB of base64
    const expected = createHash('sha256');
    for (let i = 0; i < blocks; i++) expected.update(block);
    const encodedBlock = block.toString('base64'); // 48 KiB is a multiple of 3: no padding between blocks
    async function* source(): AsyncGenerator<string> {
      yield head;
      // Wrapped at 76 characters with CRLF, as MIME encoders do.
      for (let i = 0; i < blocks; i++) yield encodedBlock.replace(/(.{76})/g, '$1\r\n') + '\r\n';
      yield tail;
    }
    const packet = await parseEdxmlStream(source(), { limits: { maxRetainedChars: 64 * 1024, maxBytes: 64 * 1024 * 1024 } });
    assert.ok(packet.kind === 'document');
    assert.deepEqual(packet.warnings, []);
    assert.equal(packet.attachments[0]?.decodedSize, block.length * blocks);
    assert.equal(packet.attachments[0]?.sha256, expected.digest('hex'));
  });
});
