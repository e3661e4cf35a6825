/**
 * Redis HealthStore (keys.ts): states in one hash, samples and transitions in a sorted set per system (by time, so a
 * period is one ZRANGEBYSCORE and trimming one ZREMRANGEBYSCORE), rollups in a hash per system updated by a script
 * (read, add, write in one step), pushes accepted by a script (nonce SET NX and the newest time compared together).
 */
import { randomUUID } from 'node:crypto';
import { redisScript, type RedisClient } from '@lgsp/kit';
import type { DailyRollup, HealthSample, HealthTransition, SystemState } from '../domain/model.ts';
import { emptyRollup, type HealthStore } from './health-store.ts';
import { healthKeys } from './keys.ts';

/** KEYS: rollups. ARGV: day, up, degraded, down, samples, failures. */
const ADD_ROLLUP = redisScript(`
local row = redis.call('HGET', KEYS[1], ARGV[1])
local r = row and cjson.decode(row) or { day = ARGV[1], upSeconds = 0, degradedSeconds = 0, downSeconds = 0, samples = 0, failures = 0 }
r.upSeconds = r.upSeconds + tonumber(ARGV[2])
r.degradedSeconds = r.degradedSeconds + tonumber(ARGV[3])
r.downSeconds = r.downSeconds + tonumber(ARGV[4])
r.samples = r.samples + tonumber(ARGV[5])
r.failures = r.failures + tonumber(ARGV[6])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
return 1`);

/** KEYS: nonce, lastPush. ARGV: observed ms, nonce ttl ms. 1 = accepted, 0 = replayed. */
const ACCEPT_PUSH = redisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
return 1`);

/** Members carry a random id so that two equal samples are two members. */
const member = (value: object) => JSON.stringify({ ...value, _id: randomUUID() });
const unmember = <T>(text: string): T => {
  const { _id, ...value } = JSON.parse(text) as Record<string, unknown>;
  return value as T;
};

export function createRedisHealthStore(redis: RedisClient, options: { keyPrefix: string }): HealthStore {
  const keys = healthKeys(options.keyPrefix);
  const systems = async () => redis.hKeys(keys.states);
  return {
    async state(systemId) {
      const json = await redis.hGet(keys.states, systemId);
      return json === null || json === undefined ? null : (JSON.parse(json) as SystemState);
    },
    async states(agencyCode) {
      const all = Object.values(await redis.hGetAll(keys.states)).map((json) => JSON.parse(json) as SystemState);
      return all.filter((s) => agencyCode === undefined || s.agencyCode === agencyCode).sort((a, b) => (a.systemId < b.systemId ? -1 : 1));
    },
    async putState(state) {
      await redis.hSet(keys.states, state.systemId, JSON.stringify(state));
    },
    async addSample(sample) {
      await redis.zAdd(keys.samples(sample.systemId), { score: sample.atMs, value: member(sample) });
    },
    async samples(systemId, fromMs, toMs, limit) {
      const rows = await redis.zRangeByScore(keys.samples(systemId), fromMs, `(${toMs}`, { LIMIT: { offset: 0, count: limit } });
      return rows.map((row) => unmember<HealthSample>(row));
    },
    async addTransition(transition) {
      await redis.zAdd(keys.transitions(transition.systemId), { score: transition.atMs, value: member(transition) });
    },
    async transitions(systemId, fromMs, toMs) {
      return (await redis.zRangeByScore(keys.transitions(systemId), fromMs, `(${toMs}`)).map((row) => unmember<HealthTransition>(row));
    },
    async lastTransitionBefore(systemId, beforeMs) {
      const rows = await redis.zRange(keys.transitions(systemId), `(${beforeMs}`, '-inf', { BY: 'SCORE', REV: true, LIMIT: { offset: 0, count: 1 } });
      return rows[0] === undefined ? null : unmember<HealthTransition>(rows[0]);
    },
    async addToRollup(systemId, day, delta) {
      await ADD_ROLLUP.run(
        redis,
        [keys.rollups(systemId)],
        [day, delta.upSeconds, delta.degradedSeconds, delta.downSeconds, delta.samples, delta.failures].map(String),
      );
    },
    async rollups(systemId, fromDay, toDay) {
      const all = await redis.hGetAll(keys.rollups(systemId));
      return Object.entries(all)
        .filter(([day]) => day >= fromDay && day <= toDay)
        .map(([day, json]) => ({ ...emptyRollup(day), ...(JSON.parse(json) as Partial<DailyRollup>), day }))
        .sort((a, b) => (a.day < b.day ? -1 : 1));
    },
    async acceptPush(systemId, nonce, observedAtMs, nonceTtlMs) {
      const accepted = await ACCEPT_PUSH.run(redis, [keys.nonce(systemId, nonce), keys.lastPush(systemId)], [String(observedAtMs), String(nonceTtlMs)]);
      return Number(accepted) === 1;
    },
    async trim(samplesBeforeMs, historyBeforeMs, historyBeforeDay) {
      const counts = { samples: 0, transitions: 0, rollups: 0 };
      for (const system of await systems()) {
        counts.samples += await redis.zRemRangeByScore(keys.samples(system), '-inf', `(${samplesBeforeMs}`);
        counts.transitions += await redis.zRemRangeByScore(keys.transitions(system), '-inf', `(${historyBeforeMs}`);
        const old = (await redis.hKeys(keys.rollups(system))).filter((day) => day < historyBeforeDay);
        if (old.length > 0) counts.rollups += await redis.hDel(keys.rollups(system), old);
      }
      return counts;
    },
    async close() {},
  };
}
