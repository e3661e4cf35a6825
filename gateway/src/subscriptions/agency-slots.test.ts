/**
 * The AgencySlots contract against the memory adapter and real Redis (two connections = two replicas), then what
 * only replicas sharing Redis have: leases lapse when their replica stops refreshing, close hands them back, and
 * Redis not answering makes a replica count on its own (through a TCP relay to the real Redis that can hold traffic).
 */
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { connectRedis, createLogger, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { describeAgencySlotsContract } from './agency-slots.contract.ts';
import { createMemoryAgencySlots, type AgencySlots } from './limits.ts';
import { agencySlotKeyPattern } from '../redis-keys.ts';
import { createRedisAgencySlots, type RedisAgencySlotsOptions, type SlotStoreOperation } from './redis-agency-slots.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('gateway', 'silent');

async function deleteKeys(redis: RedisClient, keyPrefix: string): Promise<void> {
  for await (const keys of redis.scanIterator({ MATCH: agencySlotKeyPattern(keyPrefix), COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds (the test's timeout bounds the wait). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(10);
}

describeAgencySlotsContract('memory', async () => {
  const store = createMemoryAgencySlots();
  return { store, peer: store, cleanup: () => store.close() };
});

describeAgencySlotsContract('redis', async () => {
  const keyPrefix = testKeyPrefix();
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const options = { keyPrefix, leaseTtlMs: 30_000, refreshMs: 10_000, logger };
  const store = createRedisAgencySlots(a, options);
  const peer = createRedisAgencySlots(b, options);
  return {
    store,
    peer,
    async cleanup() {
      await store.close();
      await peer.close();
      await deleteKeys(a, keyPrefix);
      await a.quit();
      await b.quit();
    },
  };
});

/**
 * A TCP relay in front of the real Redis: `hold()` keeps what the client sends from reaching Redis (a Redis that
 * stopped answering, as in a network partition) until `release()` forwards it, in order.
 */
async function startRelay(target: URL): Promise<{ url: string; hold(): void; release(): void; close(): Promise<void> }> {
  let holding = false;
  const pending: Array<{ upstream: Socket; chunk: Buffer }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => (holding ? pending.push({ upstream, chunk }) : upstream.write(chunk)));
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    // The same database as the target's (REDIS_URL may name one, e.g. redis://127.0.0.1:6379/6).
    url: `redis://${target.username || target.password ? `${target.username}:${target.password}@` : ''}127.0.0.1:${port}${target.pathname}`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const { upstream, chunk } of pending.splice(0)) upstream.write(chunk);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('redis agency slots across replicas', { timeout: 20_000 }, () => {
  const keyPrefixes: string[] = [];
  const clients: RedisClient[] = [];
  const stores: AgencySlots[] = [];

  async function client(url = redisUrl): Promise<RedisClient> {
    const redis = await connectRedis(url);
    clients.push(redis);
    return redis;
  }

  function replica(redis: RedisClient, keyPrefix: string, options: Partial<RedisAgencySlotsOptions> = {}): AgencySlots {
    const store = createRedisAgencySlots(redis, { keyPrefix, leaseTtlMs: 30_000, refreshMs: 10_000, logger, ...options });
    stores.push(store);
    return store;
  }

  function freshPrefix(): string {
    const keyPrefix = testKeyPrefix();
    keyPrefixes.push(keyPrefix);
    return keyPrefix;
  }

  after(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    const cleaner = await connectRedis(redisUrl);
    for (const keyPrefix of keyPrefixes) await deleteKeys(cleaner, keyPrefix);
    await cleaner.quit();
    for (const redis of clients) {
      if (redis.isReady) await redis.quit();
      else if (redis.isOpen) redis.destroy(); // reconnecting to something gone: quit would wait for it
    }
  });

  it('keeps the slots of a replica that refreshes past the TTL; a replica that stops refreshing loses them after it', async () => {
    const keyPrefix = freshPrefix();
    const timing = { leaseTtlMs: 400, refreshMs: 100 };
    const doomedRedis = await client();
    const doomed = replica(doomedRedis, keyPrefix, timing);
    const survivor = replica(await client(), keyPrefix, timing);

    assert.ok(await doomed.acquire('connections', 'A', 1));
    assert.ok(await doomed.acquire('subscriptions', 'A', 5));
    await sleep(3 * timing.leaseTtlMs);
    assert.equal(await survivor.acquire('connections', 'A', 1), undefined, 'still held: refreshed three TTLs long');
    assert.equal(await survivor.count('subscriptions', 'A'), 1);

    // The replica dies: its connection to Redis is gone, nothing is released or refreshed any more.
    doomedRedis.destroy();
    const diedAt = Date.now();
    assert.equal(await survivor.count('connections', 'A'), 1, 'not before the TTL');
    await until(async () => (await survivor.count('connections', 'A')) === 0 && (await survivor.count('subscriptions', 'A')) === 0);
    const lapsedAfter = Date.now() - diedAt;
    assert.ok(lapsedAfter <= timing.leaseTtlMs + 300, `lapsed ${lapsedAfter} ms after the last refresh could have happened`);
    assert.ok(await survivor.acquire('connections', 'A', 1), 'the slot is free for the surviving replica');
  });

  it('hands back every slot it still holds when closed, in one go', async () => {
    const keyPrefix = freshPrefix();
    const closing = replica(await client(), keyPrefix);
    const observer = replica(await client(), keyPrefix);
    await closing.acquire('connections', 'A', 10);
    await closing.acquire('connections', 'A', 10);
    await closing.acquire('subscriptions', 'B', 10);
    assert.equal(await observer.count('connections', 'A'), 2);
    await closing.close();
    assert.equal(await observer.count('connections', 'A'), 0);
    assert.equal(await observer.count('subscriptions', 'B'), 0);
  });

  it('counts on its own, against the same limit, when Redis is not connected, and reports it', async () => {
    const keyPrefix = freshPrefix();
    const lost = await client();
    const failures: SlotStoreOperation[] = [];
    const alone = replica(lost, keyPrefix, { onFailure: (operation) => failures.push(operation) });
    lost.destroy();
    const first = await alone.acquire('connections', 'A', 2);
    assert.ok(first);
    assert.ok(await alone.acquire('connections', 'A', 2));
    assert.equal(await alone.acquire('connections', 'A', 2), undefined, 'the limit still holds on this replica');
    first.release();
    assert.ok(await alone.acquire('connections', 'A', 2));
    assert.deepEqual(failures.filter((f) => f === 'acquire').length, 4);
  });

  it('an answer that comes after the timeout neither leaks a slot nor loses a held one', async () => {
    const keyPrefix = freshPrefix();
    const relay = await startRelay(new URL(redisUrl));
    try {
      const failures: SlotStoreOperation[] = [];
      const slow = await client(relay.url);
      const store = replica(slow, keyPrefix, { acquireTimeoutMs: 100, onFailure: (operation) => failures.push(operation) });
      const observer = replica(await client(), keyPrefix);
      (await store.acquire('connections', 'warm-up', 1))?.release(); // the script is known to Redis from here on

      relay.hold();
      const kept = await store.acquire('connections', 'A', 5);
      const dropped = await store.acquire('connections', 'A', 5);
      assert.ok(kept && dropped, 'counted locally after the timeout');
      assert.deepEqual(failures, ['acquire', 'acquire']);
      dropped.release(); // while its script has not reached Redis yet
      relay.release();
      await slow.ping(); // answered after everything sent before it
      await sleep(50); // the late answers' clean-up
      await slow.ping();
      assert.equal(await observer.count('connections', 'A'), 1, 'the held lease is in Redis, the released one is not');

      kept.release();
      await slow.ping();
      assert.equal(await observer.count('connections', 'A'), 0);
      await store.close();
      await slow.quit();
    } finally {
      await relay.close();
    }
  });
});
