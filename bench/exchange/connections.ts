/**
 * Idle graphql-ws connections on one gateway process (issue 4: 10,000): each one `graphql-transport-ws`,
 * `connection_init` with a real access token (spread over the agency systems, so the gateway verifies a token per
 * connection), then idle, answering keep-alive pings; then one `packetAvailable` subscription each (shared upstream
 * streams: one per agency). The gateway's RSS (/proc VmRSS) and V8 heap (its /metrics, `nodejs_heap_size_used_bytes`)
 * are read before, with the connections idle, and with the subscriptions; the difference ÷ connections is the cost
 * of one. The clients are raw `ws` sockets in the harness process.
 */
import { readFile } from 'node:fs/promises';
import { mb } from './measure.ts';
import { AGENCY_SYSTEMS, rssBytes, type BenchPlatform } from './platform.ts';
import { closeAll, metricValue, openMany, type BenchSocket } from './ws-clients.ts';

export interface MemoryReading {
  rss: number | undefined;
  heapUsed: number | undefined;
  connections: number | undefined;
  subscriptions: number | undefined;
}

export interface ConnectionsResult {
  requested: number;
  opened: number;
  failures: number;
  firstFailure?: string;
  openSeconds: number;
  fileDescriptorLimit: number | undefined;
  before: MemoryReading;
  idle: MemoryReading;
  subscribed?: MemoryReading;
  /** Bytes per connection (idle − before) and per subscription (subscribed − idle). */
  perConnection: { rss: number | undefined; heapUsed: number | undefined };
  perSubscription?: { rss: number | undefined; heapUsed: number | undefined };
}

export const PACKET_AVAILABLE_SUBSCRIPTION = 'subscription { packetAvailable { eventId occurredAt packet { id } priority } }';

/** The soft limit on open files of this process (its children inherit it). */
export async function openFilesLimit(): Promise<number | undefined> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return match === null ? undefined : match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

export async function readGatewayMemory(platform: BenchPlatform): Promise<MemoryReading> {
  const text = await fetch(`${platform.gatewayOrigin}/metrics`).then((r) => r.text());
  return {
    rss: platform.pids.gateway === undefined ? undefined : await rssBytes(platform.pids.gateway),
    heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes'),
    connections: metricValue(text, 'lgsp_gateway_ws_connections'),
    subscriptions: metricValue(text, 'lgsp_gateway_ws_subscriptions'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const per = (a: number | undefined, b: number | undefined, n: number) => (a === undefined || b === undefined || n === 0 ? undefined : (a - b) / n);
const kb = (bytes: number | undefined) => (bytes === undefined ? '?' : (bytes / 1024).toFixed(1));

/** Waits until a gateway gauge reaches `value` (or `timeoutMs`). */
export async function waitForGauge(platform: BenchPlatform, name: 'connections' | 'subscriptions', value: number, timeoutMs: number): Promise<MemoryReading> {
  const deadline = Date.now() + timeoutMs;
  let reading = await readGatewayMemory(platform);
  while ((reading[name] ?? 0) < value && Date.now() < deadline) {
    await sleep(250);
    reading = await readGatewayMemory(platform);
  }
  return reading;
}

export async function runConnections(
  platform: BenchPlatform,
  options: { connections: number; subscribe: boolean; log: (line: string) => void },
): Promise<ConnectionsResult> {
  const { log } = options;
  const limit = await openFilesLimit();
  let count = options.connections;
  // Each connection is one descriptor in this process and one in the gateway (both inherit this limit).
  if (limit !== undefined && limit < count + 1_000) {
    count = Math.max(0, limit - 1_000);
    log(
      `  connections: ulimit -n is ${limit} here; opening ${count} instead of ${options.connections} (raise it with \`ulimit -n ${options.connections + 2_000}\`)`,
    );
  }
  const tokens = await Promise.all(AGENCY_SYSTEMS.map(async (s) => `Bearer ${await platform.accessToken(s.client)}`));
  await sleep(1_000);
  const before = await readGatewayMemory(platform);
  let sockets: BenchSocket[] = [];
  try {
    const started = performance.now();
    const opened = await openMany(platform.gatewayWsUrl, count, (i) => tokens[i % tokens.length]!);
    sockets = opened.sockets;
    const openSeconds = (performance.now() - started) / 1000;
    await waitForGauge(platform, 'connections', sockets.length, 10_000);
    await sleep(3_000); // let the opening's garbage and buffers settle (the gateway cannot be made to collect)
    const idle = await readGatewayMemory(platform);
    const result: ConnectionsResult = {
      requested: options.connections,
      opened: sockets.length,
      failures: opened.failures,
      ...(opened.firstFailure !== undefined && { firstFailure: opened.firstFailure }),
      openSeconds,
      fileDescriptorLimit: limit,
      before,
      idle,
      perConnection: { rss: per(idle.rss, before.rss, sockets.length), heapUsed: per(idle.heapUsed, before.heapUsed, sockets.length) },
    };
    log(
      `  connections: ${sockets.length} of ${count} acknowledged in ${openSeconds.toFixed(1)} s (${opened.failures} failed${opened.firstFailure === undefined ? '' : `: ${opened.firstFailure}`}); gateway counts ${idle.connections ?? '?'}`,
    );
    log(
      `    gateway RSS ${mb(before.rss)} → ${mb(idle.rss)} MiB, heap used ${mb(before.heapUsed)} → ${mb(idle.heapUsed)} MiB: ${kb(result.perConnection.rss)} KiB RSS and ${kb(result.perConnection.heapUsed)} KiB heap per idle connection`,
    );
    if (options.subscribe && platform.hasSubscriptions) {
      let errors = 0;
      let firstError: string | undefined;
      sockets.forEach((s, i) =>
        s.subscribe(
          `s${i}`,
          PACKET_AVAILABLE_SUBSCRIPTION,
          () => undefined,
          (e) => {
            errors += 1;
            firstError ??= JSON.stringify(e).slice(0, 300);
          },
        ),
      );
      await waitForGauge(platform, 'subscriptions', sockets.length, 30_000);
      await sleep(3_000);
      const subscribed = await readGatewayMemory(platform);
      result.subscribed = subscribed;
      result.perSubscription = { rss: per(subscribed.rss, idle.rss, sockets.length), heapUsed: per(subscribed.heapUsed, idle.heapUsed, sockets.length) };
      log(
        `    with one packetAvailable subscription each (${subscribed.subscriptions ?? '?'} active, ${errors} refused${firstError === undefined ? '' : `: ${firstError}`}): RSS ${mb(subscribed.rss)} MiB, heap used ${mb(subscribed.heapUsed)} MiB: +${kb(result.perSubscription.rss)} KiB RSS and +${kb(result.perSubscription.heapUsed)} KiB heap per subscription`,
      );
    }
    return result;
  } finally {
    closeAll(sockets);
    // Let the gateway see the closes before the next piece measures anything.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && ((await readGatewayMemory(platform).catch(() => undefined))?.connections ?? 0) > 0) await sleep(250);
  }
}
