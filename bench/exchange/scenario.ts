/**
 * The exchange parts of `npm run bench` (issue 4: packet relay and subscriptions), each selectable in BENCH_PARTS
 * (`exchange` = all four):
 *   packets      packets/s end to end for 10 KB packets (target ≥ 1,000/s) — gateway and direct, Redis and memory,
 *                against a minimal HTTP server carrying the same requests (baseline-server.ts)
 *   streaming    RSS growth of the relay (target ≤ 64 MB) and of the gateway while a 200 MiB packet streams up and down
 *   connections  10,000 idle graphql-ws connections on one gateway process: RSS and heap per connection
 *   events       event delivery latency to 1,000 subscribers (target p99 ≤ 100 ms)
 * One platform on Redis (a key prefix of the run, deleted afterwards) serves every part; the packets part also
 * starts one on the in-memory stores.
 */
import { join } from 'node:path';
import { spawnPinned } from '../lib/child.ts';
import { summariseNewestProfile } from '../lib/profile.ts';
import { printProfile } from '../lib/report.ts';
import { runConnections, type ConnectionsResult } from './connections.ts';
import { runEvents, type EventsResult } from './events.ts';
import { cpuText, cpuWindow, mb, ms, redisServerPid } from './measure.ts';
import { PACKET_BYTES, runBatchedPacketsLoad, runPacketsLoad, STEPS, type PacketsResult, type PacketTarget } from './packets.ts';
import { startIngress, type Ingress } from '../../scripts/ingress.ts';
import { freePort } from '../../scripts/platform.ts';
import { AGENCY_SYSTEMS, PROFILED_SERVICES, relayWorkers, startBenchPlatform, type BenchPlatform } from './platform.ts';
import { LARGE_PACKET_BYTES, runStreaming, type StreamingResult } from './streaming.ts';

export const EXCHANGE_PARTS = ['packets', 'streaming', 'connections', 'events'] as const;
export type ExchangePart = (typeof EXCHANGE_PARTS)[number];

export interface ExchangeSettings {
  workDir: string;
  /** Packets in flight one per call (BENCH_EXCHANGE_CONCURRENCY). */
  concurrency: number;
  /**
   * Packets in flight in the batched rows (BENCH_EXCHANGE_BATCH_CONCURRENCY, default 200: ⌈÷ batch⌉ senders and as
   * many recipients): the load at which the platform on two cores gave its most packets/s (100 left cores idle
   * between calls, 400 queued up in the relay).
   */
  batchConcurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Idle WebSocket connections (BENCH_WS_CONNECTIONS). */
  connections: number;
  /** Subscribers of the events part (BENCH_WS_SUBSCRIBERS) and events published (BENCH_WS_EVENTS). */
  subscribers: number;
  events: number;
  /** Events published per second in the events part (BENCH_WS_EVENT_RATE). */
  eventsPerSecond: number;
  /** Whether every idle connection also takes one subscription (BENCH_WS_SUBSCRIBE, default yes). */
  subscribeEach: boolean;
  /** Whether the packets part also runs on the in-memory stores (BENCH_EXCHANGE_MEMORY, default yes). */
  memory: boolean;
  /** Packets per batch call in the batched rows (BENCH_EXCHANGE_BATCH, default 50; 0 = no batched rows). */
  batch: number;
  /** Which batched rows: content by PUT and GET (BENCH_EXCHANGE_STREAMED), inline in the calls (BENCH_EXCHANGE_INLINE); default both. */
  batchedFlows: { streamed: boolean; inline: boolean };
  /** `--cpu-prof`: profiles of the gateway, relay and subscriptions service of each platform go under this folder. */
  profileDir?: string | undefined;
}

export interface ExchangeResults {
  packets?: { rows: PacketsRow[]; target: number };
  streaming?: { rows: StreamingResult[]; targetBytes: number };
  connections?: ConnectionsResult;
  events?: EventsResult;
  notes: string[];
  /** Pieces that failed (the others still ran): `<piece>: <message>`. */
  failures: string[];
}

type PacketsRow = PacketsResult & { stores: string; cpu: Record<string, number | undefined>; batch?: number; inline?: boolean };

/** How a row's packets go: one per call (no batch), or `batch` per batch call with the content by PUT/GET or inline. */
interface Flow {
  batch?: number;
  inline?: boolean;
}

