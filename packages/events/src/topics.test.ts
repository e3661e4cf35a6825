import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventKeyPattern, eventStreamKey } from './keys.ts';
import { parseTopic, registryEventFields, topicName, topics, TopicFamily } from './topics.ts';

test('topic names round-trip and unknown ones are refused', () => {
  assert.deepEqual(parseTopic(topics.packetAvailable('000.00.03.H41')), { family: 'packet-available', agencyCode: '000.00.03.H41' });
  assert.deepEqual(parseTopic(topics.packetStatus('X')), { family: 'packet-status', agencyCode: 'X' });
  assert.deepEqual(parseTopic(topics.documentStatus('X')), { family: 'document-status', agencyCode: 'X' });
  assert.deepEqual(parseTopic(topics.catalogChanged()), { family: 'catalog-changed', agencyCode: null });
  assert.equal(topicName(TopicFamily.packetStatus, '000.00.03.H41'), 'packet-status:000.00.03.H41');
  assert.equal(topicName(TopicFamily.catalogChanged, null), 'catalog-changed');
  assert.deepEqual(parseTopic(topics.agencyChanged()), { family: 'agency-changed', agencyCode: null });
  assert.deepEqual(parseTopic(topics.serviceNotice('000.00.20.H41')), { family: 'service-notice', agencyCode: '000.00.20.H41' });
  assert.deepEqual(parseTopic(topics.accessRequestChanged('000.00.20.H41')), { family: 'access-request-changed', agencyCode: '000.00.20.H41' });
  assert.equal(topicName(TopicFamily.accessRequestChanged, '000.00.03.H41'), 'access-request-changed:000.00.03.H41');
  for (const bad of [
    'packet-available',
    'packet-available:',
    'secrets:A',
    'packet-available:a b',
    'catalog-changed:A',
    `packet-status:${'a'.repeat(65)}`,
    'agency-changed:000.00.20.H41',
    'service-notice',
    'access-request-changed',
    'access-request-changed:',
    'service-notice:a/b',
  ])
    assert.equal(parseTopic(bad), null, bad);
});

test('each topic is one stream under the key prefix', () => {
  assert.equal(eventStreamKey('lgsp:', topics.packetAvailable('000.00.03.H41')), 'lgsp:events:packet-available:000.00.03.H41');
  assert.equal(eventKeyPattern('lgsp:'), 'lgsp:events:*');
});

test("the registry's events are built from typed values; optional ones are left out when absent", () => {
  assert.deepEqual(registryEventFields.agencyChanged({ code: 'A', change: 'SPLIT', successorCodes: ['B', 'C'], effectiveFrom: '2026-07-01', version: 4 }), {
    code: 'A',
    change: 'SPLIT',
    successorCodes: 'B,C',
    effectiveFrom: '2026-07-01',
    version: '4',
  });
  assert.deepEqual(registryEventFields.agencyChanged({ code: 'A', change: 'REGISTERED', successorCodes: [], effectiveFrom: null }), {
    code: 'A',
    change: 'REGISTERED',
  });
  assert.deepEqual(registryEventFields.serviceNotice({ serviceCode: 's', version: 2, change: 'RETIRED', noticeId: null, sunsetAt: '' }), {
    serviceCode: 's',
    version: '2',
    change: 'RETIRED',
  });
  assert.deepEqual(
    registryEventFields.accessRequestChanged({
      accessRequestId: 'ar',
      state: 'LIVE',
      action: 'CONFIRM_INTEGRATION',
      overdue: false,
      consumerAgency: 'C',
      providerAgency: 'P',
      dueAt: null,
    }),
    { accessRequestId: 'ar', state: 'LIVE', action: 'CONFIRM_INTEGRATION', overdue: 'false', consumerAgency: 'C', providerAgency: 'P' },
  );
});
