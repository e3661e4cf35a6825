import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimedEnvironment, createUrlSigner, grantEnvironment } from './url-token.ts';

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

  it('names the namespace of a test packet in the token, and reads it back without the secret only to route it', () => {
    const test = signer.sign({ ...grant, environment: 'test' });
    const production = signer.sign(grant);
    assert.equal(claimedEnvironment(test), 'test');
    assert.equal(claimedEnvironment(production), 'production');
    assert.equal(grantEnvironment(signer.verify(test, 0)!), 'test');
    assert.equal(grantEnvironment(signer.verify(production, 0)!), 'production');
    for (const junk of ['', '.', 'x', '%%%.y', `${Buffer.from('[1]').toString('base64url')}.x`]) assert.equal(claimedEnvironment(junk), 'production');
    // A claim edited into a production token is routed to the test namespace, whose relay refuses the broken signature.
    const [, mac] = production.split('.');
    const edited = `${Buffer.from(JSON.stringify({ ...grant, environment: 'test' })).toString('base64url')}.${mac}`;
    assert.equal(claimedEnvironment(edited), 'test');
    assert.equal(signer.verify(edited, 0), null);
  });
});