const [SENDER, RECIPIENT] = [AGENCY_SYSTEMS[0], AGENCY_SYSTEMS[1]];
export const PACKETS_TARGET = 1_000;
export const STREAMING_TARGET_BYTES = 64 * 1024 * 1024;
export const EVENTS_TARGET_P99_MS = 100;
/** CPU (% of one core) used by processes outside the measurement above which a packets row is flagged as contended. */
const CONTENDED_PERCENT = 30;
const contentionNotes: string[] = [];

export async function runExchange(parts: ExchangePart[], settings: ExchangeSettings, log: (line: string) => void): Promise<ExchangeResults> {
  const results: ExchangeResults = { notes: [], failures: [] };
  // A piece that fails is reported and the next one runs: one broken piece must not hide the others' figures.
  const piece = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      const failure = `${name}: ${(error as Error).message.split('\n')[0]}`;
      results.failures.push(failure);
      results.notes.push(`failed — ${failure}`);
      log(`  ${name} FAILED: ${(error as Error).message}`);
    }
  };
  const redisPid = await redisServerPid();
  const wsParts = parts.filter((p) => p === 'connections' || p === 'events');
  log(
    `\n(c) packet exchange and subscriptions (issue 4): ${parts.join(', ')} — the real platform (scripts/platform.ts startPlatform, NODE_ENV=development, LOG_LEVEL=warn), Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}`,
  );
  const wsEnv: Record<string, string> =
    wsParts.length === 0
      ? {}
      : {
          // The bench opens far more connections and subscriptions per agency than the defaults allow one agency.
          GATEWAY_WS_MAX_CONNECTIONS_PER_AGENCY: String(settings.connections + settings.subscribers + 100),
          GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_AGENCY: String(settings.connections + settings.subscribers + 100),
        };
  const profileDir = (stores: string) => (settings.profileDir === undefined ? undefined : join(settings.profileDir, `${stores}-${Date.now()}`));
  const redisProfiles = profileDir('redis');
  const onRedis = await startBenchPlatform({ redis: true, workDir: settings.workDir, env: wsEnv, log, profileDir: redisProfiles });
  try {
    log(
      `  platform on Redis up (key prefix ${onRedis.keyPrefix}; RELAY_WORKERS=${relayWorkers()}, BENCH_RELAY_WORKERS to change); pids: ${Object.entries(
        onRedis.pids,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    // Streaming first, on a fresh relay and gateway (after one small packet so their code is loaded).
    if (parts.includes('streaming')) await piece('streaming', async () => void (results.streaming = await streamingPart(onRedis, log)));
    if (parts.includes('packets'))
      await piece('packets', async () => {
        const rows: PacketsRow[] = [];
        results.packets = { rows, target: PACKETS_TARGET };
        const baseline = await spawnPinned<{ origin: string }>({ cpu: '0,1', entry: 'bench/exchange/baseline-server.ts', label: 'baseline server' });
        try {
          const target: PacketTarget = {
            name: 'baseline (minimal node:http server)',
            graphqlOrigin: baseline.info.origin,
            recipientAgency: RECIPIENT.agency,
            baseline: true,
          };
          for (const flow of packetFlows(settings)) rows.push(await packetsRow(target, 'none', { server: baseline.pid }, settings, log, flow));
        } finally {
          await baseline.stop();
        }
        for (const path of packetPaths()) {
          await pathRows(onRedis, path, redisPid, log, async (target, processes) => {
            for (const flow of packetFlows(settings)) rows.push(await packetsRow(target, 'Redis', processes, settings, log, flow));
          });
        }
      });
    if (wsParts.length > 0) {
      if (!onRedis.hasSubscriptions) {
        const note = 'connections/events: the subscriptions subgraph is not in the platform yet (scripts/platform.ts, schema/supergraph.graphql)';
        results.notes.push(note);
        log(`  ${note}`);
      }
      if (parts.includes('connections')) {
        await piece(
          'connections',
          async () => void (results.connections = await runConnections(onRedis, { connections: settings.connections, subscribe: settings.subscribeEach, log })),
        );
      }
      if (parts.includes('events') && onRedis.hasSubscriptions) {
        await piece(
          'events',
          async () =>
            void (results.events = await runEvents(onRedis, {
              subscribers: settings.subscribers,
              events: settings.events,
              ratePerSecond: settings.eventsPerSecond,
              log,
            })),
        );
      }
    }
  } finally {
    await onRedis.close();
  }
  await printServiceProfiles(redisProfiles, 'on Redis', log);
  if (parts.includes('packets') && settings.memory) {
    const memoryProfiles = profileDir('memory');
    await piece('packets (in-memory stores)', async () => {
      const inMemory = await startBenchPlatform({ redis: false, workDir: settings.workDir, log, profileDir: memoryProfiles });
      try {
        log(`  platform on the in-memory stores up`);
        results.packets ??= { rows: [], target: PACKETS_TARGET };
        // The ingress paths are a deployment's: not repeated on the in-memory stores.
        for (const path of memoryPacketPaths()) {
          for (const flow of packetFlows(settings)) {
            results.packets.rows.push(
              await packetsRow(await packetTarget(inMemory, path), 'memory', packetProcesses(inMemory, path, undefined), settings, log, flow),
            );
          }
        }
      } finally {
        await inMemory.close();
      }
    });
    await printServiceProfiles(memoryProfiles, 'on the in-memory stores', log);
  }
  results.notes.push(...contentionNotes.splice(0));
  return results;
}

/**
 * Where each profiled service spent its CPU over its whole life (start-up included, which is small next to a
 * piece's load): run one piece at a time (BENCH_PARTS=packets) for a picture of that piece alone.
 */
async function printServiceProfiles(dir: string | undefined, platform: string, log: (line: string) => void): Promise<void> {
  if (dir === undefined) return;
  for (const service of PROFILED_SERVICES) {
    const summary = await summariseNewestProfile(join(dir, service), 0, 25);
    if (summary === undefined) log(`  profile of the ${service} (${platform}): none written in ${join(dir, service)}`);
    else printProfile(`${service}, platform ${platform}, whole process life`, summary, log);
  }
}

/**
 * The processes that work on a packet: the gateway (when in the path), the relay, the subscriptions service (it
 * reads the relay's events from Redis, or receives them over HTTP on the in-memory stores) and redis-server.
 */
function packetProcesses(platform: BenchPlatform, path: PacketPath, redisPid: number | undefined): Record<string, number | undefined> {
  return {
    ...(path !== 'direct' && { gateway: platform.pids.gateway }),
    relay: platform.pids.relay,
    subscriptions: platform.pids.subscriptions,
    ...(platform.redis && { redis: redisPid }),
  };
}

/**
 * The ways to the platform a packets row takes (BENCH_EXCHANGE_PATHS, default all four):
 *   gateway  GraphQL and content through the gateway (its `/exchange/` proxy): one public origin, as `npm start` runs;
 *   nginx    everything through the deployment's ingress (a real nginx running deploy/ingress/, as docker-compose
 *            does): GraphQL to the gateway, `/exchange/` straight to the relay; nginx's CPU is counted too;
 *   ingress  GraphQL through the gateway, content straight to the relay: what the ingress does, without its cost;
 *   direct   GraphQL and content straight to the relay with the internal token: the relay's own cost.
 */
type PacketPath = 'gateway' | 'nginx' | 'ingress' | 'direct';
const PACKET_PATHS: readonly PacketPath[] = ['gateway', 'nginx', 'ingress', 'direct'];
export function packetPaths(): PacketPath[] {
  const wanted = (process.env.BENCH_EXCHANGE_PATHS ?? PACKET_PATHS.join(',')).split(',').map((p) => p.trim());
  return PACKET_PATHS.filter((p) => wanted.includes(p));
}

/** The paths repeated on the in-memory stores (`npm start`'s): not the deployment's ingress. */
export function memoryPacketPaths(): Array<'gateway' | 'direct'> {
  return packetPaths().filter((p): p is 'gateway' | 'direct' => p === 'gateway' || p === 'direct');
}

/**
 * The rows of one path: its target and processes, with the ingress started for the `nginx` path (and stopped after).
 * Without nginx installed, that path's rows are left out with a message saying what to install.
 */
async function pathRows(
  platform: BenchPlatform,
  path: PacketPath,
  redisPid: number | undefined,
  log: (line: string) => void,
  run: (target: PacketTarget, processes: Record<string, number | undefined>) => Promise<void>,
): Promise<void> {
  if (path !== 'nginx') return run(await packetTarget(platform, path), packetProcesses(platform, path, redisPid));
  let ingress: Ingress;
  try {
    const gateway = new URL(platform.gatewayOrigin).host;
    ingress = await startIngress({ port: await freePort(), gateways: [gateway, gateway], relay: new URL(platform.relayOrigin).host });
  } catch (error) {
    log(`  rows through the ingress left out: ${(error as Error).message}`);
    return;
  }
  try {
    await run(
      {
        ...(await packetTarget(platform, 'gateway')),
        name: 'through the ingress (nginx): GraphQL to the gateway, content to the relay',
        graphqlOrigin: ingress.url,
        contentOrigin: ingress.url,
      },
      { nginx: ingress.pid, ...packetProcesses(platform, 'gateway', redisPid) },
    );
  } finally {
    await ingress.close();
  }
}

async function packetTarget(platform: BenchPlatform, path: Exclude<PacketPath, 'nginx'>): Promise<PacketTarget> {
  if (path !== 'direct') {
    return {
      name: path === 'gateway' ? 'through the gateway' : 'through the gateway, content by the ingress',
      graphqlOrigin: platform.gatewayOrigin,
      ...(path === 'ingress' && { contentOrigin: platform.relayOrigin }),
      senderAuthorization: `Bearer ${await platform.accessToken(SENDER.client)}`,
      recipientAuthorization: `Bearer ${await platform.accessToken(RECIPIENT.client)}`,
      recipientAgency: RECIPIENT.agency,
    };
  }
  return {
    name: 'direct to the relay',
    graphqlOrigin: platform.relayOrigin,
    contentOrigin: platform.relayOrigin,
    senderAuthorization: `Bearer ${await platform.internalToken(SENDER.client)}`,
    recipientAuthorization: `Bearer ${await platform.internalToken(RECIPIENT.client)}`,
    recipientAgency: RECIPIENT.agency,
  };
}

/**
 * One packet per call (the five requests of the walkthrough), then batched with the content by PUT and GET, then
 * batched with the content inline; BENCH_EXCHANGE_SINGLE=0 leaves out the one-per-call rows, BENCH_EXCHANGE_BATCH=0
 * every batched row, BENCH_EXCHANGE_STREAMED=0 / BENCH_EXCHANGE_INLINE=0 one kind of them.
 */
export function packetFlows(settings: Pick<ExchangeSettings, 'batch' | 'batchedFlows'>): Flow[] {
  const batched = settings.batch > 0 ? settings.batch : undefined;
  return [
    ...(process.env.BENCH_EXCHANGE_SINGLE === '0' ? [] : [{}]),
    ...(batched !== undefined && settings.batchedFlows.streamed ? [{ batch: batched }] : []),
    ...(batched !== undefined && settings.batchedFlows.inline ? [{ batch: batched, inline: true }] : []),
  ];
}

async function packetsRow(
  target: PacketTarget,
  stores: string,
  processes: Record<string, number | undefined>,
  settings: ExchangeSettings,
  log: (line: string) => void,
  flow: Flow,
): Promise<PacketsRow> {
  const { batch } = flow;
  const cpu = cpuWindow(processes);
  // CPU is measured over the timed window only: started when the warm-up ends.
  const timer = setTimeout(() => void cpu.start(), settings.warmupSeconds * 1000);
  let usage: Record<string, number | undefined> = {};
  const stopCpu = setTimeout(
    () =>
      void cpu.stop().then((u) => {
        usage = u;
      }),
    (settings.warmupSeconds + settings.durationSeconds) * 1000 - 50,
  );
  let result: PacketsResult & { batch?: number; inline?: boolean };
  try {
    result =
      batch === undefined
        ? await runPacketsLoad(target, settings)
        : await runBatchedPacketsLoad(target, { ...settings, concurrency: settings.batchConcurrency, batch, inline: flow.inline === true });
  } finally {
    clearTimeout(timer);
    clearTimeout(stopCpu);
  }
  if (Object.keys(usage).length === 0) usage = await cpu.stop();
  const met = target.baseline ? '' : ` — target ≥ ${PACKETS_TARGET}/s ${result.packetsPerSecond >= PACKETS_TARGET ? 'MET' : 'NOT met'}`;
  log(
    `  packets ${target.name}${flowName(flow)}, stores ${stores}: ${result.packetsPerSecond.toFixed(0)} packets/s (${result.packets} in ${result.seconds} s, ${result.concurrency} in flight, ${result.errors} errors)${met}`,
  );
  const batchedName: Partial<Record<(typeof STEPS)[number], string>> = {
    requestExchange: 'requestExchanges (per call)',
    claimPacket: 'claimPackets (per call)',
    acknowledgePacket: 'acknowledgePackets (per call)',
  };
  const stepName = (s: (typeof STEPS)[number]) => (batch === undefined ? s : (batchedName[s] ?? s));
  // The inline flow has no upload or download requests.
  const steps = STEPS.filter((s) => !(flow.inline === true && (s === 'upload' || s === 'download')));
  log(
    `    latency ms p50/p99: packet ${ms(result.latency.total.p50)}/${ms(result.latency.total.p99)}; ${steps.map((s) => `${stepName(s)} ${ms(result.latency[s].p50)}/${ms(result.latency[s].p99)}`).join(', ')}`,
  );
  log(`    CPU (% of one core, timed window): ${cpuText(usage)}; per packet: ${cpuPerPacket(usage, result.packetsPerSecond)}`);
  if (result.firstError !== undefined) log(`    first error: ${result.firstError}`);
  if ((usage.others ?? 0) > CONTENDED_PERCENT) {
    const note = `packets ${target.name} (${stores}): other work used ${usage.others!.toFixed(0)} % of a core during the timed window — the machine was shared, the figure is low; rerun on a quiet machine`;
    log(`    warning: ${note}`);
    contentionNotes.push(note);
  }
  return { ...result, stores, cpu: usage };
}

/** How a row's packets go, as the tables say it. */
function flowName(flow: Flow): string {
  if (flow.batch === undefined) return ', one per call';
  return `, batched ${flow.batch} per call${flow.inline === true ? ', content inline' : ''}`;
}

/** CPU milliseconds one packet costs each process (from its % of a core and the packets/s). */
function cpuPerPacket(usage: Record<string, number | undefined>, packetsPerSecond: number): string {
  if (packetsPerSecond <= 0) return '?';
  return Object.entries(usage)
    .filter(([k, v]) => v !== undefined && k !== 'machine' && k !== 'others')
    .map(([k, v]) => `${k} ${((v! / 100) * (1000 / packetsPerSecond)).toFixed(2)} ms`)
    .join(', ');
}

async function streamingPart(platform: BenchPlatform, log: (line: string) => void): Promise<NonNullable<ExchangeResults['streaming']>> {
  // Load the code paths once with a small packet, so that the measurement is the transfer's memory, not start-up's.
  await runStreaming(platform, { path: 'gateway', sender: SENDER.client, recipient: RECIPIENT, bytes: PACKET_BYTES });
  const rows: StreamingResult[] = [];
  for (const path of ['gateway', 'direct'] as const) {
    const row = await runStreaming(platform, { path, sender: SENDER.client, recipient: RECIPIENT });
    rows.push(row);
    const relay = row.rss.relay;
    const gateway = row.rss.gateway;
    const met = relay === undefined ? '?' : relay.growth <= STREAMING_TARGET_BYTES ? 'MET' : 'NOT met';
    log(
      `  streaming ${mb(LARGE_PACKET_BYTES)} MiB ${path === 'gateway' ? "through the gateway's /exchange/ proxy" : 'directly to the relay'}: upload ${row.uploadSeconds.toFixed(1)} s (${mb(row.bytes / row.uploadSeconds)} MiB/s), download ${row.downloadSeconds.toFixed(1)} s (${mb(row.bytes / row.downloadSeconds)} MiB/s)`,
    );
    log(
      `    RSS peak growth: relay ${mb(relay?.growth)} MiB (up ${mb(row.uploadGrowth.relay)}, down ${mb(row.downloadGrowth.relay)}; from ${mb(relay?.baseline)} MiB) — target ≤ 64 MiB ${met}; gateway ${mb(gateway?.growth)} MiB (up ${mb(row.uploadGrowth.gateway)}, down ${mb(row.downloadGrowth.gateway)}; from ${mb(gateway?.baseline)} MiB); ${row.samples} samples`,
    );
  }
  return { rows, targetBytes: STREAMING_TARGET_BYTES };
}

const table = (header: string[], rows: string[][]): string[] => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
};
const kib = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1024).toFixed(1)} KiB`);

/** The figures of the exchange parts as one table (what bench/README.md quotes). */
export function printExchangeSummary(results: ExchangeResults, settings: ExchangeSettings, log: (line: string) => void): void {
  log('(c) packet exchange and subscriptions');
  const rows: string[][] = [];
  if (results.packets !== undefined) {
    for (const r of results.packets.rows) {
      const baseline = results.packets.rows.find((b) => b.stores === 'none' && b.batch === r.batch && b.inline === r.inline);
      const isBaseline = r.stores === 'none';
      const ratio = baseline === undefined || isBaseline ? '' : ` (${((r.packetsPerSecond / baseline.packetsPerSecond) * 100).toFixed(0)} % of baseline)`;
      rows.push([
        'packets/s, 10 KB, end to end',
        `${r.target}${flowName(r)}${isBaseline ? '' : `, ${r.stores}`}, ${r.concurrency} in flight`,
        `${r.packetsPerSecond.toFixed(0)}/s${ratio}; packet p50 ${ms(r.latency.total.p50)} ms, p99 ${ms(r.latency.total.p99)} ms; ${r.errors} errors; CPU/packet: ${cpuPerPacket(r.cpu, r.packetsPerSecond)}`,
        isBaseline ? '' : `≥ ${PACKETS_TARGET}/s`,
        isBaseline ? '' : r.packetsPerSecond >= PACKETS_TARGET ? 'yes' : 'no',
      ]);
    }
  }
  for (const r of results.streaming?.rows ?? []) {
    const relay = r.rss.relay?.growth;
    rows.push([
      `RSS growth, ${mb(r.bytes)} MiB up + down`,
      r.path === 'gateway' ? "through the gateway's /exchange/" : 'direct to the relay',
      `relay +${mb(relay)} MiB, gateway +${mb(r.rss.gateway?.growth)} MiB; up ${mb(r.bytes / r.uploadSeconds)} MiB/s, down ${mb(r.bytes / r.downloadSeconds)} MiB/s`,
      'relay ≤ 64 MiB',
      relay === undefined ? '?' : relay <= STREAMING_TARGET_BYTES ? 'yes' : 'no',
    ]);
  }
  const c = results.connections;
  if (c !== undefined) {
    rows.push([
      'idle graphql-ws connections, one gateway',
      `${c.opened} of ${c.requested} (${c.failures} failed)`,
      `RSS ${mb(c.before.rss)} → ${mb(c.idle.rss)} MiB: ${kib(c.perConnection.rss)}/connection; heap ${kib(c.perConnection.heapUsed)}/connection`,
      `${c.requested} open`,
      c.opened === c.requested ? 'yes' : 'no',
    ]);
    if (c.subscribed !== undefined && c.perSubscription !== undefined) {
      rows.push([
        '  + one subscription each',
        `${c.subscribed.subscriptions ?? '?'} subscriptions`,
        `RSS ${mb(c.subscribed.rss)} MiB: +${kib(c.perSubscription.rss)}/subscription; heap +${kib(c.perSubscription.heapUsed)}`,
        '',
        '',
      ]);
    }
  }
  const e = results.events;
  if (e !== undefined) {
    const met = e.deliveries === e.expectedDeliveries && e.latencyMs.p99 <= EVENTS_TARGET_P99_MS;
    rows.push([
      'event delivery latency',
      `${e.subscribers} subscribers (${e.agencies} agencies), ${e.events} events at ${e.ratePerSecond}/s`,
      `p50 ${ms(e.latencyMs.p50)} ms, p90 ${ms(e.latencyMs.p90)}, p99 ${ms(e.latencyMs.p99)}, max ${ms(e.latencyMs.max)}; ${e.deliveries}/${e.expectedDeliveries} delivered`,
      `p99 ≤ ${EVENTS_TARGET_P99_MS} ms`,
      met ? 'yes' : 'no',
    ]);
  }
  for (const line of table(['measure', 'setting', 'figure', 'target', 'met'], rows)) log(line);
  if (results.packets !== undefined) {
    log(
      `packets: ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per row; one per call = requestExchange, PUT, claimPacket, GET, acknowledgePacket per packet; batched = requestExchanges, claimPackets and acknowledgePackets for ${settings.batch} packets at a time, a PUT and a GET per packet; content inline = the same three calls carrying the content (base64), no PUT or GET; baseline = the same HTTP requests against a minimal node:http server (bench/exchange/baseline-server.ts), each flow against its own.`,
    );
  }
}
