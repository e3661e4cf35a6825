/**
 * A system ONLINE since its first check (the gap the portal's systems page found): its history's days count the time
 * since that check as up before a second one comes, and its availability stays known once the history before the
 * period is trimmed; a system never checked has no availability, with the reason. Memory and Redis stores.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { memoryEventPublisher } from '@lgsp/events';
import { connectRedis, createLogger, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { callerFrom } from '../../caller.ts';
import { OPERATOR } from '../../testing.ts';
import type { HealthStore } from '../store/health-store.ts';
import { createMemoryHealthStore } from '../store/memory-health-store.ts';
import { createRedisHealthStore } from '../store/redis-health-store.ts';
import { HealthService } from './health-service.ts';
import { HealthTracker } from './tracker.ts';

const AGENCY = '000.00.04.H41';
const SYSTEM = `${AGENCY}:ho-tich`;
const NEVER = `${AGENCY}:chua-kiem-tra`;
const MINUTE = 60_000;
const DAY = 86_400_000;
// 10:00 in Vietnam (03:00 UTC): the first check, and the day it is in.
const FIRST_CHECK = Date.parse('2026-12-01T03:00:00Z');
const caller = callerFrom(OPERATOR);

function harness(store: HealthStore) {
  let now = FIRST_CHECK;
  const tracker = new HealthTracker({
    store,
    events: memoryEventPublisher(),
    metrics: { status() {}, transition() {} },
    logger: createLogger('first-check-test', 'silent'),
    failuresOffline: 3,
  });
  const service = new HealthService({
    store,
    tracker,
    registered: (id) => (id === SYSTEM || id === NEVER ? { agencyCode: AGENCY, hasLevel1: true } : null),
    presence: null,
    pushWindowSeconds: 300,
    pushCreditSeconds: 180,
    report() {},
    now: () => new Date(now),
  });
  const check = (atMs: number) =>
    tracker.observe(
      { systemId: SYSTEM, agencyCode: AGENCY, level: 1, source: 'pull', status: 'UP', atMs, latencyMs: 4, checks: [], detail: null },
      { decisive: true, creditCapSeconds: 30 * 60 }, // checked every 10 minutes
    );
  const last30Days = () => ({ from: new Date(now - 30 * DAY).toISOString(), to: new Date(now).toISOString() });
  return { service, check, last30Days, setNow: (ms: number) => (now = ms) };
}

for (const adapter of ['memory', 'redis'] as const) {
  describe(`a system online since its first check (${adapter} store)`, () => {
    let redis: RedisClient | null = null;
    const keyPrefix = testKeyPrefix();
    const store = async (): Promise<HealthStore> => {
      if (adapter === 'memory') return createMemoryHealthStore();
      redis ??= await connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      return createRedisHealthStore(redis, { keyPrefix: `${keyPrefix}${Math.random().toString(36).slice(2, 8)}:` });
    };
    after(async () => {
      if (redis === null) return;
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    });

    it('counts the time since the first check as up in the history, before a second check', async () => {
      const h = harness(await store());
      await h.check(FIRST_CHECK);
      h.setNow(FIRST_CHECK + 10 * MINUTE);
      const history = await h.service.history(caller, SYSTEM, h.last30Days().from, h.last30Days().to);
      assert.deepEqual(
        history.transitions.map((t) => `${t.from}→${t.to}`),
        ['UNKNOWN→ONLINE'],
      );
      const today = history.rollups.find((r) => r.day === '2026-12-01');
      assert.equal(today?.upSeconds, 600, JSON.stringify(history.rollups));
      const availability = await h.service.availability(caller, SYSTEM, h.last30Days().from, h.last30Days().to);
      assert.equal(availability.percent, 100);
      assert.equal(availability.upSeconds, 600);
      assert.equal(availability.reason, null);
    });

    it('credits no more than the next check would, split at Vietnam midnight, and nothing twice', async () => {
      const h = harness(await store());
      const late = Date.parse('2026-12-01T16:50:00Z'); // 23:50 in Vietnam
      await h.check(late);
      h.setNow(late + 2 * 3_600_000); // two hours later, no check since: only the 30 minutes a check would credit
      const rollups = (await h.service.history(caller, SYSTEM, h.last30Days().from, h.last30Days().to)).rollups;
      assert.deepEqual(
        rollups.map((r) => [r.day, r.upSeconds]),
        [
          ['2026-12-01', 600],
          ['2026-12-02', 1200],
        ],
      );
      // The check credits the 20 minutes itself (to its own day, as the tracker does); the open span starts again.
      await h.check(late + 20 * MINUTE);
      h.setNow(late + 25 * MINUTE);
      const after = (await h.service.history(caller, SYSTEM, h.last30Days().from, h.last30Days().to)).rollups;
      assert.deepEqual(
        after.map((r) => [r.day, r.upSeconds]),
        [
          ['2026-12-01', 0],
          ['2026-12-02', 1500],
        ],
      );
    });

    it('keeps the availability of a system in one status for longer than the history kept', async () => {
      const s = await store();
      const h = harness(s);
      await h.check(FIRST_CHECK);
      const later = FIRST_CHECK + 120 * DAY;
      await h.check(later - 5 * MINUTE);
      h.setNow(later);
      // 100 days of history: the UNKNOWN → ONLINE transition goes.
      await s.trim(later - 7 * DAY, later - 100 * DAY, '2026-01-01');
      assert.deepEqual(await s.transitions(SYSTEM, 0, later), []);
      const availability = await h.service.availability(caller, SYSTEM, h.last30Days().from, h.last30Days().to);
      assert.equal(availability.percent, 100, JSON.stringify(availability));
      assert.equal(availability.unknownSeconds, 0);
    });

    it('a system never checked has no availability, with the reason; a period before the first check says so', async () => {
      const h = harness(await store());
      const never = await h.service.availability(caller, NEVER, h.last30Days().from, h.last30Days().to);
      assert.equal(never.percent, null);
      assert.equal(never.reason, 'NEVER_CHECKED');
      await h.check(FIRST_CHECK);
      h.setNow(FIRST_CHECK + 10 * MINUTE);
      const before = await h.service.availability(caller, SYSTEM, new Date(FIRST_CHECK - DAY).toISOString(), new Date(FIRST_CHECK - MINUTE).toISOString());
      assert.equal(before.percent, null);
      assert.equal(before.reason, 'NOT_CHECKED_IN_PERIOD');
    });
  });
}
