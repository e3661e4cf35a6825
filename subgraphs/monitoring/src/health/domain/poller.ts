/**
 * Pulls the registered health endpoints (App01 §2.3): each endpoint of each system at its agreed `intervalSeconds`
 * (never under the configured minimum), jittered ±10 % so that systems agreed on the same interval are not all
 * checked at once, each check bounded by a timeout, at most `concurrency` in flight. Every endpoint has its own timer:
 * a slow or hanging system costs one slot until its timeout, never the others' schedule. The list of systems is read
 * from the registry every `refreshMs` (an unchanged list is a 304).
 */
import type { Logger } from '@lgsp/kit';
import type { HealthEndpointRecord, RegistryClient, SystemRecord } from '../../registry-client.ts';
import { MAX_BODY_BYTES, parseLevel2 } from './level2.ts';
import type { HealthSample } from './model.ts';
import type { HealthTracker } from './tracker.ts';

export interface PollerOptions {
  registry: RegistryClient;
  tracker: HealthTracker;
  logger: Logger;
  timeoutMs: number;
  concurrency: number;
  minIntervalSeconds: number;
  refreshMs: number;
  /** Counts each check by level and outcome. */
  checked(level: 1 | 2, outcome: 'up' | 'degraded' | 'down'): void;
  now?: () => number;
}

interface Scheduled {
  system: SystemRecord;
  endpoint: HealthEndpointRecord;
  timer: NodeJS.Timeout | null;
  stopped: boolean;
}

const keyOf = (system: SystemRecord, e: HealthEndpointRecord) => `${system.id}\n${e.level}\n${e.url}`;

/** Reads at most `max` bytes of a body; longer ones are cut (a level-2 answer is small). */
async function readLimited(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${max} bytes`);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class HealthPoller {
  private readonly scheduled = new Map<string, Scheduled>();
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = 0;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshFailures = 0;
  private systemsById = new Map<string, SystemRecord>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: PollerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The systems the registry listed at the last refresh. */
  system(id: string): SystemRecord | undefined {
    return this.systemsById.get(id);
  }

  systems(): SystemRecord[] {
    return [...this.systemsById.values()];
  }

  async start(): Promise<void> {
    await this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.refreshTimer.unref();
  }

  /** Reads the registry's systems and (un)schedules their endpoints. */
  async refresh(): Promise<void> {
    let systems: SystemRecord[];
    try {
      systems = await this.options.registry.systems();
      this.refreshFailures = 0;
    } catch (error) {
      this.refreshFailures += 1;
      const fields = { err: error, failures: this.refreshFailures };
      // One miss is the registry restarting; many in a row leave new and changed systems unwatched.
      if (this.refreshFailures >= 5) this.options.logger.error(fields, 'the registry has not answered for a while: registered systems are not refreshed');
      else this.options.logger.warn(fields, 'the registry did not answer; the systems known are kept');
      return;
    }
    if (this.closed) return;
    this.systemsById = new Map(systems.map((s) => [s.id, s]));
    const wanted = new Map<string, { system: SystemRecord; endpoint: HealthEndpointRecord }>();
    for (const system of systems) for (const endpoint of system.healthEndpoints) wanted.set(keyOf(system, endpoint), { system, endpoint });
    for (const [key, entry] of this.scheduled) {
      const next = wanted.get(key);
      if (next === undefined || next.endpoint.intervalSeconds !== entry.endpoint.intervalSeconds) {
        entry.stopped = true;
        if (entry.timer !== null) clearTimeout(entry.timer);
        this.scheduled.delete(key);
      } else entry.system = next.system;
    }
    for (const [key, { system, endpoint }] of wanted) {
      if (this.scheduled.has(key)) continue;
      const entry: Scheduled = { system, endpoint, timer: null, stopped: false };
      this.scheduled.set(key, entry);
      // The first check of each endpoint at a random point of its first interval: a restart does not check all at once.
      this.schedule(entry, Math.random() * this.intervalMs(endpoint));
    }
  }

  private intervalMs(endpoint: HealthEndpointRecord): number {
    return Math.max(endpoint.intervalSeconds, this.options.minIntervalSeconds) * 1000;
  }

  private schedule(entry: Scheduled, delayMs: number): void {
    if (entry.stopped || this.closed) return;
    entry.timer = setTimeout(() => {
      entry.timer = null;
      const run = this.run(entry);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }, delayMs);
    entry.timer.unref();
  }

  private async run(entry: Scheduled): Promise<void> {
    await this.acquire();
    try {
      if (entry.stopped || this.closed) return;
      const sample = await this.check(entry.system, entry.endpoint);
      const hasLevel1 = entry.system.healthEndpoints.some((e) => e.level === 1);
      const interval = this.intervalMs(entry.endpoint) / 1000;
      await this.options.tracker.observe(sample, { decisive: entry.endpoint.level === 1 || !hasLevel1, creditCapSeconds: interval * 3 });
    } catch (error) {
      this.options.logger.error({ err: error, systemId: entry.system.id }, 'a health check could not be recorded');
    } finally {
      this.release();
      const interval = this.intervalMs(entry.endpoint);
      this.schedule(entry, interval * (0.9 + Math.random() * 0.2));
    }
  }

  /** One check of one endpoint: never throws; a failure is a DOWN sample with its reason. */
  async check(system: SystemRecord, endpoint: HealthEndpointRecord): Promise<HealthSample> {
    const started = this.now();
    const base = { systemId: system.id, agencyCode: system.agencyCode, level: endpoint.level, source: 'pull' as const, checks: [] };
    let result: Pick<HealthSample, 'status' | 'checks' | 'detail'> & { latencyMs: number | null };
    try {
      const response = await fetch(endpoint.url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const body = await readLimited(response, MAX_BODY_BYTES);
      const latencyMs = this.now() - started;
      if (endpoint.level === 1) {
        result = response.ok
          ? { status: 'UP', checks: [], detail: null, latencyMs }
          : { status: 'DOWN', checks: [], detail: `HTTP ${response.status}`, latencyMs };
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        const answer = parseLevel2(parsed);
        if (!answer.ok) result = { status: 'DOWN', checks: [], detail: `HTTP ${response.status}: malformed level-2 answer: ${answer.reason}`, latencyMs };
        else
          result = {
            status: answer.status,
            checks: answer.checks,
            detail: answer.status === 'UP' ? null : (answer.checks.find((c) => c.status !== 'UP')?.detail ?? `HTTP ${response.status}`),
            latencyMs,
          };
      }
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      result = { status: 'DOWN', checks: [], detail: reason, latencyMs: null };
    }
    this.options.checked(endpoint.level, result.status === 'UP' ? 'up' : result.status === 'DEGRADED' ? 'degraded' : 'down');
    return { ...base, ...result, atMs: this.now() };
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.running -= 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
    for (const entry of this.scheduled.values()) {
      entry.stopped = true;
      if (entry.timer !== null) clearTimeout(entry.timer);
    }
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
