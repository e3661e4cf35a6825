import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHmacKeyring } from './hmac-keyring.ts';

test('an HMAC keyring signs with the current secret and verifies the current and the previous one', () => {
  const [old, current] = ['o'.repeat(32), 'c'.repeat(32)];
  const before = createHmacKeyring(old).sign('data');
  const rotated = createHmacKeyring(current, old);
  assert.equal(before.length, 32);
  assert.ok(rotated.verify('data', before), 'a signature of the previous secret');
  assert.ok(rotated.verify('data', rotated.sign('data')));
  assert.ok(!createHmacKeyring(old).verify('data', rotated.sign('data')), 'new signatures use the current secret');
  assert.ok(!rotated.verify('other', before), 'another message');
  assert.ok(!createHmacKeyring(current).verify('data', before), 'no previous secret, no old signatures');
  assert.ok(!createHmacKeyring(undefined).verify('data', createHmacKeyring(undefined).sign('data')), 'unset: a random key per keyring');
  const short = createHmacKeyring(current, undefined, 16);
  assert.equal(short.sign('data').length, 16);
  assert.ok(short.verify('data', short.sign('data')));
  assert.ok(!short.verify('data', rotated.sign('data')), 'a signature of another length');
});
