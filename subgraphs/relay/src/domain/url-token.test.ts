import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUrlSigner } from './url-token.ts';

describe('capability URL tokens', () => {
  const signer = createUrlSigner('x'.repeat(32));
  const grant = { action: 'upload' as const, packetId: 'p1', expiresAtMs: 10_000 };

  it('verifies its own tokens until they expire', () => {
    const token = signer.sign(grant);
    assert.deepEqual(signer.verify(token, 9_999), grant);
    assert.equal(signer.verify(token, 10_000), null);
  });

  it('refuses altered tokens and tokens of another secret', () => {
    const token = signer.sign(grant);
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...grant, packetId: 'p2' })).toString('base64url');
    assert.equal(signer.verify(`${forged}.${mac}`, 0), null);
    assert.equal(signer.verify(`${payload}.${mac}x`, 0), null);
    assert.equal(signer.verify(`${payload}`, 0), null);
    assert.equal(createUrlSigner('y'.repeat(32)).verify(token, 0), null);
  });

  it('honours, after a rotation, the URLs the previous secret signed until they expire, and signs new ones with the current', () => {
    const before = signer.sign(grant);
    const rotated = createUrlSigner('z'.repeat(32), 'x'.repeat(32));
    assert.deepEqual(rotated.verify(before, 9_999), grant);
    assert.equal(rotated.verify(before, 10_000), null, 'expired is expired, whichever secret signed it');
    const after = rotated.sign(grant);
    assert.notEqual(after, before);
    assert.equal(signer.verify(after, 0), null, 'new URLs use the new secret');
    assert.equal(createUrlSigner('z'.repeat(32)).verify(before, 0), null, 'without RELAY_URL_SECRET_PREVIOUS the old URLs die');
  });
});
