/**
 * The HTTP publisher of `@lgsp/events` against a real subscriptions service over loopback: the EventPublisher
 * contract, read back from the service's event log; events published together go in one
 * `POST /internal/events` (counted by the service's own /metrics), each caller gets its own id, order within a topic
 * is the publication order, and a failed post rejects its events without losing the ones queued behind it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventLimits, eventStreamKey, httpEventPublisher, topics, type EventFields, type EventPublisher, type TopicFamily } from '@lgsp/events';
import { describeEventPublisherContract } from '@lgsp/events/contract';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, type InternalTokenVerifier } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { compareEventIds } from './domain/topics.ts';
import { startSubscriptions, type RunningSubscriptions } from './service.ts';
import type { EventLog } from './store/event-log.ts';
import { createMemoryEventLog } from './store/memory-event-log.ts';
import { publishCounts, redisUrl, testRedis } from './testing.ts';

const token = 'publish-test-token-0123456789abcdef0123';
const silent = createLogger('publish-test', 'silent');
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

let verifier: InternalTokenVerifier;
before(async () => {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
});

const start = (log: EventLog, port = '0', environment: Record<string, string> = {}) =>
  startSubscriptions(configSchema.parse({ PORT: port, EVENTS_PUBLISH_TOKEN: token, LOG_LEVEL: 'silent', ...environment }), { verifier, logger: silent, log });

/** Publishes to a topic named as the service stores it (`packet-available:<agency>`, `catalog-changed`, or not a topic at all). */
const publishTo = (publisher: EventPublisher, topic: string, fields: EventFields) => {
  const colon = topic.indexOf(':');
  return colon < 0
    ? publisher.publish(topic as TopicFamily, null as never, fields)
    : publisher.publish(topic.slice(0, colon) as TopicFamily, topic.slice(colon + 1) as never, fields);
};

describeEventPublisherContract('http (to a real subscriptions service)', async () => {
  const log = createMemoryEventLog({ retention: 10_000 });
  const service = await start(log);
  return {
    publisher: httpEventPublisher({ baseUrl: service.origin, token }),
    read: async (topic) => (await log.range(topic, '0-0', 10_000)).map((event) => ({ id: event.id, fields: event.fields })),
    cleanup: () => service.close(),
  };
});

/** The packet ids stored in a topic, oldest first. */
const storedPacketIds = async (log: EventLog, topic: string) => (await log.range(topic, '0-0', 10_000)).map((e) => e.fields.packetId);

const assertAscending = (ids: string[]) => {
  for (let i = 1; i < ids.length; i++) assert.ok(compareEventIds(ids[i - 1]!, ids[i]!) < 0, `event id ${ids[i]} comes after ${ids[i - 1]}`);
};

