/**
 * Event delivery latency to many subscribers (issue 4: 1,000, target p99 ≤ 100 ms): the subscribers are spread over
 * the agency systems (each one connection with one `packetAvailable` subscription to its own agency, through the
 * gateway, so the gateway shares one upstream stream per agency and fans each event out); events are published
 * the way the relay publishes them (`redisEventPublisher` of `@lgsp/events`: XADD to the agency's
 * `packet-available` topic, with `occurredAt`), one agency after the other at a steady rate. Latency = receipt at
 * the subscriber − just before the XADD, both on this process's monotonic clock: it covers Redis, the
 * subscriptions subgraph's reader, its WebSocket to the gateway, the gateway's per-event plan and authorization,
 * and the WebSocket to the client (and the client's own JSON parsing, on the same 2 cores).
 */
import { redisEventPublisher, TopicFamily } from '@lgsp/events';
import { connectRedis } from '@lgsp/kit';
import { PACKET_AVAILABLE_SUBSCRIPTION, waitForGauge } from './connections.ts';
import { ms, percentile } from './measure.ts';
import { AGENCY_SYSTEMS, type BenchPlatform } from './platform.ts';
import { closeAll, openMany, type BenchSocket } from './ws-clients.ts';

export interface EventsResult {
  subscribers: number;
  agencies: number;
  events: number;
  ratePerSecond: number;
  expectedDeliveries: number;
  deliveries: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  subscribeErrors: number;
  firstError?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runEvents(
  platform: BenchPlatform,
  options: { subscribers: number; events: number; ratePerSecond: number; log: (line: string) => void },
): Promise<EventsResult> {
  if (platform.redisUrl === undefined) throw new Error('the events part publishes on Redis');
  const { log } = options;
  const systems = AGENCY_SYSTEMS;
  const tokens = await Promise.all(systems.map(async (s) => `Bearer ${await platform.accessToken(s.client)}`));
  const redis = await connectRedis(platform.redisUrl, { name: 'lgsp-bench-publisher' });
  const publisher = redisEventPublisher(redis, { keyPrefix: platform.keyPrefix });
  let sockets: BenchSocket[] = [];
  try {
    const opened = await openMany(platform.gatewayWsUrl, options.subscribers, (i) => tokens[i % tokens.length]!);
    sockets = opened.sockets;
    if (opened.failures > 0) log(`  events: ${opened.failures} connections failed: ${opened.firstFailure}`);

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const warmupSeen = new Set<number>();
    let subscribeErrors = 0;
    let firstError: string | undefined;
    sockets.forEach((socket, index) =>
      socket.subscribe(
        'events',
        PACKET_AVAILABLE_SUBSCRIPTION,
        (payload) => {
          const received = performance.now();
          const event = (payload.data as { packetAvailable?: { packet: { id: string } } } | undefined)?.packetAvailable;
          if (event === undefined) {
            subscribeErrors += 1;
            firstError ??= JSON.stringify(payload).slice(0, 300);
            return;
          }
          const id = event.packet.id;
          if (id.startsWith('warmup-')) warmupSeen.add(index);
          const sent = sentAt.get(id);
          if (sent !== undefined) latencies.push(received - sent);
        },
        (errors) => {
          subscribeErrors += 1;
          firstError ??= JSON.stringify(errors).slice(0, 300);
        },
      ),
    );
    await waitForGauge(platform, 'subscriptions', sockets.length, 30_000);

    // The subscriptions subgraph starts reading a topic when its first subscription arrives: publish warm-up events
    // until every subscriber has had one, so the timed events find every stream live.
    const warmupDeadline = Date.now() + 20_000;
    for (let round = 0; warmupSeen.size < sockets.length && Date.now() < warmupDeadline; round += 1) {
      for (const s of systems)
        await publisher.publish(TopicFamily.packetAvailable, s.agency, {
          packetId: `warmup-${round}`,
          sourceAgency: systems[0].agency,
          priority: 'NORMAL',
          occurredAt: new Date().toISOString(),
        });
      await sleep(200);
    }
    if (warmupSeen.size < sockets.length) log(`  events: only ${warmupSeen.size} of ${sockets.length} subscribers received a warm-up event`);

    const interval = 1000 / options.ratePerSecond;
    const start = performance.now();
    for (let n = 0; n < options.events; n += 1) {
      const due = start + n * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const system = systems[n % systems.length]!;
      const packetId = `bench-${n}`;
      sentAt.set(packetId, performance.now());
      await publisher.publish(TopicFamily.packetAvailable, system.agency, {
        packetId,
        sourceAgency: systems[0].agency,
        priority: 'NORMAL',
        occurredAt: new Date().toISOString(),
      });
    }
    // Every subscriber of an agency gets each of that agency's events.
    const perAgency = systems.map((_, a) => sockets.filter((__, i) => i % systems.length === a).length);
    const expectedDeliveries = Array.from({ length: options.events }, (_, n) => perAgency[n % systems.length]!).reduce((x, y) => x + y, 0);
    const deadline = Date.now() + 10_000;
    while (latencies.length < expectedDeliveries && Date.now() < deadline) await sleep(50);

    const result: EventsResult = {
      subscribers: sockets.length,
      agencies: systems.length,
      events: options.events,
      ratePerSecond: options.ratePerSecond,
      expectedDeliveries,
      deliveries: latencies.length,
      latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
      subscribeErrors,
      ...(firstError !== undefined && { firstError }),
    };
    const met = result.deliveries === expectedDeliveries && result.latencyMs.p99 <= 100 ? 'MET' : 'NOT met';
    log(
      `  events: ${options.events} events at ${options.ratePerSecond}/s to ${sockets.length} subscribers (${systems.length} agencies, ${perAgency.join('/')}): ${result.deliveries} of ${expectedDeliveries} deliveries; latency ms p50 ${ms(result.latencyMs.p50)}, p90 ${ms(result.latencyMs.p90)}, p99 ${ms(result.latencyMs.p99)}, max ${ms(result.latencyMs.max)} — target p99 ≤ 100 ms ${met}`,
    );
    if (subscribeErrors > 0) log(`    ${subscribeErrors} errors, first: ${firstError}`);
    return result;
  } finally {
    closeAll(sockets);
    await redis.quit();
  }
}
