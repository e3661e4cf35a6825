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
  const header = { eventId: id, occurredAt: '2026-01-01T00:00:00.000Z' };
  assert.deepEqual(
    decode.agencyChanged({
      id,
      fields: {
        code: '000.00.20.H41',
        change: 'SPLIT',
        successorCodes: '000.00.21.H41, 000.00.22.H41',
        effectiveFrom: '2026-07-01',
        status: 'ACTIVE',
        version: '7',
      },
    }),
    {
      ...header,
      agencyCode: '000.00.20.H41',
      change: 'SPLIT',
      successorCodes: ['000.00.21.H41', '000.00.22.H41'],
      effectiveFrom: '2026-07-01',
      status: 'ACTIVE',
      version: 7,
    },
  );
  // "-" is a publisher's "none"; an unknown status or version is left out, not guessed.
  const registered = decode.agencyChanged({ id, fields: { code: 'X', change: 'REGISTERED', successorCodes: '-', status: 'ALIVE', version: 'seven' } });
  assert.deepEqual([registered?.successorCodes, registered?.effectiveFrom, registered?.status, registered?.version], [[], null, null, null]);
  assert.equal(decode.agencyChanged({ id, fields: { code: 'X', change: 'VANISHED' } }), null);
  assert.equal(decode.agencyChanged({ id, fields: { change: 'REGISTERED' } }), null);

  const notice = { serviceCode: 'citizens', version: '2', change: 'DEPRECATED' };
  assert.deepEqual(
    decode.serviceNotice(
      {
        id,
        fields: { ...notice, noticeId: 'n-1', sunsetAt: '2026-09-01T00:00:00+07:00', reason: 'dùng fullName', coordinate: 'Citizen.name', providerAgency: 'P' },
      },
      'C',
    ),
    {
      ...header,
      consumerAgency: 'C',
      serviceCode: 'citizens',
      version: '2',
      change: 'DEPRECATED',
      noticeId: 'n-1',
      sunsetAt: '2026-08-31T17:00:00.000Z',
      reason: 'dùng fullName',
      coordinate: 'Citizen.name',
      providerAgency: 'P',
    },
  );
  const bare = decode.serviceNotice({ id, fields: { ...notice, change: 'RETIRED', noticeId: '-', sunsetAt: '-' } }, 'C');
  assert.deepEqual([bare?.noticeId, bare?.sunsetAt, bare?.reason, bare?.providerAgency], [null, null, null, null]);
  for (const missing of ['serviceCode', 'version']) assert.equal(decode.serviceNotice({ id, fields: { ...notice, [missing]: '' } }, 'C'), null, missing);
  assert.equal(decode.serviceNotice({ id, fields: { ...notice, change: 'REMINDER' } }, 'C'), null);

  const changed = { accessRequestId: 'ar-1', state: 'TESTING', action: 'APPROVE', overdue: 'false' };
  assert.deepEqual(
    decode.accessRequestChanged({
      id,
      fields: { ...changed, consumerAgency: 'C', providerAgency: 'P', serviceCode: 'citizens', previousState: 'PROVIDER_APPROVED' },
    }),
    {
      ...header,
      accessRequestId: 'ar-1',
      state: 'TESTING',
      action: 'APPROVE',
      overdue: false,
      consumerAgency: 'C',
      providerAgency: 'P',
      serviceCode: 'citizens',
      previousState: 'PROVIDER_APPROVED',
      dueAt: null,
    },
  );
  const overdue = decode.accessRequestChanged({
    id,
    fields: { ...changed, action: 'OVERDUE', state: 'PENDING_APPROVAL', dueAt: '2026-02-27T17:00:00Z', overdue: 'true' },
  });
  assert.deepEqual([overdue?.overdue, overdue?.dueAt, overdue?.consumerAgency, overdue?.previousState], [true, '2026-02-27T17:00:00.000Z', null, null]);
  assert.equal(decode.accessRequestChanged({ id, fields: { ...changed, state: 'ALIVE' } }), null);
  assert.equal(decode.accessRequestChanged({ id, fields: { ...changed, action: '' } }), null);
});

test("the monitoring's system-health-changed is decoded; incomplete ones are refused", () => {
  const id = '1767225600000-4';
  const fields = {
    systemId: 'A:s',
    status: 'OFFLINE',
    previousStatus: 'ONLINE',
    level: '1',
    source: 'pull',
    at: '2026-11-05T08:00:00+07:00',
    detail: 'timeout',
  };
  assert.deepEqual(decode.systemHealthChanged({ id, fields }, 'A'), {
    eventId: id,
    occurredAt: '2026-01-01T00:00:00.000Z',
    systemId: 'A:s',
    agencyCode: 'A',
    status: 'OFFLINE',
    previousStatus: 'ONLINE',
    level: 1,
    source: 'PULL',
    at: '2026-11-05T01:00:00.000Z',
    detail: 'timeout',
  });
  assert.equal(decode.systemHealthChanged({ id, fields: { ...fields, status: 'LOST' } }, 'A'), null);
  assert.equal(decode.systemHealthChanged({ id, fields: { ...fields, level: '3' } }, 'A'), null);
  assert.equal(decode.systemHealthChanged({ id, fields: { ...fields, source: 'guess' } }, 'A'), null);
  const bare = decode.systemHealthChanged({ id, fields: { systemId: 'A:s', status: 'ONLINE', level: '2', source: 'push' } }, 'A');
  assert.equal(bare?.previousStatus, null);
  assert.equal(bare?.at, '2026-01-01T00:00:00.000Z');
});
