/** One contract for the EventStream over every EventLog adapter (Redis Streams, memory). */
import assert from 'node:assert/strict';
import { after as afterAll, describe, it } from 'node:test';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { RawEvent } from '../domain/topics.ts';
import type { EventStream, EventStreamOptions, EventSubscription } from './event-stream.ts';

export interface EventStreamFixture {
  stream: EventStream;
  cleanup(): Promise<void>;
}

export type MakeEventStream = (options: EventStreamOptions & { retention: number }) => Promise<EventStreamFixture>;

const defaults = { retention: 1_000, blockMs: 1_000, maxBuffered: 1_000 };

/** Takes `count` events, failing (instead of hanging) when they do not come. */
async function take(subscription: EventSubscription, count: number): Promise<RawEvent[]> {
  const events: RawEvent[] = [];
  while (events.length < count) {
    const result = await within(subscription.next(), `event ${events.length + 1} of ${count}`);
    if (result.done === true) throw new Error(`the subscription ended after ${events.length} of ${count} events`);
    events.push(result.value);
  }
  return events;
}

async function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const n = (events: RawEvent[]) => events.map((e) => e.fields.n);

export function describeEventStreamContract(name: string, make: MakeEventStream): void {
  describe(`EventStream contract: ${name}`, () => {
    const fixtures: EventStreamFixture[] = [];
    const open = async (options: Partial<EventStreamOptions & { retention: number }> = {}) => {
      const fixture = await make({ ...defaults, ...options });
      fixtures.push(fixture);
      return fixture.stream;
    };
    afterAll(async () => {
      for (const f of fixtures) {
        await f.stream.close();
        await f.cleanup();
      }
    });

    it('without after, delivers only the events published after subscribing, in order', async () => {
      const stream = await open();
      await stream.publish('packet-available:A', { n: 'old' });
      const subscription = await stream.subscribe('packet-available:A');
      const ids = [];
      for (const value of ['1', '2', '3']) ids.push(await stream.publish('packet-available:A', { n: value }));
      const events = await take(subscription, 3);
      assert.deepEqual(n(events), ['1', '2', '3']);
      assert.deepEqual(
        events.map((e) => e.id),
        ids,
      );
      await subscription.return();
    });

    it('with after, replays exactly the events since it, in order, then continues live', async () => {
      const stream = await open();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i += 1) ids.push(await stream.publish('packet-status:A', { n: String(i) }));
      const subscription = await stream.subscribe('packet-status:A', { after: ids[1] });
      await stream.publish('packet-status:A', { n: '6' });
      assert.deepEqual(n(await take(subscription, 4)), ['3', '4', '5', '6']);
      await subscription.return();

      const fromNewest = await stream.subscribe('packet-status:A', { after: ids[4] });
      await stream.publish('packet-status:A', { n: '7' });
      assert.deepEqual(n(await take(fromNewest, 2)), ['6', '7']);
      await fromNewest.return();
    });

    it('replays across many pages while live events keep coming, without gaps or repeats', async () => {
      const stream = await open({ batchSize: 7 });
      const first = await stream.publish('packet-available:B', { n: '0' });
      for (let i = 1; i <= 40; i += 1) await stream.publish('packet-available:B', { n: String(i) });
      const subscription = await stream.subscribe('packet-available:B', { after: first });
      const live = (async () => {
        for (let i = 41; i <= 60; i += 1) await stream.publish('packet-available:B', { n: String(i) });
      })();
      const events = await take(subscription, 60);
      await live;
      assert.deepEqual(
        n(events),
        Array.from({ length: 60 }, (_, i) => String(i + 1)),
      );
      await subscription.return();
    });

    it('keeps topics apart', async () => {
      const stream = await open();
      const subscription = await stream.subscribe('packet-available:A');
      await stream.publish('packet-available:B', { n: 'for B' });
      await stream.publish('packet-status:A', { n: 'status' });
      await stream.publish('packet-available:A', { n: 'for A' });
      assert.deepEqual(n(await take(subscription, 1)), ['for A']);
      await subscription.return();
    });

    it('serves every subscription of a topic from one shared reader, and stops it with the last', async () => {
      const stream = await open();
      const a = await stream.subscribe('catalog-changed');
      const b = await stream.subscribe('catalog-changed');
      const c = await stream.subscribe('packet-available:A');
      assert.deepEqual(stream.stats(), { readers: 2, subscriptions: 3 });
      await stream.publish('catalog-changed', { n: 'x' });
      assert.deepEqual(n(await take(a, 1)), ['x']);
      assert.deepEqual(n(await take(b, 1)), ['x']);
      await a.return();
      assert.deepEqual(stream.stats(), { readers: 2, subscriptions: 2 });
      await b.return();
      await c.return();
      assert.deepEqual(stream.stats(), { readers: 0, subscriptions: 0 });
    });

    it('ends a waiting next() when the subscription is returned', async () => {
      const stream = await open();
      const subscription = await stream.subscribe('packet-available:quiet');
      const pending = subscription.next();
      await subscription.return();
      assert.deepEqual(await within(pending, 'the pending next to end'), { done: true, value: undefined });
      assert.deepEqual(await subscription.next(), { done: true, value: undefined });
    });

    it('refuses an after later than the newest event (AFTER_UNKNOWN)', async () => {
      const stream = await open();
      const id = await stream.publish('packet-available:C', { n: '1' });
      const later = `${Number(id.split('-')[0]) + 60_000}-0`;
      await assert.rejects(stream.subscribe('packet-available:C', { after: later }), (error: unknown) => {
        assert.ok(error instanceof LgspError);
        assert.equal(error.code, ErrorCode.BAD_USER_INPUT);
        assert.equal(error.details?.reason, 'AFTER_UNKNOWN');
        return true;
      });
      assert.deepEqual(stream.stats(), { readers: 0, subscriptions: 0 });
    });

    it('refuses to resume from before what retention kept (REPLAY_INCOMPLETE), and resumes from what it kept', async () => {
      const stream = await open({ retention: 5 });
      const first = await stream.publish('packet-status:D', { n: '0' });
      let last = first;
      for (let i = 1; i < 250; i += 1) last = await stream.publish('packet-status:D', { n: String(i) });
      await assert.rejects(stream.subscribe('packet-status:D', { after: first }), (error: unknown) => {
        assert.ok(error instanceof LgspError);
        assert.equal(error.code, ErrorCode.NOT_FOUND);
        assert.equal(error.details?.reason, 'REPLAY_INCOMPLETE');
        return true;
      });
      const recent = await stream.subscribe('packet-status:D', { after: last });
      await stream.publish('packet-status:D', { n: 'next' });
      assert.deepEqual(n(await take(recent, 1)), ['next']);
      await recent.return();
    });

    it('ends a subscriber that falls too far behind with SLOW_CONSUMER, naming where to resume', async () => {
      const stream = await open({ maxBuffered: 3 });
      const slow = await stream.subscribe('packet-available:E');
      const fast = await stream.subscribe('packet-available:E');
      // The fast one keeps up (never more than 3 waiting); the slow one never reads.
      for (let i = 1; i <= 3; i += 1) await stream.publish('packet-available:E', { n: String(i) });
      assert.deepEqual(n(await take(fast, 3)), ['1', '2', '3']);
      for (let i = 4; i <= 6; i += 1) await stream.publish('packet-available:E', { n: String(i) });
      assert.deepEqual(n(await take(fast, 3)), ['4', '5', '6']);
      await assert.rejects(slow.next(), (error: unknown) => {
        assert.ok(error instanceof LgspError);
        assert.equal(error.code, ErrorCode.LIMIT_EXCEEDED);
        assert.equal(error.details?.reason, 'SLOW_CONSUMER');
        return true;
      });
      assert.deepEqual(await slow.next(), { done: true, value: undefined });
      assert.equal(stream.stats().subscriptions, 1);
      await fast.return();
    });
  });
}
