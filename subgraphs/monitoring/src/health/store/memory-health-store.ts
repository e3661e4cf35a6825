/** The health store in memory: embedded mode (`npm start` without Redis) and tests. Same behaviour as Redis (contract). */
import type { DailyRollup, HealthSample, HealthTransition, SystemState } from '../domain/model.ts';
import { emptyRollup, type HealthStore } from './health-store.ts';

export function createMemoryHealthStore(now: () => number = Date.now): HealthStore {
  const states = new Map<string, SystemState>();
  const samples = new Map<string, HealthSample[]>();
  const transitions = new Map<string, HealthTransition[]>();
  const rollups = new Map<string, Map<string, DailyRollup>>();
  const nonces = new Map<string, number>(); // `${system}\n${nonce}` → expiry ms
  const lastPush = new Map<string, number>();
  const clone = <T>(v: T): T => structuredClone(v);
  const insertSorted = <T extends { atMs: number }>(list: T[], item: T) => {
    let i = list.length;
    while (i > 0 && list[i - 1]!.atMs > item.atMs) i -= 1;
    list.splice(i, 0, item);
  };
  return {
    async state(systemId) {
      const s = states.get(systemId);
      return s === undefined ? null : clone(s);
    },
    async states(agencyCode) {
      return [...states.values()].filter((s) => agencyCode === undefined || s.agencyCode === agencyCode).map(clone);
    },
    async putState(state) {
      states.set(state.systemId, clone(state));
    },
    async addSample(sample) {
      const list = samples.get(sample.systemId) ?? [];
      insertSorted(list, clone(sample));
      samples.set(sample.systemId, list);
    },
    async samples(systemId, fromMs, toMs, limit) {
      return (samples.get(systemId) ?? [])
        .filter((s) => s.atMs >= fromMs && s.atMs < toMs)
        .slice(0, limit)
        .map(clone);
    },
    async addTransition(transition) {
      const list = transitions.get(transition.systemId) ?? [];
      insertSorted(list, clone(transition));
      transitions.set(transition.systemId, list);
    },
    async transitions(systemId, fromMs, toMs) {
      return (transitions.get(systemId) ?? []).filter((t) => t.atMs >= fromMs && t.atMs < toMs).map(clone);
    },
    async lastTransitionBefore(systemId, beforeMs) {
      const found = (transitions.get(systemId) ?? []).filter((t) => t.atMs < beforeMs).at(-1);
      return found === undefined ? null : clone(found);
    },
    async addToRollup(systemId, day, delta) {
      const days = rollups.get(systemId) ?? new Map<string, DailyRollup>();
      const row = days.get(day) ?? emptyRollup(day);
      row.upSeconds += delta.upSeconds;
      row.degradedSeconds += delta.degradedSeconds;
      row.downSeconds += delta.downSeconds;
      row.samples += delta.samples;
      row.failures += delta.failures;
      days.set(day, row);
      rollups.set(systemId, days);
    },
    async rollups(systemId, fromDay, toDay) {
      return [...(rollups.get(systemId)?.values() ?? [])]
        .filter((r) => r.day >= fromDay && r.day <= toDay)
        .sort((a, b) => (a.day < b.day ? -1 : 1))
        .map(clone);
    },
    async acceptPush(systemId, nonce, observedAtMs, nonceTtlMs) {
      const key = `${systemId}\n${nonce}`;
      const t = now();
      for (const [k, expiry] of nonces) if (expiry <= t) nonces.delete(k);
      if (nonces.has(key)) return false;
      if (observedAtMs <= (lastPush.get(systemId) ?? -Infinity)) return false;
      nonces.set(key, t + nonceTtlMs);
      lastPush.set(systemId, observedAtMs);
      return true;
    },
    async trim(samplesBeforeMs, historyBeforeMs, historyBeforeDay) {
      const counts = { samples: 0, transitions: 0, rollups: 0 };
      for (const [id, list] of samples) {
        const kept = list.filter((s) => s.atMs >= samplesBeforeMs);
        counts.samples += list.length - kept.length;
        samples.set(id, kept);
      }
      for (const [id, list] of transitions) {
        const kept = list.filter((s) => s.atMs >= historyBeforeMs);
        counts.transitions += list.length - kept.length;
        transitions.set(id, kept);
      }
      for (const days of rollups.values())
        for (const day of [...days.keys()])
          if (day < historyBeforeDay) {
            days.delete(day);
            counts.rollups += 1;
          }
      return counts;
    },
    async close() {},
  };
}
