/**
 * One contract for every EventPublisher adapter (tests only, `@lgsp/events/contract`): what a producer may rely on,
 * checked by reading back what a topic holds as its subscribers will.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contractFixture } from '@lgsp/kit/contract-fixture';
import type { EventPublisher, PublishedEvent } from './event-publisher.ts';
import { eventLimits } from './limits.ts';
import { topics, TopicFamily } from './topics.ts';

export interface EventPublisherFixture {
  publisher: EventPublisher;
  /** The events a topic holds, oldest first, read where the subscriptions service reads them. */
  read(topic: string): Promise<PublishedEvent[]>;
  cleanup(): Promise<void>;
}

export function describeEventPublisherContract(name: string, make: () => Promise<EventPublisherFixture>): void {
  describe(`EventPublisher contract: ${name}`, () => {
    const f = contractFixture(make);
    // Agency codes of this run, so that a fixture over a shared log starts from empty topics.
    const run = Math.random().toString(36).slice(2, 8);
    const A = `000.00.01.${run}`;
    const B = `000.00.02.${run}`;

    it('keeps events per topic and agency in the order published, answering each its own id', async () => {
      const a = await f.publisher.publish(TopicFamily.packetAvailable, A, { packetId: '1', sourceAgency: B });
      const b = await f.publisher.publish(TopicFamily.packetAvailable, A, { packetId: '2', sourceAgency: B });
      const c = await f.publisher.publish(TopicFamily.packetAvailable, B, { packetId: '3', sourceAgency: A });
      const d = await f.publisher.publish(TopicFamily.packetStatus, A, { packetId: '1', status: 'QUEUED' });
      // Ids are per topic (a stream's), so only those of one topic need differ.
      assert.notEqual(a, b);
      for (const id of [a, b, c, d]) assert.match(id, /^\d+-\d+$/, 'a stream id, usable as `after`');
      assert.deepEqual(await f.read(topics.packetAvailable(A)), [
        { id: a, fields: { packetId: '1', sourceAgency: B } },
        { id: b, fields: { packetId: '2', sourceAgency: B } },
      ]);
      assert.deepEqual(await f.read(topics.packetAvailable(B)), [{ id: c, fields: { packetId: '3', sourceAgency: A } }]);
      assert.deepEqual(await f.read(topics.packetStatus(A)), [{ id: d, fields: { packetId: '1', status: 'QUEUED' } }]);
      assert.deepEqual(await f.read(topics.documentStatus(A)), []);
    });

    it('publishes catalog-changed, the one topic of the platform, without an agency', async () => {
      const before = (await f.read(topics.catalogChanged())).length;
      const id = await f.publisher.publish(TopicFamily.catalogChanged, null, { catalog: 'AGENCIES', version: '2' });
      const after = await f.read(topics.catalogChanged());
      assert.equal(after.length, before + 1);
      assert.deepEqual(after.at(-1), { id, fields: { catalog: 'AGENCIES', version: '2' } });
    });

    it('copies the fields when published: changing the object afterwards changes nothing', async () => {
      const fields = { packetId: 'original', sourceAgency: B };
      const published = f.publisher.publish(TopicFamily.packetAvailable, `${A}-copy`, fields);
      fields.packetId = 'changed';
      await published;
      assert.deepEqual(
        (await f.read(topics.packetAvailable(`${A}-copy`))).map((e) => e.fields.packetId),
        ['original'],
      );
    });

    it('refuses an unknown topic, missing or non-string fields and an event over maxEventBytes, storing nothing', async () => {
      const agency = `${A}-refused`;
      await assert.rejects(f.publisher.publish('secrets' as TopicFamily, 'all', { a: 'b' }), /unknown event topic "secrets:all"/);
      await assert.rejects(f.publisher.publish(TopicFamily.packetAvailable, 'a b', { packetId: 'x' }), /unknown event topic "packet-available:a b"/);
      await assert.rejects(f.publisher.publish(TopicFamily.packetAvailable, agency, {}), /at least one field/);
      await assert.rejects(
        f.publisher.publish(TopicFamily.packetAvailable, agency, { packetId: 7 as unknown as string }),
        /event field packetId must be a string/,
      );
      await assert.rejects(
        f.publisher.publish(TopicFamily.packetAvailable, agency, { packetId: 'x'.repeat(eventLimits.maxEventBytes) }),
        new RegExp(`more than ${eventLimits.maxEventBytes}: fields carry entity keys`),
      );
      assert.deepEqual(await f.read(topics.packetAvailable(agency)), []);
    });
  });
}
