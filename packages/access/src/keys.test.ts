/**
 * The Redis key names are part of every deployment's data: the grant keys are pinned to the names the gateway used
 * before this package existed, so a deployment keeps its grants across the move.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeLogKey, grantKeys, revocationKeys } from './keys.ts';

test('key names, pinned (a change here orphans the data of every deployment)', () => {
  assert.deepEqual(grantKeys('lgsp:'), { items: 'lgsp:grants:{grants}:items', version: 'lgsp:grants:{grants}:version', channel: 'lgsp:grants:changed' });
  assert.deepEqual(revocationKeys('lgsp:'), {
    items: 'lgsp:revocations:{revocations}:items',
    version: 'lgsp:revocations:{revocations}:version',
    channel: 'lgsp:revocations:changed',
  });
  assert.equal(changeLogKey('lgsp:'), 'lgsp:registry:changes');
});
