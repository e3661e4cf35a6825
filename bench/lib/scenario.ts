/**
 * One benchmark scenario: a set of upstream services already running (pinned to the "upstream" CPU), one request,
 * and gateways to compare. Every gateway is started in its own process pinned to the "gateway" CPU; each answers
 * the request once (checked byte-identical against the first gateway's answer) before any timing; then the
 * gateways are loaded one at a time, each alone on its CPU while the others wait idle.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cpuSeconds, cpuTimes, spawnPinned, type PinnedChild } from './child.ts';
import { describeDifference, firstDifference } from './compare.ts';
import { runLoad, type LoadResult } from './load.ts';
import { summariseNewestProfile, type ProfileSummary } from './profile.ts';

export interface GatewaySpec {
  /** Short name shown in the table, e.g. "stock", "ours (native)". */
  name: string;
  role: 'baseline' | 'ours';
  /** Entry file relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  /** Node flags placed before the entry, e.g. `--max-semi-space-size=64` (as `npm start` runs our gateway). */
  nodeArgs?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  /** The JSON request body sent to POST /graphql (or the gateway's URL). */
  body: string;
  gateways: GatewaySpec[];
  /** Cumulative requests received per upstream service so far (differences give per-operation figures). */
  counters(): Promise<Record<string, number>>;
  /** Process ids of the upstream services (for their CPU use during the timed run). */
  upstreamPids: number[];
  /** A reason the (first) response is unusable for a benchmark, e.g. it carries errors. */
  checkResponse?(text: string): string | undefined;
  /**
   * Extra request headers, fetched anew for each gateway's probe and again for its load run (part b: a fresh
   * access token — they last minutes — and the purpose header).
   */
  requestHeaders?(): Promise<Record<string, string>>;
}

export interface BenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  gatewayCpu: string;
  upstreamCpu: string;
  profile: boolean;
  outDir: string;
  workDir: string;
}

export interface GatewayResult {
  name: string;
  role: 'baseline' | 'ours';
  /** Node flags the gateway process ran with (empty: Node's defaults). */
  nodeArgs: string[];
  load: LoadResult;
  /** Upstream requests made for one operation (measured on the probe request). */
  upstreamRequestsPerOperation: Record<string, number>;
  upstreamRequestsPerOperationTotal: number;
  /** Upstream requests during the timed run divided by the operations wrk/autocannon completed (slightly high:
   *  the requests still in flight when the load generator stops are finished by the gateway but not counted). */
  upstreamRequestsPerOperationUnderLoad: number;
  /** CPU use during the timed run, in % of one core: the gateway process, and the upstream process(es). */
  gatewayCpuPercent?: number;
  upstreamCpuPercent?: number;
  /** Whole-machine busy share of each CPU during the timed run (gateway CPU, upstream + load generator CPU). */
  coreBusyPercent?: Record<string, number>;
  /** Set when other processes competed for the gateway's CPU during the timed run: the figure is unreliable. */
  contention?: string;
  /** What limited the run: the gateway process (≥ 90 % of its CPU), the upstream CPU (≥ 95 % busy), or unclear. */
  boundBy?: 'gateway' | 'upstream' | 'unclear';
  ratioToBaseline?: number;
  profile?: ProfileSummary;
}

export interface ScenarioResult {
  id: string;
  title: string;
  responseBytes: number;
  identicalResponses: boolean;
  gateways: GatewayResult[];
}

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the upstream counters stop moving: the gateway has finished the requests a load run left behind. */
async function settle(scenario: Scenario): Promise<Record<string, number>> {
  let last = await scenario.counters();
  for (let i = 0; i < 100; i++) {
    await sleep(250);
    const now = await scenario.counters();
    if (sum(now) === sum(last)) return now;
    last = now;
  }
  return last;
}

/**
 * Another process using the gateway's CPU during a timed run (the machine is shared, e.g. by a test run) makes the
 * figures meaningless; say so when the CPU was more than 10 points busier than the gateway process alone.
 */
function gatewayCoreContention(
  gatewayCpu: string,
  before: { gateway: number | undefined; cores: Record<string, { busy: number; total: number }> | undefined },
  after: { gateway: number | undefined; cores: Record<string, { busy: number; total: number }> | undefined },
  pid: number,
): string | undefined {
  if (!/^\d+$/.test(gatewayCpu) || before.gateway === undefined || after.gateway === undefined) return undefined;
  const b = before.cores?.[gatewayCpu];
  const a = after.cores?.[gatewayCpu];
  if (a === undefined || b === undefined || a.total === b.total) return undefined;
  const coreBusy = (a.busy - b.busy) / (a.total - b.total);
  const seconds = (a.total - b.total) / 100; // jiffies of one CPU at USER_HZ 100
  const processBusy = (after.gateway - before.gateway) / seconds;
  if (coreBusy - processBusy <= 0.1) return undefined;
  return `CPU ${gatewayCpu} was ${(100 * coreBusy).toFixed(0)}% busy but the gateway (pid ${pid}) used only ${(100 * processBusy).toFixed(0)}%: other processes competed for it, so this figure is unreliable — rerun on a quiet machine`;
}

