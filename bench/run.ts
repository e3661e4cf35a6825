/**
 * `npm run bench`: our gateway against the stock Apollo gateway, measured in the same run on the same supergraph
 * and subgraphs. See bench/README.md for what is measured and how to read it.
 *
 *   npm run bench                       all parts: (a) and (b) 8 s per gateway after a 2 s warm-up, 50 connections; (c)
 *   npm run bench -- --cpu-prof         also profile each gateway and print where its time goes
 *   BENCH_PARTS=federation npm run bench
 *   BENCH_PARTS=quotas npm run bench    what quota checking costs per request: GATEWAY_QUOTAS off and on (and on with
 *                                       Redis when REDIS_URL is set), same run
 *   BENCH_PARTS=audit-cost npm run bench  part (f), what writing audit records costs: part (a) with GATEWAY_AUDIT off
 *                                       and on (memory log; and Redis log, against Redis off, when REDIS_URL is set)
 *   BENCH_PARTS=exchange npm run bench  the packet exchange and subscriptions parts only (packets, streaming,
 *                                       connections, events; each also selectable by that name)
 *   BENCH_PARTS=audit npm run bench     part (e), only when named: personalDataAccesses over BENCH_AUDIT_RECORDS
 *                                       (10,000,000) generated audit records in Redis (bench/audit/)
 *   BENCH_PARTS=reports npm run bench   part (f), only when named: a province-month report (BENCH_REPORT_OPERATIONS,
 *                                       5,000,000 operations) as PDF and XLSX, time and peak RSS (bench/reports/)
 *   npm run bench -- --help             the parts and where they are described
 *
 * Environment: BENCH_DURATION (s, 8), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50), BENCH_PROFILE=1 (same as
 * --cpu-prof), BENCH_PARTS (federation,citizens,exchange), BENCH_EXECUTORS (our executors to run, default native,apollo),
 * BENCH_OURS_NODE_ARGS (node flags for ours, default --max-semi-space-size=64 as `npm start`), BENCH_UNFLAGGED
 * (executors that also get a row without those flags, default native), BENCH_TIMEOUT (s, whole run; default from
 * the settings), BENCH_GATEWAY_CPU (0), BENCH_UPSTREAM_CPU (1), BENCH_VERBOSE=1 (child logs). The exchange parts:
 * BENCH_EXCHANGE_CONCURRENCY (64), BENCH_EXCHANGE_BATCH_CONCURRENCY (200), BENCH_EXCHANGE_BATCH (50),
 * BENCH_EXCHANGE_SINGLE / _STREAMED / _INLINE (1), BENCH_EXCHANGE_PATHS (gateway,nginx,ingress,direct), BENCH_RELAY_WORKERS (1),
 * BENCH_EXCHANGE_WARMUP (2), BENCH_EXCHANGE_DURATION (8), BENCH_EXCHANGE_MEMORY (1),
 * BENCH_WS_CONNECTIONS (10000), BENCH_WS_SUBSCRIBE (1), BENCH_WS_SUBSCRIBERS (1000), BENCH_WS_EVENTS (200),
 * BENCH_WS_EVENT_RATE (20 per second); see bench/README.md.
 *
 * The run stops by itself: every wait is bounded, a watchdog ends a run that overstays BENCH_TIMEOUT, and on
 * Ctrl+C / SIGTERM (or a failure) every child process is stopped; a second Ctrl+C kills them at once.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { hasTaskset, killAllChildren, REPO_ROOT, stopAllChildren } from './lib/child.ts';
import { loadTool } from './lib/load.ts';
import { oursGatewayMentions, oursGatewayMissing } from './lib/ours.ts';
import { runScenario, type BenchOptions, type GatewaySpec, type ScenarioResult } from './lib/scenario.ts';
import { setUpFederation } from './federation/scenario.ts';
import { citizensMissing, setUpCitizens } from './citizens/scenario.ts';
import { printQuotaCost, setUpQuotas } from './quotas/scenario.ts';
import { auditGatewaySpecs, printAuditCost, removeAuditBenchKeys } from './federation/audit.ts';
import { measureAuditRecordCost, printAuditRecordCost, type AuditRecordCost } from './federation/audit-record-cost.ts';
import { measureStepCost, printStepCost, type StepCost } from './quotas/step-cost.ts';
import { printProfile, printTable } from './lib/report.ts';
import { printAuditQueryBench, runAuditQueryBench, type AuditQueryBench } from './audit/scenario.ts';
import { auditBenchSettings } from './audit/settings.ts';
import { printReportBench, runReportBench, type ReportBenchResult } from './reports/scenario.ts';
import { killAllPlatforms, stopAllPlatforms } from './exchange/platform.ts';
import {
  EXCHANGE_PARTS,
  memoryPacketPaths,
  packetFlows,
  packetPaths,
  printExchangeSummary,
  runExchange,
  type ExchangePart,
  type ExchangeResults,
} from './exchange/scenario.ts';

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a non-negative number (got "${raw}")`);
  return value;
}

/** Every part `BENCH_PARTS` may name: the default run, then the parts that run only when named. */
const DEFAULT_PARTS = ['federation', 'citizens', 'quotas', 'audit-cost', 'exchange'];
const NAMED_ONLY_PARTS = ['audit', 'reports'];
const KNOWN_PARTS = [...DEFAULT_PARTS, ...EXCHANGE_PARTS, ...NAMED_ONLY_PARTS];

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    [
      'npm run bench [-- --cpu-prof]     (bench/README.md describes every part and setting)',
      '',
      `BENCH_PARTS (comma-separated; default ${DEFAULT_PARTS.join(',')}):`,
      '  federation   (a) our gateway against the Apollo gateway on the federation benchmark',
      '  citizens     (b) the 100-citizen query on the real platform',
      '  quotas       (d) what quota checking costs per request (GATEWAY_QUOTAS off / on)',
      `  exchange     (c) the packet exchange and subscriptions: ${EXCHANGE_PARTS.join(', ')} (each also on its own)`,
      '  audit        (e) only when named: personalDataAccesses over BENCH_AUDIT_RECORDS (10,000,000) audit records in Redis',
      '  reports      (f) only when named: a province-month report (BENCH_REPORT_OPERATIONS, 5,000,000) as PDF and XLSX',
      '',
    ].join('\n'),
  );
  process.exit(0);
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
const list = (raw: string) =>
  raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
