/**
 * EventStream: what the subscriptions subgraph needs from its topics — publish, and subscribe from a position with
 * replay. Built over an EventLog (Redis Streams or memory) with one shared reader per topic per process: however
 * many subscriptions follow a topic, one blocking read loop serves them and fans each event out.
 *
 * Ordering and completeness: a subscription starts at the reader's position P at the moment it registers. Without
 * `after` it receives the events after P. With `after` (A ≤ P) it first replays (A, P] from the log, page by page
 * as the consumer pulls, then the live events, which are all after P: nothing is missed and nothing repeated.
 */
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';
import { compareEventIds, type RawEvent } from '../domain/topics.ts';
import type { BlockingReader, EventLog } from './event-log.ts';

export interface EventSubscription extends AsyncIterableIterator<RawEvent> {
  next(): Promise<IteratorResult<RawEvent>>;
  /** Ends the subscription (idempotent); a pending `next` answers done. */
  return(): Promise<IteratorResult<RawEvent>>;
}

export interface EventStreamStats {
  /** Topics with a running read loop (one per topic, whatever the number of subscriptions). */
  readers: number;
  /** Subscriptions open on this process. */
  subscriptions: number;
}

export interface EventStream {
  /** Appends an event to a topic and answers its id. */
  publish(topic: string, fields: Record<string, string>): Promise<string>;
  /**
   * Follows a topic. `after` (an event id, exclusive) replays what was published since. Throws `BAD_USER_INPUT`
   * (reason AFTER_UNKNOWN) when `after` is later than the newest event, `NOT_FOUND` (reason REPLAY_INCOMPLETE) when
   * events after it are no longer kept, `UPSTREAM_UNAVAILABLE` when the log cannot be read.
   */
  subscribe(topic: string, options?: { after?: string | undefined }): Promise<EventSubscription>;
  stats(): EventStreamStats;
  /** Ends every subscription and reader. */
  close(): Promise<void>;
}

export interface EventStreamOptions {
  /** Longest a read loop blocks before it reads again (XREAD BLOCK, ms). */
  blockMs: number;
  /** Events a subscription may have waiting for its consumer before it is ended as too slow. */
  maxBuffered: number;
  /** Events per read and per replay page. */
  batchSize?: number;
  logger?: Logger;
}

