/** Helpers for this service's tests (never used by production code). */
import assert from 'node:assert/strict';
import type { Client } from 'graphql-ws';
import { eventKeyPattern, namespaceKeyPrefix } from '@lgsp/events';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A Redis client and a key prefix of its own; `cleanup` deletes every event stream under the prefix, production's and
 * the test namespace's, and disconnects.
 */
export async function testRedis(): Promise<{ redis: RedisClient; keyPrefix: string; cleanup(): Promise<void> }> {
  const redis = await connectRedis(redisUrl);
  const keyPrefix = testKeyPrefix();
  return {
    redis,
    keyPrefix,
    async cleanup() {
      for (const prefix of [keyPrefix, namespaceKeyPrefix(keyPrefix, 'test')]) {
        for await (const keys of redis.scanIterator({ MATCH: eventKeyPattern(prefix), COUNT: 500 })) {
          if (keys.length > 0) await redis.del(keys);
        }
      }
      await redis.quit();
    },
  };
}

/** Waits until `condition` holds (a state reached by another connection), failing after `ms`. */
export async function eventually(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What `POST /internal/events` counted so far, read from the service's `/metrics`. */
export async function publishCounts(origin: string): Promise<{ published: number; refused: number; failed: number; events: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const sample = (name: string, outcome?: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && (outcome === undefined || l.includes(`outcome="${outcome}"`)));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    published: sample('lgsp_subscriptions_publish_requests_total', 'published'),
    refused: sample('lgsp_subscriptions_publish_requests_total', 'refused'),
    failed: sample('lgsp_subscriptions_publish_requests_total', 'failed'),
    events: sample('lgsp_subscriptions_posted_events_total'),
  };
}

export type Item =
  | { kind: 'next'; value: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }
  | { kind: 'error'; error: any }
  | { kind: 'complete' };

/** One subscription on a graphql-ws client, read item by item. */
export function follow(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const items: Item[] = [];
  let wake: (() => void) | null = null;
  const push = (item: Item) => {
    items.push(item);
    wake?.();
  };
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => push({ kind: 'next', value: value as never }),
      error: (error) => push({ kind: 'error', error }),
      complete: () => push({ kind: 'complete' }),
    },
  );
  return {
    dispose,
    async next(): Promise<Item> {
      const deadline = Date.now() + 10_000;
      while (items.length === 0) {
        if (Date.now() > deadline) throw new Error(`no message for ${query.slice(0, 60)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return items.shift()!;
    },
    async data(field: string): Promise<Record<string, any>> {
      const item = await this.next();
      assert.equal(item.kind, 'next', `expected an event, got ${JSON.stringify(item)}`);
      const value = (item as Extract<Item, { kind: 'next' }>).value;
      assert.equal(value.errors, undefined, JSON.stringify(value.errors));
      return value.data![field];
    },
    pending: () => items.length,
  };
}