const parts = list(process.env.BENCH_PARTS ?? DEFAULT_PARTS.join(','));
// `exchange` stands for its four parts, which can also be named one by one.
const exchangeParts = EXCHANGE_PARTS.filter((p) => parts.includes(p) || parts.includes('exchange'));
const unknownParts = parts.filter((p) => !KNOWN_PARTS.includes(p));
if (unknownParts.length > 0) throw new Error(`BENCH_PARTS: unknown part(s) ${unknownParts.join(', ')} (${KNOWN_PARTS.join(', ')})`);
// Part (e), only when asked for (BENCH_PARTS=audit): it writes millions of records to Redis (bench/audit/).
const auditSettings = parts.includes('audit') ? auditBenchSettings(process.env) : undefined;
const log = (line: string) => process.stdout.write(`${line}\n`);
const notes: string[] = [];

// Stopping: on Ctrl+C / SIGTERM stop every child (gateways, upstream processes, wrk) and remove the work folder;
// a second signal kills them at once. The watchdog does the same for a run that hangs.
let interrupted = false;
async function abandon(reason: string, exitCode: number): Promise<never> {
  interrupted = true;
  log(`\n${reason}: stopping child processes`);
  await Promise.all([stopAllChildren(), stopAllPlatforms()]);
  await rm(workDir, { recursive: true, force: true });
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      killAllChildren();
      killAllPlatforms();
      process.exit(130);
    }
    void abandon(`${signal} received`, 130);
  });
}

