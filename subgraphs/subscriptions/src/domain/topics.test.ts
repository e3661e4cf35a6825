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

test("the registry's events are decoded: agency-changed, service-notice, access-request-changed", () => {
  const id = '1767225600000-3';
  assert.deepEqual(
    decode.agencyChanged({
      id,
      fields: {
        agencyCode: '000.00.20.H41',
        change: 'SPLIT',
        status: 'SPLIT',
        successorCodes: '000.00.21.H41, 000.00.22.H41',
        effectiveFrom: '2026-07-01',
        version: '7',
      },
    }),
    {
      eventId: id,
      occurredAt: '2026-01-01T00:00:00.000Z',
      agencyCode: '000.00.20.H41',
      change: 'SPLIT',
      status: 'SPLIT',
      successorCodes: ['000.00.21.H41', '000.00.22.H41'],
      effectiveFrom: '2026-07-01',
      version: 7,
    },
  );
  const created = decode.agencyChanged({ id, fields: { agencyCode: 'X', change: 'CREATED', status: 'ACTIVE', version: 'seven' } });
  assert.deepEqual([created?.successorCodes, created?.effectiveFrom, created?.version], [[], null, null]);
  assert.equal(decode.agencyChanged({ id, fields: { agencyCode: 'X', change: 'VANISHED', status: 'ACTIVE' } }), null);
  assert.equal(decode.agencyChanged({ id, fields: { change: 'CREATED', status: 'ACTIVE' } }), null);

  const notice = { noticeId: 'n-1', kind: 'DEPRECATION', serviceCode: 'citizens', version: '2', providerAgency: 'P', reason: 'dùng fullName' };
  assert.deepEqual(decode.serviceNotice({ id, fields: { ...notice, coordinate: 'Citizen.name', sunsetAt: '2026-09-01T00:00:00+07:00' } }, 'C'), {
    eventId: id,
    occurredAt: '2026-01-01T00:00:00.000Z',
    consumerAgency: 'C',
    ...notice,
    kind: 'DEPRECATION',
    coordinate: 'Citizen.name',
    sunsetAt: '2026-08-31T17:00:00.000Z',
  });
  for (const missing of ['noticeId', 'serviceCode', 'version', 'providerAgency', 'reason'])
    assert.equal(decode.serviceNotice({ id, fields: { ...notice, [missing]: '' } }, 'C'), null, missing);
  assert.equal(decode.serviceNotice({ id, fields: { ...notice, kind: 'REMINDER' } }, 'C'), null);

  const changed = { accessRequestId: 'ar-1', change: 'STATE_CHANGED', state: 'TESTING', consumerAgency: 'C', providerAgency: 'P' };
  assert.deepEqual(decode.accessRequestChanged({ id, fields: { ...changed, previousState: 'PROVIDER_APPROVED', action: 'APPROVE', overdue: 'false' } }), {
    eventId: id,
    occurredAt: '2026-01-01T00:00:00.000Z',
    ...changed,
    change: 'STATE_CHANGED',
    state: 'TESTING',
    previousState: 'PROVIDER_APPROVED',
    action: 'APPROVE',
    dueAt: null,
    overdue: false,
  });
  const overdue = decode.accessRequestChanged({
    id,
    fields: { ...changed, change: 'OVERDUE', state: 'PENDING_APPROVAL', dueAt: '2026-02-27T17:00:00Z', overdue: 'true' },
  });
  assert.deepEqual([overdue?.overdue, overdue?.dueAt, overdue?.previousState], [true, '2026-02-27T17:00:00.000Z', null]);
  assert.equal(decode.accessRequestChanged({ id, fields: { ...changed, state: 'ALIVE' } }), null);
  assert.equal(decode.accessRequestChanged({ id, fields: { ...changed, providerAgency: '' } }), null);
});
