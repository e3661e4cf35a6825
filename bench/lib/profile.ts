/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and summarises where the time went: the functions with
 * the most self time, and self time grouped by package (or by our own source folder).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './child.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  topFunctions: ProfileEntry[];
  byArea: ProfileEntry[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  let path = url.replace(/^file:\/\//, '');
  if (path.startsWith(REPO_ROOT)) path = path.slice(REPO_ROOT.length);
  return path.replace(/^.*node_modules\//, '');
}

/** `@apollo/gateway`, `graphql`, `node:internal`, `gateway/src/federation`, … */
function areaOf(functionName: string, url: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const local = shortUrl(url).split('/');
  return local.slice(0, Math.min(3, local.length - 1)).join('/') || local.join('/');
}

/**
 * A time window in wall-clock ms. The profile's clock is mapped to the wall clock through its start, which is taken
 * as the moment the process was spawned (`processStartMs`); node starts the profiler a few tens of ms later, so
 * the window is accurate to about that.
 */
export interface ProfileWindow {
  processStartMs: number;
  fromMs: number;
  toMs: number;
}

export function summariseProfile(profile: CpuProfile, file: string, top = 15, window?: ProfileWindow): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const fromUs = window === undefined ? -Infinity : profile.startTime + (window.fromMs - window.processStartMs) * 1000;
  const toUs = window === undefined ? Infinity : profile.startTime + (window.toMs - window.processStartMs) * 1000;
  // timeDeltas[i] is the time since the previous sample; attribute the next delta to sample i (what DevTools does).
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = SPECIAL.has(functionName)
      ? functionName
      : `${functionName || '(anonymous)'} ${url === '' ? '(native)' : `${shortUrl(url)}:${lineNumber + 1}`}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(functionName, url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (m: Map<string, number>, n: number): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: busyUs > 0 ? (100 * us) / busyUs : 0 }));
  return { file, totalMs: totalUs / 1000, idleMs: idleUs / 1000, busyMs: busyUs / 1000, topFunctions: rank(functions, top), byArea: rank(areas, 12) };
}

/**
 * The newest main-thread `.cpuprofile` in `dir` written after `since` (ms epoch), summarised. Node names them
 * `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; thread 0 is the main thread (tsx runs its module loader
 * in a worker thread, which writes a profile of its own).
 */
export async function summariseNewestProfile(dir: string, since: number, top = 15, window?: ProfileWindow): Promise<ProfileSummary | undefined> {
  const { stat } = await import('node:fs/promises');
  const candidates: { file: string; mtime: number }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name)) continue;
    const file = join(dir, name);
    const { mtimeMs } = await stat(file);
    if (mtimeMs >= since) candidates.push({ file, mtime: mtimeMs });
  }
  const newest = candidates.sort((a, b) => b.mtime - a.mtime)[0];
  if (newest === undefined) return undefined;
  return summariseProfile(JSON.parse(await readFile(newest.file, 'utf8')) as CpuProfile, newest.file, top, window);
}