log(`LGSP gateway benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
// Parts (a) and (b) compare gateways under wrk; part (c) has its own load and settings (printed as it runs).
const gatewayParts = parts.filter((p) => p === 'federation' || p === 'citizens' || p === 'quotas' || p === 'audit-cost').length;
const gatewayLog = (line: string) => {
  if (gatewayParts > 0) log(line);
};
gatewayLog(
  `load: ${loadTool()}${loadTool() === 'autocannon' ? ' (wrk is not installed: `apt-get install -y wrk` for the figures in bench/README.md; autocannon cannot see GraphQL errors inside 200 answers)' : ''}, ${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per gateway`,
);
if (hasTaskset()) {
  gatewayLog(`pinning: gateways on CPU ${options.gatewayCpu}; subgraphs and the load generator on CPU ${options.upstreamCpu}`);
} else {
  notes.push('taskset is not available: processes are not pinned, figures are less comparable');
  log(`warning: ${notes.at(-1)}`);
}
if (options.profile) log(`profiling: node --cpu-prof, profiles in ${join(outDir, 'profiles')}`);

// Which gateways run: the stock baseline always (Node's default settings); ours when gateway/src/server.ts is
// there, once per executor with the node flags `npm start` uses, plus (BENCH_UNFLAGGED) rows without them.
const missing = await oursGatewayMissing();
let executors: string[] = [];
const oursNodeArgs = list(process.env.BENCH_OURS_NODE_ARGS ?? '--max-semi-space-size=64').flatMap((a) => a.split(/\s+/));
let unflagged: string[] = [];
if (missing.length > 0) {
  gatewayLog(`ours: not available (${missing.join('; ')}) — running the baseline only`);
  notes.push(`ours: not available (${missing.join('; ')})`);
} else {
  const supportsExecutors = await oursGatewayMentions('GATEWAY_EXECUTOR');
  executors = list(process.env.BENCH_EXECUTORS ?? (supportsExecutors ? 'native,apollo' : ''));
  if (executors.length === 0) executors = ['default'];
  unflagged = oursNodeArgs.length === 0 ? [] : list(process.env.BENCH_UNFLAGGED ?? 'native').filter((e) => executors.includes(e));
  gatewayLog(
    `ours: GATEWAY_EXECUTOR ${executors.join(', ')} with node ${oursNodeArgs.join(' ') || '(no flags)'} as \`npm start\` runs it${unflagged.length > 0 ? `; ${unflagged.join(', ')} also without flags` : ''}; stock: node with its defaults`,
  );
}

// Production requires the audit subject key (the gateway refuses to start without one): one random key for the run.
const auditSubjectKeyFile = join(workDir, 'audit-subject-key.hex');
await writeFile(auditSubjectKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
const commonGatewayEnv = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  PORT: '0',
  SUPERGRAPH_WATCH: 'false',
  AUDIT_SUBJECT_KEY_FILE: auditSubjectKeyFile,
};
function gatewaySpecs(supergraphFile: string, extra: { baseline?: Record<string, string>; ours?: Record<string, string> } = {}): GatewaySpec[] {
  const specs: GatewaySpec[] = [
    { name: 'stock', role: 'baseline', entry: 'bench/baseline-gateway.ts', env: { ...commonGatewayEnv, SUPERGRAPH_FILE: supergraphFile, ...extra.baseline } },
  ];
  const ours = (executor: string, nodeArgs: string[], suffix: string): GatewaySpec => ({
    name: executor === 'default' ? `ours${suffix}` : `ours ${executor}${suffix}`,
    role: 'ours',
    entry: 'bench/ours-gateway.ts',
    env: { ...commonGatewayEnv, SUPERGRAPH_FILE: supergraphFile, ...(executor !== 'default' && { GATEWAY_EXECUTOR: executor }), ...extra.ours },
    nodeArgs,
  });
  for (const executor of executors) {
    specs.push(ours(executor, oursNodeArgs, ''));
    if (unflagged.includes(executor)) specs.push(ours(executor, [], ', no flags'));
  }
  return specs;
}

// What part (a)'s target asks for: the figure with every cross-request cache and in-flight de-duplication off,
// and the figure with them on reported separately. Our gateway has none to switch, so there is one figure.
const CACHE_STATEMENT =
  'caches: our gateway has no cross-request response cache and no in-flight request de-duplication to switch off — every request makes every subgraph fetch (fetches are merged only within one operation). Its only cross-request cache is planning work: query plans and compiled result shapers per operation (Apollo Gateway keeps a query-plan cache too). So its ratio is the "caches and de-duplication off" figure, and there is no separate "with them on" figure to report.';

