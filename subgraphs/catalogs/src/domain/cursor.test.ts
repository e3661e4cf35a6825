import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { createCursorCodec } from './cursor.ts';

const invalidCursor = (e: unknown) => e instanceof LgspError && e.code === ErrorCode.INVALID_CURSOR;

describe('pagination cursors', () => {
  const codec = createCursorCodec();
  const cursor = codec.encode('scope-a', { version: 3, offset: 41 });

  it('round-trips version and offset for the scope it was issued for', () => {
    assert.deepEqual(codec.decode('scope-a', cursor), { version: 3, offset: 41 });
  });
  it('refuses the cursor for other arguments', () => {
    assert.throws(() => codec.decode('scope-b', cursor), invalidCursor);
  });
  it('refuses a cursor whose body was changed, even with a well-formed body', () => {
    const [, mac] = cursor.split('.');
    const forgedBody = Buffer.from(JSON.stringify([3, 9000, JSON.parse(Buffer.from(cursor.split('.')[0]!, 'base64url').toString())[2]])).toString('base64url');
    assert.throws(() => codec.decode('scope-a', `${forgedBody}.${mac}`), invalidCursor);
  });
  it('refuses a cursor with a changed signature, garbage, or one signed with another key', () => {
    // One bit of the signature flipped. (Replacing its last characters was a no-op once in 256 runs: the last
    // base64url character of 16 bytes carries padding bits that decoding ignores.)
    const [body, mac] = cursor.split('.') as [string, string];
    const flipped = Buffer.from(mac, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => codec.decode('scope-a', `${body}.${flipped.toString('base64url')}`), invalidCursor);
    assert.throws(() => codec.decode('scope-a', 'not-a-cursor'), invalidCursor);
    assert.throws(() => codec.decode('scope-a', ''), invalidCursor);
    assert.throws(() => createCursorCodec().decode('scope-a', cursor), invalidCursor);
  });
  it('accepts cursors across processes that share a configured secret', () => {
    const secret = 'x'.repeat(40);
    const issued = createCursorCodec(secret).encode('s', { version: 1, offset: 0 });
    assert.deepEqual(createCursorCodec(secret).decode('s', issued), { version: 1, offset: 0 });
  });
  it('reads, after a rotation, the cursors the previous secret signed, and signs new ones with the current', () => {
    const [old, current] = ['o'.repeat(40), 'c'.repeat(40)];
    const issued = createCursorCodec(old).encode('s', { version: 2, offset: 40 });
    const rotated = createCursorCodec(current, old);
    assert.deepEqual(rotated.decode('s', issued), { version: 2, offset: 40 });
    const fresh = rotated.encode('s', { version: 2, offset: 60 });
    assert.throws(() => createCursorCodec(old).decode('s', fresh), invalidCursor, 'new cursors use the current secret');
    assert.throws(() => createCursorCodec(current).decode('s', issued), invalidCursor, 'without the previous secret the old cursors are refused');
  });
});

describe('CATALOGS_CURSOR_SECRET_PREVIOUS', () => {
  it('is refused at start without CATALOGS_CURSOR_SECRET or equal to it, naming the variable', async () => {
    const { loadCatalogsConfig } = await import('../config.ts');
    const [old, current] = ['o'.repeat(40), 'c'.repeat(40)];
    assert.throws(() => loadCatalogsConfig({ CATALOGS_CURSOR_SECRET_PREVIOUS: old }), /CATALOGS_CURSOR_SECRET_PREVIOUS.*needs CATALOGS_CURSOR_SECRET/s);
    assert.throws(() => loadCatalogsConfig({ CATALOGS_CURSOR_SECRET: old, CATALOGS_CURSOR_SECRET_PREVIOUS: old }), /CATALOGS_CURSOR_SECRET_PREVIOUS.*equals/s);
    assert.equal(loadCatalogsConfig({ CATALOGS_CURSOR_SECRET: current, CATALOGS_CURSOR_SECRET_PREVIOUS: old }).CATALOGS_CURSOR_SECRET_PREVIOUS, old);
  });
});