describe('httpEventPublisher: coalesced posts to a real subscriptions service (embedded mode)', () => {
  let log: EventLog;
  let service: RunningSubscriptions;
  before(async () => {
    log = createMemoryEventLog({ retention: 10_000 });
    service = await start(log);
  });
  after(async () => {
    await service.close();
  });

  it('sends the events published in one turn in one post, answering each its own id in order', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const inbox = topics.packetAvailable('000.00.01.H01');
    const outbox = topics.packetStatus('000.00.02.H01');
    const before = await publishCounts(service.origin);
    const pending: Array<Promise<string>> = [];
    for (let i = 0; i < 40; i++) {
      pending.push(publishTo(publisher, inbox, { packetId: `p${i}`, sourceAgency: '000.00.02.H01' }));
      pending.push(publishTo(publisher, outbox, { packetId: `p${i}`, recipient: '000.00.01.H01', status: 'NOTIFIED' }));
    }
    const ids = await Promise.all(pending);
    const counts = await publishCounts(service.origin);
    assert.equal(counts.published - before.published, 1, 'one POST for the 80 events');
    assert.equal(counts.events - before.events, 80);

    const inboxIds = ids.filter((_, i) => i % 2 === 0);
    assertAscending(inboxIds);
    assertAscending(ids.filter((_, i) => i % 2 === 1));
    assert.deepEqual(
      (await log.range(inbox, '0-0', 100)).map((e) => e.id),
      inboxIds,
      'each caller got the id of its own event',
    );
    const order = Array.from({ length: 40 }, (_, i) => `p${i}`);
    assert.deepEqual(await storedPacketIds(log, inbox), order);
    assert.deepEqual(await storedPacketIds(log, outbox), order);
  });

  it(`posts at most ${eventLimits.maxEventsPerPost} events at a time (or maxBatch), one post after the other, keeping the order`, async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const topic = topics.packetAvailable('000.00.03.H01');
    let before = await publishCounts(service.origin);
    const ids = await Promise.all(Array.from({ length: 1_001 }, (_, i) => publishTo(publisher, topic, { packetId: `b${i}`, sourceAgency: 'S' })));
    let counts = await publishCounts(service.origin);
    assert.equal(counts.published - before.published, 3, '500 + 500 + 1');
    assertAscending(ids);
    assert.deepEqual(
      await storedPacketIds(log, topic),
      Array.from({ length: 1_001 }, (_, i) => `b${i}`),
    );

    before = counts;
    const small = httpEventPublisher({ baseUrl: service.origin, token, maxBatch: 4 });
    const other = topics.packetAvailable('000.00.04.H01');
    await Promise.all(Array.from({ length: 10 }, (_, i) => publishTo(small, other, { packetId: `s${i}`, sourceAgency: 'S' })));
    counts = await publishCounts(service.origin);
    assert.equal(counts.published - before.published, 3, '4 + 4 + 2');
  });

  it('collects the events published while a post is in flight into the next post', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const topic = topics.packetAvailable('000.00.05.H01');
    const before = await publishCounts(service.origin);
    const pending: Array<Promise<string>> = [];
    for (let turn = 0; turn < 20; turn++) {
      for (let i = 0; i < 10; i++) pending.push(publishTo(publisher, topic, { packetId: `t${turn * 10 + i}`, sourceAgency: 'S' }));
      await nextTurn();
    }
    const ids = await Promise.all(pending);
    const counts = await publishCounts(service.origin);
    assert.equal(counts.events - before.events, 200);
    assert.ok(counts.published - before.published <= 20, `at most one post per turn (${counts.published - before.published})`);
    assertAscending(ids);
    assert.deepEqual(
      await storedPacketIds(log, topic),
      Array.from({ length: 200 }, (_, i) => `t${i}`),
    );
  });

  it('copies the fields when published: changing the object afterwards changes nothing', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const topic = topics.packetAvailable('000.00.06.H01');
    const fields = { packetId: 'original', sourceAgency: 'S' };
    const published = publishTo(publisher, topic, fields);
    fields.packetId = 'changed';
    await published;
    assert.deepEqual(await storedPacketIds(log, topic), ['original']);
  });

  it('rejects an event it cannot post at once, without a post: unknown topic, larger than maxEventBytes', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token });
    const before = await publishCounts(service.origin);
    await assert.rejects(publishTo(publisher, 'secrets:all', { a: 'b' }), /unknown event topic "secrets:all"/);
    await assert.rejects(
      publishTo(publisher, topics.catalogChanged(), { catalog: 'AGENCIES', version: '2', note: 'x'.repeat(2_048) }),
      /more than 2048: fields carry entity keys/,
    );
    const counts = await publishCounts(service.origin);
    assert.equal(counts.published + counts.refused, before.published + before.refused, 'nothing was posted');
  });

  it('refuses to queue beyond maxPending', async () => {
    const publisher = httpEventPublisher({ baseUrl: service.origin, token, maxPending: 3 });
    const topic = topics.packetAvailable('000.00.07.H01');
    const accepted = [0, 1, 2].map((i) => publishTo(publisher, topic, { packetId: `q${i}`, sourceAgency: 'S' }));
    await assert.rejects(publishTo(publisher, topic, { packetId: 'q3', sourceAgency: 'S' }), /3 events already wait for .*maxPending 3/);
    await Promise.all(accepted);
    assert.deepEqual(await storedPacketIds(log, topic), ['q0', 'q1', 'q2']);
  });
});

