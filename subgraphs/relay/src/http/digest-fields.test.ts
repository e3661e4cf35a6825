import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestFieldFor, sha256FromDigestField } from './digest-fields.ts';

describe('RFC 9530 digest fields', () => {
  const hex = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

  it('reads the sha-256 member among others and writes it back', () => {
    assert.equal(sha256FromDigestField(digestFieldFor(hex)), hex);
    assert.equal(sha256FromDigestField(`sha-512=:${Buffer.alloc(64).toString('base64')}:, ${digestFieldFor(hex)}`), hex);
    assert.equal(sha256FromDigestField(`sha-512=:${Buffer.alloc(64).toString('base64')}:`), null);
  });

  it('refuses what is not a digest dictionary', () => {
    assert.throws(() => sha256FromDigestField(hex));
    assert.throws(() => sha256FromDigestField('sha-256=:AAAA:'), /32 bytes/);
  });
});