function coreBusy(
  cpu: string,
  before: Record<string, { busy: number; total: number }> | undefined,
  after: Record<string, { busy: number; total: number }> | undefined,
): number | undefined {
  const b = before?.[cpu];
  const a = after?.[cpu];
  if (a === undefined || b === undefined || a.total === b.total) return undefined;
  return (a.busy - b.busy) / (a.total - b.total);
}

/** What limited a timed run: the gateway's CPU, the upstream CPU (subgraphs + load generator), or unclear. */
function boundBy(gatewayCpuPercent: number | undefined, upstreamCoreBusyPercent: number | undefined): 'gateway' | 'upstream' | 'unclear' {
  if (gatewayCpuPercent !== undefined && gatewayCpuPercent >= 90) return 'gateway';
  if (upstreamCoreBusyPercent !== undefined && upstreamCoreBusyPercent >= 95) return 'upstream';
  return 'unclear';
}

async function totalCpu(pids: number[]): Promise<number | undefined> {
  let total = 0;
  for (const pid of pids) {
    const s = await cpuSeconds(pid);
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text() };
}

export class ResponsesDiffer extends Error {
  override name = 'ResponsesDiffer';
}

export async function runScenario(scenario: Scenario, options: BenchOptions, log: (line: string) => void): Promise<ScenarioResult> {
  const started: { spec: GatewaySpec; child: PinnedChild<{ url: string }>; profileDir?: string; since: number }[] = [];
  try {
    // 1. Start every gateway and check that they answer identically before anything is timed.
    let reference: { name: string; text: string } | undefined;
    const perOperation = new Map<string, Record<string, number>>();
    for (const spec of scenario.gateways) {
      const profileDir = options.profile ? join(options.outDir, 'profiles', `${scenario.id}-${spec.name.replace(/[^a-z0-9]+/gi, '-')}`) : undefined;
      if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
      const since = Date.now();
      const nodeArgs = spec.nodeArgs ?? [];
      log(`  starting ${spec.name} gateway (taskset -c ${options.gatewayCpu} node ${[...nodeArgs, '--import tsx'].join(' ')})`);
      const child = await spawnPinned<{ url: string }>({
        cpu: options.gatewayCpu,
        entry: spec.entry,
        env: spec.env,
        label: spec.name,
        nodeArgs: [...nodeArgs, ...(profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
      });
      started.push({ spec, child, ...(profileDir !== undefined && { profileDir }), since });

      const headers = (await scenario.requestHeaders?.()) ?? {};
      const probe = await post(child.info.url, scenario.body, headers);
      if (probe.status !== 200) throw new Error(`${spec.name}: the probe request answered HTTP ${probe.status}: ${probe.text.slice(0, 500)}`);
      // Upstream requests are counted on the second request: the first may include one-off work (a connector
      // fetching its access token, a gateway warming a connection).
      const before = await scenario.counters();
      const again = await post(child.info.url, scenario.body, headers);
      perOperation.set(spec.name, delta(await scenario.counters(), before));
      if (again.text !== probe.text) {
        throw new ResponsesDiffer(
          `${spec.name} answers the same request differently twice\n${describeDifference('1st', '2nd', firstDifference(probe.text, again.text)!)}`,
        );
      }
      if (reference === undefined) {
        const problem = scenario.checkResponse?.(probe.text);
        if (problem !== undefined) throw new Error(`${spec.name}: unusable response for a benchmark: ${problem}\n${probe.text.slice(0, 1000)}`);
        reference = { name: spec.name, text: probe.text };
      } else {
        const difference = firstDifference(reference.text, probe.text);
        if (difference !== undefined) {
          const { writeFile } = await import('node:fs/promises');
          const a = join(options.outDir, `${scenario.id}-${reference.name.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.json`);
          const b = join(options.outDir, `${scenario.id}-${spec.name.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.json`);
          await writeFile(a, reference.text);
          await writeFile(b, probe.text);
          throw new ResponsesDiffer(`${scenario.id}: ${describeDifference(reference.name, spec.name, difference)}\n  full responses: ${a} ${b}`);
        }
      }
    }
    log(`  responses byte-identical across ${scenario.gateways.map((g) => g.name).join(', ')} (${Buffer.byteLength(reference!.text)} bytes)`);

    // 2. Load each gateway in turn.
    const results: GatewayResult[] = [];
    for (const { spec, child, profileDir, since } of started) {
      const headers = (await scenario.requestHeaders?.()) ?? {};
      if (options.warmupSeconds > 0) {
        await runLoad({
          url: child.info.url,
          body: scenario.body,
          headers,
          connections: options.connections,
          durationSeconds: options.warmupSeconds,
          cpu: options.upstreamCpu,
          workDir: options.workDir,
        });
      }
      const before = await settle(scenario);
      const cpuBefore = { gateway: await cpuSeconds(child.pid), upstream: await totalCpu(scenario.upstreamPids), cores: await cpuTimes() };
      const timedFrom = Date.now();
      const load = await runLoad({
        url: child.info.url,
        body: scenario.body,
        headers,
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        cpu: options.upstreamCpu,
        workDir: options.workDir,
      });
      const timedTo = Date.now();
      const cpuAfter = { gateway: await cpuSeconds(child.pid), upstream: await totalCpu(scenario.upstreamPids), cores: await cpuTimes() };
      const underLoad = sum(delta(await settle(scenario), before));
      const per = perOperation.get(spec.name)!;
      log(
        `  ${spec.name}: ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.latencyP50Ms.toFixed(1)} ms, p99 ${load.latencyP99Ms.toFixed(1)} ms, ${load.errors} errors`,
      );
      const upstreamCoreBusy = coreBusy(options.upstreamCpu, cpuBefore.cores, cpuAfter.cores);
      // When the upstream CPU is saturated the gateway waits and leaves idle time on its CPU, which any other
      // process may use without slowing it down; only otherwise is a busy gateway CPU a sign of contention.
      const contention =
        upstreamCoreBusy !== undefined && upstreamCoreBusy >= 0.95 ? undefined : gatewayCoreContention(options.gatewayCpu, cpuBefore, cpuAfter, child.pid);
      if (contention !== undefined) log(`  warning: ${contention}`);
      await child.stop(); // writes the profile, and leaves the CPU to the next gateway
      const result: GatewayResult = {
        name: spec.name,
        role: spec.role,
        nodeArgs: spec.nodeArgs ?? [],
        load,
        upstreamRequestsPerOperation: per,
        upstreamRequestsPerOperationTotal: sum(per),
        upstreamRequestsPerOperationUnderLoad: load.requests > 0 ? underLoad / load.requests : 0,
      };
      if (contention !== undefined) result.contention = contention;
      if (cpuBefore.gateway !== undefined && cpuAfter.gateway !== undefined)
        result.gatewayCpuPercent = (100 * (cpuAfter.gateway - cpuBefore.gateway)) / load.durationSeconds;
      if (cpuBefore.upstream !== undefined && cpuAfter.upstream !== undefined)
        result.upstreamCpuPercent = (100 * (cpuAfter.upstream - cpuBefore.upstream)) / load.durationSeconds;
      result.boundBy = boundBy(result.gatewayCpuPercent, upstreamCoreBusy === undefined ? undefined : 100 * upstreamCoreBusy);
      if (cpuBefore.cores !== undefined && cpuAfter.cores !== undefined) {
        result.coreBusyPercent = Object.fromEntries(
          Object.entries(cpuAfter.cores).map(([core, after]) => {
            const before = cpuBefore.cores![core] ?? { busy: 0, total: 0 };
            const total = after.total - before.total;
            return [`cpu${core}`, total > 0 ? (100 * (after.busy - before.busy)) / total : 0];
          }),
        );
      }
      if (profileDir !== undefined) {
        // Only the timed run: start-up (module loading under tsx) and the warm-up would otherwise weigh in.
        const profile = await summariseNewestProfile(profileDir, since, 15, { processStartMs: since, fromMs: timedFrom, toMs: timedTo });
        if (profile !== undefined) result.profile = profile;
      }
      results.push(result);
    }
    const baseline = results.find((r) => r.role === 'baseline');
    if (baseline !== undefined && baseline.load.requestsPerSecond > 0) {
      for (const r of results) r.ratioToBaseline = r.load.requestsPerSecond / baseline.load.requestsPerSecond;
    }
    return { id: scenario.id, title: scenario.title, responseBytes: Buffer.byteLength(reference!.text), identicalResponses: true, gateways: results };
  } finally {
    await Promise.all(started.map((s) => s.child.stop()));
  }
}
