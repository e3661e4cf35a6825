/**
 * `POST /internal/events` over real HTTP on a real subscriptions service (embedded mode, in-memory topics): the
 * single-event body and the batch body, the checks of every event before any is published, and the limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger } from '@lgsp/kit';
import { configSchema } from '../config.ts';
import { eventLimits, topics } from '@lgsp/events';
import { startSubscriptions, type RunningSubscriptions } from '../service.ts';
import type { EventLog } from '../store/event-log.ts';
import { createMemoryEventLog } from '../store/memory-event-log.ts';
import { publishCounts } from '../testing.ts';

const token = 'publish-route-test-token-0123456789abcdef';
type ErrorAnswer = { errors: Array<{ message: string; extensions: Record<string, unknown> }> };

describe('POST /internal/events', () => {
  let log: EventLog;
  let service: RunningSubscriptions;
  const post = async (body: unknown) => {
    const response = await fetch(`${service.origin}/internal/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const stored = async (topic: string) => (await log.range(topic, '0-0', 10_000)).map((e) => ({ id: e.id, ...e.fields }));
  const event = (topic: string, packetId: string) => ({ topic, fields: { packetId, sourceAgency: 'S' } });

  before(async () => {
    const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    log = createMemoryEventLog({ retention: 10_000 });
    service = await startSubscriptions(configSchema.parse({ PORT: '0', EVENTS_PUBLISH_TOKEN: token, LOG_LEVEL: 'silent' }), {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
      logger: createLogger('publish-route-test', 'silent'),
      log,
    });
  });
  after(async () => {
    await service.close();
  });

  it('publishes one event {topic, fields} → 201 {eventId}', async () => {
    const topic = topics.packetAvailable('000.00.01.H02');
    const answer = await post(event(topic, 'single'));
    assert.equal(answer.status, 201);
    assert.deepEqual(Object.keys(answer.body), ['eventId']);
    assert.deepEqual(await stored(topic), [{ id: answer.body.eventId, packetId: 'single', sourceAgency: 'S' }]);
  });

  it('publishes a batch {events} in the order given → 201 {eventIds} in the same order', async () => {
    const a = topics.packetAvailable('000.00.02.H02');
    const b = topics.packetStatus('000.00.03.H02');
    const events = [
      event(a, 'a1'),
      { topic: b, fields: { packetId: 'a1', status: 'NOTIFIED' } },
      event(a, 'a2'),
      event(a, 'a3'),
      { topic: b, fields: { packetId: 'a1', status: 'CLAIMED' } },
    ];
    const answer = await post({ events });
    assert.equal(answer.status, 201);
    const ids = answer.body.eventIds as string[];
    assert.equal(ids.length, 5);
    assert.deepEqual(await stored(a), [
      { id: ids[0], packetId: 'a1', sourceAgency: 'S' },
      { id: ids[2], packetId: 'a2', sourceAgency: 'S' },
      { id: ids[3], packetId: 'a3', sourceAgency: 'S' },
    ]);
    assert.deepEqual(await stored(b), [
      { id: ids[1], packetId: 'a1', status: 'NOTIFIED' },
      { id: ids[4], packetId: 'a1', status: 'CLAIMED' },
    ]);
  });

  it('refuses a batch whose event 3 is bad (400 naming index 3) and publishes none of it', async () => {
    const topic = topics.packetAvailable('000.00.04.H02');
    const before = await publishCounts(service.origin);
    const cases: Array<[unknown, RegExp]> = [
      [{ topic: 'secrets:all', fields: { packetId: 'x' } }, /^events\[3\]: unknown event topic "secrets:all"/],
      [{ topic, fields: {} }, /^events\[3\]: an event needs at least one field$/],
      [{ topic, fields: { packetId: 7 } }, /^events\[3\]: event field packetId must be a string$/],
      [
        { topic, fields: { packetId: 'x'.repeat(eventLimits.maxEventBytes) } },
        /^events\[3\]: the event takes \d+ bytes as JSON \{topic, fields\}, more than 2048/,
      ],
      ['not an event', /^events\[3\]: an event must be \{"topic": string, "fields": \{name: string\}\}$/],
    ];
    for (const [bad, message] of cases) {
      const events = [event(topic, 'e0'), event(topic, 'e1'), event(topic, 'e2'), bad, event(topic, 'e4')];
      const answer = await post({ events });
      assert.equal(answer.status, 400, JSON.stringify(bad));
      const error = (answer.body as ErrorAnswer).errors[0]!;
      assert.match(error.message, message);
      assert.deepEqual(error.extensions, { code: 'BAD_USER_INPUT', index: 3 });
    }
    assert.deepEqual(await stored(topic), [], 'nothing of the batches was published');
    const counts = await publishCounts(service.origin);
    assert.equal(counts.events, before.events);
    assert.equal(counts.refused - before.refused, cases.length);
  });

  it(`refuses a batch of more than ${eventLimits.maxEventsPerPost} events (413 LIMIT_EXCEEDED) and publishes none of it`, async () => {
    const topic = topics.packetAvailable('000.00.05.H02');
    const answer = await post({ events: Array.from({ length: eventLimits.maxEventsPerPost + 1 }, (_, i) => event(topic, `o${i}`)) });
    assert.equal(answer.status, 413);
    assert.deepEqual((answer.body as ErrorAnswer).errors[0], {
      message: 'a batch holds at most 500 events, this one has 501: post them in several batches',
      extensions: { code: 'LIMIT_EXCEEDED', limit: 500 },
    });
    assert.deepEqual(await stored(topic), []);
  });

  it(`accepts a full batch of the largest legal events (${eventLimits.maxEventsPerPost} × ${eventLimits.maxEventBytes} bytes) within the body limit`, async () => {
    const topic = topics.documentStatus('A'.repeat(64));
    const base = JSON.stringify({ topic, fields: { packetId: '' } }).length;
    const largest = (i: number) => ({ topic, fields: { packetId: String(i).padStart(eventLimits.maxEventBytes - base, '0') } });
    assert.equal(Buffer.byteLength(JSON.stringify(largest(0))), eventLimits.maxEventBytes);
    const body = JSON.stringify({ events: Array.from({ length: eventLimits.maxEventsPerPost }, (_, i) => largest(i)) });
    const answer = await post(body);
    assert.equal(answer.status, 201, `a body of ${body.length} bytes: ${JSON.stringify(answer.body).slice(0, 200)}`);
    assert.equal((answer.body.eventIds as string[]).length, eventLimits.maxEventsPerPost);

    const tooBig = await post(`{"events":[${' '.repeat(1_048_576)}]}`);
    assert.equal(tooBig.status, 413);
    assert.equal((tooBig.body as ErrorAnswer).errors[0]!.message, 'the body is larger than 1mb');
  });

  it('refuses bodies that are neither shape (400)', async () => {
    const topic = topics.packetAvailable('000.00.06.H02');
    const cases: Array<[unknown, RegExp]> = [
      [[event(topic, 'x')], /^the body must be \{"topic": string, "fields": \{name: string\}\} or \{"events": \[/],
      [{ events: [] }, /^"events" must be a non-empty array/],
      [{ events: event(topic, 'x') }, /^"events" must be a non-empty array/],
      [{ ...event(topic, 'x'), events: [event(topic, 'y')] }, /^a batch body has only "events"/],
      [{ topic }, /^an event must be \{"topic": string, "fields"/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match((answer.body as ErrorAnswer).errors[0]!.message, message);
    }
    assert.deepEqual(await stored(topic), []);
  });

  it('refuses a publisher without the token before reading the body (401)', async () => {
    const response = await fetch(`${service.origin}/internal/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token-0123456789abcdef0123', 'content-type': 'application/json' },
      body: JSON.stringify({ events: [event(topics.packetAvailable('000.00.07.H02'), 'x')] }),
    });
    assert.equal(response.status, 401);
    assert.deepEqual(await stored(topics.packetAvailable('000.00.07.H02')), []);
  });
});
