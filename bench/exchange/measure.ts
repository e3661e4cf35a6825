/** Small measuring helpers of the exchange parts: percentiles, CPU use of processes over a window, RSS sampling. */
import { readdir, readFile } from 'node:fs/promises';
import { cpuSeconds, cpuTimes } from '../lib/child.ts';
import { childProcesses, rssBytes } from './platform.ts';

/** The p-th percentile (0–100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '?');
export const mb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? '?' : (bytes / 1024 / 1024).toFixed(1));

/** The pid of the local redis-server, if one runs on this machine (for its CPU share; nothing else is done with it). */
export async function redisServerPid(): Promise<number | undefined> {
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const comm = await readFile(`/proc/${name}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'redis-server') return Number(name);
  }
  return undefined;
}

/**
 * CPU time of named processes over a window: `start()` then `stop()` → % of one core each; `client` is this process
 * (the load generator), `machine` all CPUs together (200 % = both cores busy) and `others` what the machine used
 * beyond the processes named (the platform's idle services, the kernel, and any other work on the machine: a large
 * figure means the run competed for the CPUs).
 */
/**
 * CPU seconds of a process and its live descendants (the relay's workers with RELAY_WORKERS > 1). A worker that
 * ends inside the window takes its seconds with it; the harness starts none then.
 */
async function treeCpuSeconds(pid: number): Promise<number | undefined> {
  const own = await cpuSeconds(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const child of await childProcesses(pid)) total += (await treeCpuSeconds(child)) ?? 0;
  return total;
}

export function cpuWindow(processes: Record<string, number | undefined>) {
  let startedAt = 0;
  let before: Record<string, number | undefined> = {};
  let selfBefore = process.cpuUsage();
  let machineBefore: Awaited<ReturnType<typeof cpuTimes>>;
  const read = async () =>
    Object.fromEntries(
      await Promise.all(Object.entries(processes).map(async ([k, pid]) => [k, pid === undefined ? undefined : await treeCpuSeconds(pid)] as const)),
    );
  return {
    async start() {
      before = await read();
      machineBefore = await cpuTimes();
      selfBefore = process.cpuUsage();
      startedAt = performance.now();
    },
    async stop(): Promise<Record<string, number | undefined>> {
      const seconds = (performance.now() - startedAt) / 1000;
      const after = await read();
      const self = process.cpuUsage(selfBefore);
      const result: Record<string, number | undefined> = {};
      for (const k of Object.keys(processes)) {
        const a = after[k];
        const b = before[k];
        result[k] = a === undefined || b === undefined ? undefined : ((a - b) / seconds) * 100;
      }
      result.client = ((self.user + self.system) / 1e6 / seconds) * 100;
      const machineAfter = await cpuTimes();
      if (machineBefore !== undefined && machineAfter !== undefined) {
        let machine = 0;
        for (const [cpu, t] of Object.entries(machineAfter)) {
          const b = machineBefore[cpu];
          if (b !== undefined && t.total > b.total) machine += ((t.busy - b.busy) / (t.total - b.total)) * 100;
        }
        const ours = Object.values(result).reduce<number>((sum, v) => sum + (v ?? 0), 0);
        result.machine = machine;
        result.others = Math.max(0, machine - ours);
      }
      return result;
    },
  };
}

export const cpuText = (cpu: Record<string, number | undefined>) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v === undefined ? '?' : v.toFixed(0)}%`)
    .join(', ');

/** Samples the RSS of processes every `intervalMs` until stopped; reports each one's baseline and peak. */
export function sampleRss(processes: Record<string, number | undefined>, intervalMs = 25) {
  const peaks: Record<string, number> = {};
  const baselines: Record<string, number> = {};
  let samples = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const sample = async () => {
    samples += 1;
    for (const [name, pid] of Object.entries(processes)) {
      if (pid === undefined) continue;
      const rss = await rssBytes(pid);
      if (rss !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, rss);
    }
  };
  return {
    async start() {
      for (const [name, pid] of Object.entries(processes)) {
        const rss = pid === undefined ? undefined : await rssBytes(pid);
        if (rss !== undefined) {
          baselines[name] = rss;
          peaks[name] = rss;
        }
      }
      timer = setInterval(() => void sample(), intervalMs);
    },
    async stop(): Promise<{ samples: number; processes: Record<string, { baseline: number; peak: number; growth: number }> }> {
      clearInterval(timer);
      await sample();
      const result: Record<string, { baseline: number; peak: number; growth: number }> = {};
      for (const name of Object.keys(baselines)) result[name] = { baseline: baselines[name]!, peak: peaks[name]!, growth: peaks[name]! - baselines[name]! };
      return { samples, processes: result };
    },
  };
}
