/**
 * `npm run bench`: our gateway against the stock Apollo gateway, measured in the same run on the same supergraph
 * and subgraphs. See bench/README.md for what is measured and how to read it.
 *
 *   npm run bench                       both parts, 8 s per gateway after a 2 s warm-up, 50 connections
 *   npm run bench -- --cpu-prof         also profile each gateway and print where its time goes
 *   BENCH_PARTS=federation npm run bench
 *
 * Environment: BENCH_DURATION (s, 8), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50), BENCH_PROFILE=1 (same as
 * --cpu-prof), BENCH_PARTS (federation,citizens), BENCH_EXECUTORS (our executors to run, default every one our
 * gateway supports: apollo,merged), BENCH_GATEWAY_CPU (0), BENCH_UPSTREAM_CPU (1), BENCH_VERBOSE=1 (child logs).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { hasTaskset, REPO_ROOT } from './lib/child.ts';
import { loadTool } from './lib/load.ts';
import { oursGatewayMentions, oursGatewayMissing } from './lib/ours.ts';
import { runScenario, type BenchOptions, type GatewaySpec, type ScenarioResult } from './lib/scenario.ts';
import { setUpFederation } from './federation/scenario.ts';
import { citizensMissing, setUpCitizens } from './citizens/scenario.ts';
import { printProfile, printTable } from './lib/report.ts';

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a non-negative number (got "${raw}")`);
  return value;
}

const outDir = join(REPO_ROOT, '.bench-out');
await mkdir(outDir, { recursive: true });
const workDir = await mkdtemp(join(tmpdir(), 'lgsp-bench-'));
const options: BenchOptions = {
  durationSeconds: positiveNumber('BENCH_DURATION', 8),
  warmupSeconds: positiveNumber('BENCH_WARMUP', 2),
  connections: Math.max(1, Math.round(positiveNumber('BENCH_CONNECTIONS', 50))),
  gatewayCpu: process.env.BENCH_GATEWAY_CPU ?? '0',
  upstreamCpu: process.env.BENCH_UPSTREAM_CPU ?? '1',
  profile: process.argv.includes('--cpu-prof') || process.env.BENCH_PROFILE === '1',
  outDir,
  workDir,
};
const parts = (process.env.BENCH_PARTS ?? 'federation,citizens').split(',').map((p) => p.trim());
const log = (line: string) => process.stdout.write(`${line}\n`);
const notes: string[] = [];

log(`LGSP gateway benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
log(`load: ${loadTool()}${loadTool() === 'autocannon' ? ' (wrk is not installed: `apt-get install -y wrk` for the figures in the README; autocannon cannot see GraphQL errors inside 200 answers)' : ''}, ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per gateway`);
if (hasTaskset()) {
  log(`pinning: gateways on CPU ${options.gatewayCpu}; subgraphs and the load generator on CPU ${options.upstreamCpu}`);
} else {
  notes.push('taskset is not available: processes are not pinned, figures are less comparable');
  log(`warning: ${notes.at(-1)}`);
}
if (options.profile) log(`profiling: node --cpu-prof, profiles in ${join(outDir, 'profiles')}`);

// Which gateways run: the stock baseline always; ours when gateway/src/server.ts is there.
const missing = await oursGatewayMissing();
let executors: string[] = [];
if (missing.length > 0) {
  log(`ours: not available (${missing.join('; ')}) — running the baseline only`);
  notes.push(`ours: not available (${missing.join('; ')})`);
} else {
  const supportsExecutors = await oursGatewayMentions('GATEWAY_EXECUTOR');
  executors = (process.env.BENCH_EXECUTORS ?? (supportsExecutors ? 'apollo,merged' : '')).split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (executors.length === 0) executors = ['default'];
}

const commonGatewayEnv = { NODE_ENV: 'production', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', SUPERGRAPH_WATCH: 'false' };
function gatewaySpecs(supergraphFile: string, extra: { baseline?: Record<string, string>; ours?: Record<string, string> } = {}): GatewaySpec[] {
  const specs: GatewaySpec[] = [
    { name: 'stock', role: 'baseline', entry: 'bench/baseline-gateway.ts', env: { ...commonGatewayEnv, SUPERGRAPH_FILE: supergraphFile, ...extra.baseline } },
  ];
  for (const executor of executors) {
    specs.push({
      name: executor === 'default' ? 'ours' : `ours (${executor})`,
      role: 'ours',
      entry: 'bench/ours-gateway.ts',
      env: { ...commonGatewayEnv, SUPERGRAPH_FILE: supergraphFile, ...(executor !== 'default' && { GATEWAY_EXECUTOR: executor }), ...extra.ours },
    });
  }
  return specs;
}

const results: ScenarioResult[] = [];
let failed = false;
const startedAt = Date.now();
try {
  if (parts.includes('federation')) {
    log('\n(a) federation benchmark (graphql-gateways-benchmark subgraphs and query)');
    const setup = await setUpFederation({ upstreamCpu: options.upstreamCpu, workDir, gateways: (file) => gatewaySpecs(file) });
    try {
      results.push(await runScenario(setup.scenario, options, log));
    } finally {
      await setup.close();
    }
  }
  if (parts.includes('citizens')) {
    log('\n(b) 100-citizen query on the real platform (simulator, catalogs, national-data)');
    const reasons = await citizensMissing();
    if (reasons.length > 0) {
      log(`  not available yet: ${reasons.join('; ')}`);
      notes.push(`(b) not available yet: ${reasons.join('; ')}`);
    } else {
      const setup = await setUpCitizens({ upstreamCpu: options.upstreamCpu, workDir, gateways: gatewaySpecs });
      try {
        results.push(await runScenario(setup.scenario, options, log));
      } finally {
        await setup.close();
      }
    }
  }
} catch (error) {
  failed = true;
  log(`\nbenchmark aborted: ${(error as Error).message}`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}

for (const result of results) {
  log('');
  printTable(result, log);
  if (options.profile) for (const g of result.gateways) if (g.profile) printProfile(`${result.id} / ${g.name}`, g.profile, log);
}
for (const note of notes) log(`note: ${note}`);

const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, platform: process.platform },
  settings: { ...options, workDir: undefined, loadTool: loadTool(), pinned: hasTaskset() },
  wallSeconds: (Date.now() - startedAt) / 1000,
  notes,
  aborted: failed,
  scenarios: results,
};
await writeFile(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
log(`\nfigures written to ${join(outDir, 'results.json')} (${report.wallSeconds.toFixed(0)} s)`);
process.exitCode = failed ? 1 : 0;