describe('httpEventPublisher when its post fails', () => {
  it('rejects every event of a post to a stopped service, and publishes again once it is back', async () => {
    let log = createMemoryEventLog({ retention: 1_000 });
    let service = await start(log);
    const port = String(service.port);
    const publisher = httpEventPublisher({ baseUrl: service.origin, token, timeoutMs: 2_000 });
    const topic = topics.packetStatus('000.00.08.H01');
    assert.match(await publishTo(publisher, topic, { packetId: 'before', status: 'QUEUED' }), /^\d+-\d+$/);
    await service.close();

    const failed = await Promise.allSettled([0, 1, 2].map((i) => publishTo(publisher, topic, { packetId: `down${i}`, status: 'QUEUED' })));
    for (const outcome of failed) {
      assert.equal(outcome.status, 'rejected');
      const message = ((outcome as PromiseRejectedResult).reason as Error).message;
      assert.match(
        message,
        new RegExp(`publishing an event to ${topic} at http://127\\.0\\.0\\.1:${port}/internal/events failed, one of 3 events posted together: `),
      );
      // Refused, or the kept-alive connection closed under the post: either way the network reason is given.
      assert.match(message, /: fetch failed: (connect ECONNREFUSED|other side closed)/);
    }

    log = createMemoryEventLog({ retention: 1_000 });
    service = await start(log, port);
    try {
      const id = await publishTo(publisher, topic, { packetId: 'after', status: 'QUEUED' });
      assert.deepEqual(
        (await log.range(topic, '0-0', 10)).map((e) => [e.id, e.fields.packetId]),
        [[id, 'after']],
      );
    } finally {
      await service.close();
    }
  });

  describe('on a log that fails one event (Redis: a key of the wrong type)', () => {
    let r: Awaited<ReturnType<typeof testRedis>>;
    let service: RunningSubscriptions;
    const good = topics.packetAvailable('000.00.09.H01');
    const broken = topics.packetAvailable('000.00.10.H01');
    before(async () => {
      r = await testRedis();
      // XADD to a key holding a string fails with WRONGTYPE: a real storage failure of that one topic.
      await r.redis.set(eventStreamKey(r.keyPrefix, broken), 'not a stream');
      service = await startSubscriptions(
        configSchema.parse({ PORT: '0', EVENTS_PUBLISH_TOKEN: token, LOG_LEVEL: 'silent', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: r.keyPrefix }),
        {
          verifier,
          logger: silent,
        },
      );
    });
    after(async () => {
      await service.close();
      await r.cleanup();
    });
    const stored = async () => (await r.redis.xRange(eventStreamKey(r.keyPrefix, good), '-', '+')).map((e) => e.message.packetId);

    it('a post that fails rejects each of its events saying what failed; the events queued behind it go in the next post', async () => {
      const publisher = httpEventPublisher({ baseUrl: service.origin, token, maxBatch: 1 });
      const outcomes = await Promise.allSettled([
        publishTo(publisher, good, { packetId: 'g1', sourceAgency: 'S' }),
        publishTo(publisher, broken, { packetId: 'x', sourceAgency: 'S' }),
        publishTo(publisher, good, { packetId: 'g2', sourceAgency: 'S' }),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(
        ((outcomes[1] as PromiseRejectedResult).reason as Error).message,
        new RegExp(
          `publishing an event to ${broken} at .* failed: .*HTTP 503 \\(events\\[0\\] \\(${broken}\\) could not be stored: none before it was stored\\)`,
        ),
      );
      assert.deepEqual(await stored(), ['g1', 'g2']);
    });

    it('stops a batch at the event that cannot be stored: the ones before are kept, none after is tried', async () => {
      const post = await fetch(`${service.origin}/internal/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [good, broken, good].map((topic, i) => ({ topic, fields: { packetId: `batch${i}`, sourceAgency: 'S' } })) }),
      });
      assert.equal(post.status, 503);
      const error = ((await post.json()) as { errors: Array<{ message: string; extensions: { code: string; index: number; eventIds: string[] } }> }).errors[0]!;
      assert.equal(error.message, `events[1] (${broken}) could not be stored: events[0..0] were stored (extensions.eventIds), events[2..2] were not tried`);
      assert.equal(error.extensions.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(error.extensions.index, 1);
      assert.equal(error.extensions.eventIds.length, 1);
      assert.deepEqual((await stored()).slice(-1), ['batch0']);

      const publisher = httpEventPublisher({ baseUrl: service.origin, token });
      const outcomes = await Promise.allSettled([
        publishTo(publisher, good, { packetId: 'c0', sourceAgency: 'S' }),
        publishTo(publisher, broken, { packetId: 'c1', sourceAgency: 'S' }),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected'],
        'the event stored before the failure is published, the failed one is not',
      );
      const streamIds = (await r.redis.xRange(eventStreamKey(r.keyPrefix, good), '-', '+')).map((e) => [e.id, e.message.packetId]);
      assert.deepEqual(streamIds.at(-1), [(outcomes[0] as PromiseFulfilledResult<string>).value, 'c0'], 'answered with the id it was stored under');
      assert.match(
        ((outcomes[1] as PromiseRejectedResult).reason as Error).message,
        /one of 2 events posted together \(the first 1 were stored\): .*HTTP 503 \(events\[1\] .* could not be stored: events\[0\.\.0\] were stored/,
      );
      assert.match(await publishTo(publisher, good, { packetId: 'later', sourceAgency: 'S' }), /^\d+-\d+$/);
    });
  });
});