// The watchdog: every wait in the harness is bounded, but a run that overstays its budget is ended all the same.
const gatewaysPerPart = 1 + executors.length + unflagged.length;
const exchangeSettings = {
  workDir,
  concurrency: Math.max(1, Math.round(positiveNumber('BENCH_EXCHANGE_CONCURRENCY', 64))),
  batchConcurrency: Math.max(1, Math.round(positiveNumber('BENCH_EXCHANGE_BATCH_CONCURRENCY', 200))),
  warmupSeconds: positiveNumber('BENCH_EXCHANGE_WARMUP', 2),
  durationSeconds: Math.max(1, positiveNumber('BENCH_EXCHANGE_DURATION', 8)),
  memory: process.env.BENCH_EXCHANGE_MEMORY !== '0',
  batch: process.env.BENCH_EXCHANGE_BATCH === '0' ? 0 : Math.min(100, Math.round(positiveNumber('BENCH_EXCHANGE_BATCH', 50))),
  batchedFlows: { streamed: process.env.BENCH_EXCHANGE_STREAMED !== '0', inline: process.env.BENCH_EXCHANGE_INLINE !== '0' },
  profileDir: options.profile ? join(outDir, 'profiles', 'exchange') : undefined,
  connections: Math.round(positiveNumber('BENCH_WS_CONNECTIONS', 10_000)),
  subscribeEach: process.env.BENCH_WS_SUBSCRIBE !== '0',
  subscribers: Math.max(1, Math.round(positiveNumber('BENCH_WS_SUBSCRIBERS', 1_000))),
  events: Math.max(1, Math.round(positiveNumber('BENCH_WS_EVENTS', 200))),
  eventsPerSecond: Math.max(0.1, positiveNumber('BENCH_WS_EVENT_RATE', 20)),
};
// Part (c): start-ups and the other pieces, plus one slot per packets row (baseline and every path, × every flow).
const packetsRows = exchangeParts.includes('packets')
  ? packetFlows(exchangeSettings).length * (1 + packetPaths().length + (exchangeSettings.memory ? memoryPacketPaths().length : 0))
  : 0;
const exchangeBudget = exchangeParts.length === 0 ? 0 : 300 + (packetsRows + 5) * (exchangeSettings.warmupSeconds + exchangeSettings.durationSeconds + 20);
const auditBudget = auditSettings === undefined ? 0 : 600 + Math.ceil(auditSettings.records / 1_000);
// Part (f): generating the month takes about 90 s per million operations on 2 vCPUs, the two files well under 60 s.
const reportBudget = parts.includes('reports') ? 600 + Math.ceil(positiveNumber('BENCH_REPORT_OPERATIONS', 5_000_000) / 5_000) : 0;
const timeoutSeconds = positiveNumber(
  'BENCH_TIMEOUT',
  gatewayParts * (180 + gatewaysPerPart * (options.warmupSeconds + options.durationSeconds + 90)) + exchangeBudget + auditBudget + reportBudget,
);
const watchdog = setTimeout(() => void abandon(`the run took longer than ${timeoutSeconds} s (BENCH_TIMEOUT)`, 1), timeoutSeconds * 1000);
watchdog.unref();

