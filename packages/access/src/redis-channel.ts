/** Listening to a store's change channel on a connection of its own (a subscribed Redis connection runs nothing else). */
import type { RedisClient } from '@lgsp/kit';

/**
 * Subscribes `listener` to `channel` on a duplicate of `redis`, which it adds to `open` (the store closes what is left
 * there). The listener is also called after a reconnect, since changes may have been published meanwhile. Answers the
 * unsubscribe.
 */
export async function listenToChannel(redis: RedisClient, channel: string, listener: () => void, open: Set<RedisClient>): Promise<() => Promise<void>> {
  const subscriber = redis.duplicate() as RedisClient;
  subscriber.on('error', () => {
    /* reconnects on its own; a missed message is covered by the 'ready' notification below */
  });
  let ready = false;
  subscriber.on('ready', () => {
    if (ready) listener();
    ready = true;
  });
  await subscriber.connect();
  await subscriber.subscribe(channel, () => listener());
  open.add(subscriber);
  return async () => {
    if (!open.delete(subscriber)) return;
    await subscriber.quit().catch(() => undefined);
  };
}

/** Closes every subscriber connection left in `open`. */
export async function closeChannels(open: Set<RedisClient>): Promise<void> {
  await Promise.all([...open].map((s) => s.quit().catch(() => undefined)));
  open.clear();
}