export function createEventStream(log: EventLog, options: EventStreamOptions): EventStream {
  const batch = options.batchSize ?? 100;
  const readers = new Map<string, TopicReader>();
  let subscriptionCount = 0;
  let closed = false;

  const release = (reader: TopicReader) => {
    if (reader.subscribers.size === 0 && reader.pending === 0) {
      reader.stop();
      if (readers.get(reader.topic) === reader) readers.delete(reader.topic);
    }
  };

  class TopicReader {
    readonly subscribers = new Set<TopicSubscription>();
    /** Subscriptions waiting for `ready`; the reader must not stop under them. */
    pending = 0;
    position = '0-0';
    stopped = false;
    readonly ready: Promise<void>;
    private connection: BlockingReader | undefined;

    constructor(readonly topic: string) {
      this.ready = this.start();
      this.ready.catch(() => {
        /* reported to the subscriptions waiting on it */
      });
    }

    private async start(): Promise<void> {
      const connection = await log.openReader();
      if (this.stopped) {
        await connection.close();
        return;
      }
      this.connection = connection;
      try {
        this.position = (await log.position(this.topic)).last;
      } catch (error) {
        this.stopped = true;
        await connection.close();
        throw error;
      }
      void this.loop(connection);
    }

    private async loop(connection: BlockingReader): Promise<void> {
      let failures = 0;
      while (!this.stopped) {
        let events: RawEvent[];
        try {
          events = await connection.read(this.topic, this.position, batch, options.blockMs);
          failures = 0;
        } catch (error) {
          if (this.stopped) break;
          failures += 1;
          options.logger?.warn({ topic: this.topic, err: (error as Error).message, failures }, 'event stream read failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** failures)));
          continue;
        }
        for (const event of events) {
          this.position = event.id;
          for (const subscription of this.subscribers) subscription.push(event);
        }
      }
    }

    stop(): void {
      if (this.stopped) return;
      this.stopped = true;
      void this.connection?.close();
    }
  }

  class TopicSubscription implements EventSubscription {
    private readonly live: RawEvent[] = [];
    private readonly replayed: RawEvent[] = [];
    /** Where the replay continues from; null once it reached `replayUntil`. */
    private replayCursor: string | null;
    private lastYielded: string;
    private wake: (() => void) | null = null;
    private ended = false;
    private failure: Error | null = null;

    constructor(
      private readonly reader: TopicReader,
      after: string | null,
      /** The reader's position at registration: live events are all after it, replayed ones up to it. */
      private readonly replayUntil: string,
    ) {
      this.replayCursor = after !== null && compareEventIds(after, replayUntil) < 0 ? after : null;
      this.lastYielded = after ?? replayUntil;
    }

    /** The reader's position when this subscription registered. */
    get replayFrom(): string {
      return this.replayUntil;
    }

    push(event: RawEvent): void {
      if (this.ended) return;
      if (this.live.length >= options.maxBuffered) {
        this.fail(
          new LgspError(
            ErrorCode.LIMIT_EXCEEDED,
            `the subscriber fell more than ${options.maxBuffered} events behind; resume with after: "${this.lastYielded}"`,
            {
              reason: 'SLOW_CONSUMER',
              lastEventId: this.lastYielded,
            },
          ),
        );
        return;
      }
      this.live.push(event);
      this.signal();
    }

    private fail(error: Error): void {
      this.failure = error;
      this.live.length = 0;
      this.detach();
      this.signal();
    }

    private signal(): void {
      const wake = this.wake;
      this.wake = null;
      wake?.();
    }

    async next(): Promise<IteratorResult<RawEvent>> {
      for (;;) {
        if (this.failure !== null) {
          const failure = this.failure;
          this.failure = null;
          this.ended = true;
          throw failure;
        }
        if (this.ended) return { done: true, value: undefined };
        const replayed = this.replayed.shift();
        if (replayed !== undefined) return this.yield(replayed);
        if (this.replayCursor !== null) {
          await this.replayPage(this.replayCursor);
          continue;
        }
        const live = this.live.shift();
        if (live !== undefined) {
          if (compareEventIds(live.id, this.lastYielded) <= 0) continue;
          return this.yield(live);
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    }

    private yield(event: RawEvent): IteratorResult<RawEvent> {
      this.lastYielded = event.id;
      return { done: false, value: event };
    }

    private async replayPage(cursor: string): Promise<void> {
      let page: RawEvent[];
      try {
        page = await log.range(this.reader.topic, cursor, batch);
      } catch (error) {
        this.detach();
        this.ended = true;
        throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `events cannot be replayed now: ${(error as Error).message}`);
      }
      const kept = page.filter((e) => compareEventIds(e.id, this.replayUntil) <= 0);
      this.replayed.push(...kept);
      this.replayCursor = kept.length < batch || kept.length === 0 ? null : kept[kept.length - 1]!.id;
    }

    async return(): Promise<IteratorResult<RawEvent>> {
      if (!this.ended) {
        this.ended = true;
        this.detach();
        this.signal();
      }
      return { done: true, value: undefined };
    }

    async throw(error?: unknown): Promise<IteratorResult<RawEvent>> {
      await this.return();
      throw error;
    }

    [Symbol.asyncIterator](): this {
      return this;
    }

    private detached = false;
    detach(): void {
      if (this.detached) return;
      this.detached = true;
      subscriptionCount -= 1;
      this.reader.subscribers.delete(this);
      release(this.reader);
    }

    /** Registers on the reader synchronously with reading its position, so that no event falls in between. */
    static attach(reader: TopicReader, after: string | null): TopicSubscription {
      const subscription = new TopicSubscription(reader, after, reader.position);
      reader.subscribers.add(subscription);
      subscriptionCount += 1;
      return subscription;
    }
  }

  return {
    publish: (topic, fields) => log.append(topic, fields),

    async subscribe(topic, subscribeOptions = {}) {
      const after = subscribeOptions.after ?? null;
      for (;;) {
        if (closed) throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, 'the event stream is shutting down');
        let reader = readers.get(topic);
        if (reader === undefined || reader.stopped) {
          reader = new TopicReader(topic);
          readers.set(topic, reader);
        }
        reader.pending += 1;
        try {
          await reader.ready;
        } catch (error) {
          reader.pending -= 1;
          if (readers.get(topic) === reader) readers.delete(topic);
          throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `events cannot be read now: ${(error as Error).message}`);
        }
        reader.pending -= 1;
        if (reader.stopped) {
          release(reader);
          continue; // it stopped while we waited (the service is closing, or it failed): start a fresh one
        }
        const subscription = TopicSubscription.attach(reader, after);
        if (after !== null) {
          try {
            if (compareEventIds(after, subscription.replayFrom) > 0) {
              throw new LgspError(ErrorCode.BAD_USER_INPUT, `after: "${after}" is later than the newest event of this topic; it was not issued here`, {
                argument: 'after',
                reason: 'AFTER_UNKNOWN',
              });
            }
            const { earliestResumable } = await log.position(topic);
            if (compareEventIds(after, earliestResumable) < 0) {
              throw new LgspError(ErrorCode.NOT_FOUND, `events after "${after}" are no longer kept; re-read the current state and subscribe without after`, {
                argument: 'after',
                reason: 'REPLAY_INCOMPLETE',
              });
            }
          } catch (error) {
            await subscription.return();
            if (error instanceof LgspError) throw error;
            throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `events cannot be read now: ${(error as Error).message}`);
          }
        }
        return subscription;
      }
    },

    stats: () => ({ readers: readers.size, subscriptions: subscriptionCount }),

    async close() {
      closed = true;
      for (const reader of readers.values()) {
        for (const subscription of [...reader.subscribers]) await subscription.return();
        reader.stop();
      }
      readers.clear();
      await log.close();
    },
  };
}
