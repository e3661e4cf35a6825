/**
 * Filters and maps a subscription's events without an async generator: a generator blocked in `await next()`
 * queues `return()` until an event arrives, so a client that leaves a quiet topic would hold its subscription open.
 * Here `return()` ends the source at once.
 */
import type { RawEvent } from './domain/topics.ts';
import type { EventSubscription } from './store/event-stream.ts';

export function mapEvents<T>(source: EventSubscription, map: (event: RawEvent) => T | null): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        const result = await source.next();
        if (result.done === true) return { done: true, value: undefined };
        const mapped = map(result.value);
        if (mapped !== null) return { done: false, value: mapped };
      }
    },
    async return(): Promise<IteratorResult<T>> {
      await source.return();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<T>> {
      await source.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
