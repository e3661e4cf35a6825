/**
 * Filters and maps a subscription's events without an async generator: a generator blocked in `await next()`
 * queues `return()` until an event arrives, so a client that leaves a quiet topic would hold its subscription open.
 * Here `return()` ends the source at once. `onEnd` runs once the subscription ends, however it ends.
 */
import type { RawEvent } from './domain/topics.ts';
import type { EventSubscription } from './store/event-stream.ts';

export function mapEvents<T>(source: EventSubscription, map: (event: RawEvent) => T | null, onEnd?: () => void): AsyncIterableIterator<T> {
  const ended = () => onEnd?.();
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      try {
        for (;;) {
          const result = await source.next();
          if (result.done === true) {
            ended();
            return { done: true, value: undefined };
          }
          const mapped = map(result.value);
          if (mapped !== null) return { done: false, value: mapped };
        }
      } catch (error) {
        ended();
        throw error;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      ended();
      await source.return();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<T>> {
      ended();
      await source.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
