/**
 * Child processes of the benchmark: each runs one part (subgraphs, one gateway) pinned to a CPU with `taskset`,
 * announces itself with one `BENCH_READY {json}` line on stdout, and stops on SIGTERM (cleanly, so that
 * `--cpu-prof` can write its profile on exit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_PREFIX = 'BENCH_READY ';
/** Set by the harness on its children: their stdin is a pipe from the harness, closed when it exits. */
const PARENT_WATCH_VARIABLE = 'BENCH_WATCH_PARENT';

/** Called by a child once it is ready to serve. */
export function announceReady(info: Record<string, unknown>): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`);
}

/**
 * Called by a child: run `close` on SIGTERM/SIGINT, or when the harness goes away (its end of our stdin closes —
 * also when it was killed with SIGKILL), then exit 0 (which is when node writes a --cpu-prof profile).
 */
export function closeOnSignal(close: () => Promise<void>): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    // Stop watching the harness: the open stdin would keep the event loop alive when `close` leaves nothing else
    // (the stock gateway: Apollo Server stops itself on SIGTERM and our second `stop()` never settles).
    if (watching) process.stdin.destroy();
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    close()
      .catch((error: unknown) => process.stderr.write(`close failed: ${String(error)}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const watching = process.env[PARENT_WATCH_VARIABLE] === '1';
  if (watching) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

/**
 * Everything the harness has started and not yet stopped (gateways, upstream processes, load generators), so that
 * an interrupted or failed run can stop them all (`stopAllChildren`).
 */
const liveChildren = new Set<ChildProcess>();

/** Registers a child process for `stopAllChildren` (until it exits). */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Stops every child still running: SIGTERM, then SIGKILL after `graceMs`. Resolves when all have exited. */
export async function stopAllChildren(graceMs = 5_000): Promise<void> {
  const running = [...liveChildren].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Kills every child still running at once (SIGKILL), synchronously: for a second Ctrl+C or a hung run. */
export function killAllChildren(): void {
  for (const child of liveChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

let tasksetChecked: boolean | undefined;
export function hasTaskset(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetChecked;
}

export interface PinnedChild<Info> {
  info: Info;
  pid: number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** CPU list for taskset, e.g. "0". */
  cpu: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  env?: Record<string, string | undefined>;
  /** Extra node options placed before the entry (e.g. --cpu-prof). */
  nodeArgs?: string[];
  label: string;
  readyTimeoutMs?: number;
}

/** Starts `taskset -c <cpu> node --import tsx <entry>` and resolves with what it announced. */
export async function spawnPinned<Info>(options: SpawnOptions): Promise<PinnedChild<Info>> {
  const nodeArgv = [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry];
  const [command, args] = hasTaskset() ? ['taskset', ['-c', options.cpu, process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
  const env: Record<string, string | undefined> = { ...process.env, ...options.env, [PARENT_WATCH_VARIABLE]: '1' };
  // Each child gets exactly the node flags the harness chooses (nodeArgs), not whatever the shell exported.
  if (options.env?.NODE_OPTIONS === undefined) delete env.NODE_OPTIONS;
  const child: ChildProcess = spawn(command as string, args as string[], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  child.stdin!.on('error', () => undefined); // EPIPE when the child has already exited
  const stderrTail: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail.push(chunk);
    if (stderrTail.length > 50) stderrTail.shift();
    if (process.env.BENCH_VERBOSE === '1') process.stderr.write(`[${options.label}] ${chunk}`);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label}: not ready within ${options.readyTimeoutMs ?? 60_000} ms\n${stderrTail.join('')}`));
    }, options.readyTimeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith(READY_PREFIX)) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(READY_PREFIX.length)) as Info);
      } else if (process.env.BENCH_VERBOSE === '1') {
        process.stderr.write(`[${options.label}] ${line}\n`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited with code ${code} before it was ready:\n${stderrTail.join('')}`));
    });
  });

  return {
    info,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

let clockTicks: number | undefined;
/** CPU time (user + system, seconds) a process has used so far, from /proc; undefined where /proc is absent. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies per CPU from /proc/stat (undefined where /proc is absent). */
export async function cpuTimes(): Promise<Record<string, { busy: number; total: number }> | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const text = await readFile('/proc/stat', 'utf8');
    const result: Record<string, { busy: number; total: number }> = {};
    for (const line of text.split('\n')) {
      const match = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (match === null) continue;
      const v = match[2]!.split(/\s+/).map(Number);
      const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal
      result[match[1]!] = { busy: total - idle, total };
    }
    return result;
  } catch {
    return undefined;
  }
}