const results: ScenarioResult[] = [];
let quotaStepCost: StepCost[] | undefined;
let auditRecordCost: AuditRecordCost[] | undefined;
let exchange: ExchangeResults | undefined;
let auditQuery: AuditQueryBench | undefined;
let reportBench: ReportBenchResult | undefined;
let failed = false;
const startedAt = Date.now();
try {
  if (parts.includes('federation')) {
    log('\n(a) federation benchmark (graphql-gateways-benchmark subgraphs and query)');
    if (executors.length > 0) log(`  ${CACHE_STATEMENT}`);
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
  if (parts.includes('quotas')) {
    log('\n(d) quota checking: the same gateway with GATEWAY_QUOTAS off and on (simulator, catalogs, national-data)');
    const reasons = missing.length > 0 ? missing : await citizensMissing();
    if (reasons.length > 0) {
      log(`  not available: ${reasons.join('; ')}`);
      notes.push(`(d) not available: ${reasons.join('; ')}`);
    } else {
      const redisUrl = process.env.REDIS_URL === undefined || process.env.REDIS_URL === '' ? undefined : process.env.REDIS_URL;
      const setup = await setUpQuotas({ upstreamCpu: options.upstreamCpu, workDir, nodeArgs: oursNodeArgs, gatewayEnv: commonGatewayEnv, redisUrl });
      try {
        results.push(await runScenario(setup.scenario, options, log));
      } finally {
        await setup.close();
      }
      quotaStepCost = await measureStepCost(Math.max(1, Math.round(positiveNumber('BENCH_QUOTA_STEP_REQUESTS', 20_000))), redisUrl);
    }
  }
  if (parts.includes('audit-cost')) {
    log('\n(f) audit writing: part (a) with GATEWAY_AUDIT off and on (ours, native)');
    if (missing.length > 0) {
      log(`  not available: ${missing.join('; ')}`);
      notes.push(`(f) not available: ${missing.join('; ')}`);
    } else {
      const redisUrl = process.env.REDIS_URL === undefined || process.env.REDIS_URL === '' ? undefined : process.env.REDIS_URL;
      let keyPrefix = '';
      const setup = await setUpFederation({
        upstreamCpu: options.upstreamCpu,
        workDir,
        gateways: (file) => {
          const made = auditGatewaySpecs(file, commonGatewayEnv, oursNodeArgs, redisUrl);
          keyPrefix = made.keyPrefix;
          return made.specs;
        },
      });
      try {
        const scenario = {
          ...setup.scenario,
          id: 'audit-cost',
          title: '(f) audit writing: the federation query through ours (native), GATEWAY_AUDIT off and on',
        };
        results.push(await runScenario(scenario, options, log));
      } finally {
        await setup.close();
        await removeAuditBenchKeys(redisUrl, keyPrefix);
      }
      auditRecordCost = await measureAuditRecordCost(Math.max(1, Math.round(positiveNumber('BENCH_AUDIT_STEP_OPERATIONS', 20_000))), redisUrl);
    }
  }
  if (exchangeParts.length > 0) {
    exchange = await runExchange(exchangeParts as ExchangePart[], exchangeSettings, log);
    if (exchange.failures.length > 0) failed = true;
  }
  if (auditSettings !== undefined) {
    log('\n(e) audit: personalDataAccesses for one subject over many audit records (Redis)');
    auditQuery = await runAuditQueryBench({ ...auditSettings, log });
  }
  if (parts.includes('reports')) {
    log('\n(f) reports: a province-month report as PDF and XLSX (Redis rollups)');
    reportBench = await runReportBench(log);
  }
} catch (error) {
  failed = true;
  if (!interrupted) log(`\nbenchmark aborted: ${(error as Error).message}`);
} finally {
  await Promise.all([stopAllChildren(), stopAllPlatforms()]);
  await rm(workDir, { recursive: true, force: true });
}
clearTimeout(watchdog);

for (const result of results) {
  log('');
  printTable(result, log);
  if (result.id === 'federation' && executors.length > 0) log(CACHE_STATEMENT);
  if (result.id === 'audit-cost') {
    printAuditCost(result, log);
    const off = result.gateways.find((g) => g.name === 'audit off');
    const offCpu =
      off?.gatewayCpuPercent === undefined || off.load.requestsPerSecond <= 0 ? undefined : (off.gatewayCpuPercent / 100) * (1e6 / off.load.requestsPerSecond);
    if (auditRecordCost !== undefined) printAuditRecordCost(auditRecordCost, offCpu, log);
  }
  if (result.id === 'quotas') {
    printQuotaCost(result, log);
    if (quotaStepCost !== undefined) printStepCost(quotaStepCost, log);
  }
  if (options.profile) for (const g of result.gateways) if (g.profile) printProfile(`${result.id} / ${g.name}`, g.profile, log);
}
if (exchange !== undefined) {
  log('');
  printExchangeSummary(exchange, exchangeSettings, log);
  notes.push(...exchange.notes);
}
if (auditQuery !== undefined) {
  log('');
  printAuditQueryBench(auditQuery, log);
}
if (reportBench !== undefined) printReportBench(reportBench, log);
for (const note of notes) log(`note: ${note}`);

const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, platform: process.platform },
  settings: { ...options, workDir: undefined, loadTool: loadTool(), pinned: hasTaskset() },
  wallSeconds: (Date.now() - startedAt) / 1000,
  notes,
  caches: executors.length > 0 ? CACHE_STATEMENT : undefined,
  aborted: failed,
  scenarios: results,
  quotaStepCost,
  auditRecordCost,
  exchange: exchange === undefined ? undefined : { settings: { ...exchangeSettings, workDir: undefined }, ...exchange },
  audit: auditQuery,
  reports: reportBench,
};
await writeFile(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
log(`\nfigures written to ${join(outDir, 'results.json')} (${report.wallSeconds.toFixed(0)} s)`);
process.exitCode = failed ? 1 : 0;
