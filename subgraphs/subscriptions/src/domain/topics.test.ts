import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareEventIds, decode, occurredAtOf, parseEventId, previousEventId } from './topics.ts';

test('event ids order numerically, not as text', () => {
  assert.ok(compareEventIds('999-0', '1000-0') < 0);
  assert.ok(compareEventIds('1000-10', '1000-9') > 0);
  assert.equal(compareEventIds('5-5', '5-5'), 0);
  assert.equal(previousEventId('1000-3'), '1000-2');
  assert.equal(previousEventId('1000-0'), '999-18446744073709551615');
  assert.equal(previousEventId('0-0'), '0-0');
  assert.equal(parseEventId('1767225600000-12'), '1767225600000-12');
  assert.throws(() => parseEventId('2026-01-01'), /event id/);
  assert.throws(() => parseEventId('$'), /event id/);
});

test('events are decoded from flat fields; incomplete ones are refused', () => {
  const raw = { id: '1767225600000-0', fields: { packetId: 'p', sourceAgency: 'S', priority: 'URGENT' } };
  assert.deepEqual(decode.packetAvailable(raw, 'R'), {
    eventId: raw.id,
    occurredAt: '2026-01-01T00:00:00.000Z',
    packetId: 'p',
    sourceAgency: 'S',
    recipientAgency: 'R',
    priority: null,
  });
  assert.equal(decode.packetAvailable({ id: raw.id, fields: { packetId: 'p' } }, 'R'), null);
  assert.equal(decode.packetStatus({ id: raw.id, fields: { packetId: 'p', status: 'LOST' } }, 'S'), null);
  assert.equal(decode.catalogChanged({ id: raw.id, fields: { catalog: 'AGENCIES', version: '0' } }), null);
  assert.deepEqual(decode.catalogChanged({ id: raw.id, fields: { catalog: 'AGENCIES', version: '4' } })?.version, 4);
  assert.equal(occurredAtOf({ id: raw.id, fields: { occurredAt: '2026-02-03T04:05:06+07:00' } }), '2026-02-02T21:05:06.000Z');
});
