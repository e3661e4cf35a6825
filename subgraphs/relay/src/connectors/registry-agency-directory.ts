/**
 * The agency directory from the registry (issue 16, must-have 7: "the relay asks the registry"): an HTTP client of the
 * registry's internal API, `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`:
 *
 *   GET /internal/v1/agencies                            → { version, items: AgencyRecord[] }
 *   GET /internal/v1/relay/routes?environment=production → { version, items: [{ dataType, provider, participants }] }
 *   GET /internal/v1/relay/routes?environment=test       → the same for the test environment
 *
 * Each of the three is held in memory and revalidated every `refreshMs` with `If-None-Match` (the registry answers 304
 * while its version is unchanged), so a request to the relay never waits for the registry. When the registry cannot be
 * reached (or answers an error, or a body that is not the contract's):
 * - a copy loaded before is kept and used (warning log once per outage, `lgsp_relay_directory_stale_seconds` grows);
 * - a resource never loaded since the start refuses what needs it: `UPSTREAM_UNAVAILABLE`, reason
 *   `DIRECTORY_UNAVAILABLE` (error log: the operator must act); the registry is asked again on demand, at most once a
 *   second, and on every timer tick, so the relay serves as soon as the registry answers.
 */
import { ErrorCode, Gauge, type Environment, type Logger, type Registry } from '@lgsp/kit';
import { z } from 'zod';
import {
  AgencyIndex,
  directoryOver,
  indexRoutes,
  type AgencyDirectory,
  type AgencyRecord,
  type RelayRoute,
  type RouteIndex,
} from '../domain/agency-directory.ts';
import { exchangeError } from '../domain/exchange-errors.ts';

export interface RegistryDirectoryOptions {
  /** The registry's origin (REGISTRY_URL), e.g. http://127.0.0.1:4105. */
  baseUrl: string;
  /** REGISTRY_INTERNAL_TOKEN. */
  token: string;
  /** How often each resource is revalidated (RELAY_DIRECTORY_REFRESH_MS). */
  refreshMs: number;
  /** Longest one request to the registry may take (default 5000 ms). */
  timeoutMs?: number;
  logger: Logger;
  /** Where `lgsp_relay_directory_stale_seconds` is registered (none: not measured). */
  metrics?: Registry;
  now?: () => number;
}

/** What the directory holds of one resource, for operators and tests. */
export interface ResourceStatus {
  /** The registry's version of the copy held, or null when none was ever loaded. */
  version: number | null;
  /** When the registry last confirmed the copy (200 or 304), ms; null when never. */
  confirmedAt: number | null;
  /** Why the last attempt failed, or null when it succeeded. */
  failure: string | null;
}

export interface RegistryAgencyDirectory extends AgencyDirectory {
  /** Loads every resource once (resolves whether the registry answered or not) and starts revalidating them. */
  start(): Promise<void>;
  /** Revalidates every resource now. */
  refresh(): Promise<void>;
  status(): { agencies: ResourceStatus; routes: Record<Environment, ResourceStatus> };
  close(): void;
}

const agencyRecord = z.object({
  code: z.string().min(1),
  name: z.string(),
  shortName: z.string().nullable().optional(),
  parentCode: z.string().nullable().optional(),
  // A status the relay does not know yet counts as not ACTIVE (the rule asks for ACTIVE only).
  status: z.string(),
  successorCodes: z.array(z.string()).optional(),
});
const agenciesBody = z.object({ version: z.number().int().nonnegative(), items: z.array(agencyRecord) });
const routesBody = z.object({
  version: z.number().int().nonnegative(),
  items: z.array(z.object({ dataType: z.string(), provider: z.string(), participants: z.array(z.string()) })),
});

/** The shortest time between two on-demand attempts while nothing was ever loaded. */
const ON_DEMAND_RETRY_MS = 1_000;

class CachedResource<T> {
  private value: T | null = null;
  private etag: string | null = null;
  private version: number | null = null;
  private confirmedAt: number | null = null;
  private failure: string | null = null;
  private lastAttemptAt = -Infinity;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly url: string,
    private readonly parse: (body: unknown) => { version: number; value: T },
    private readonly options: RegistryDirectoryOptions & { now: () => number; closed: () => boolean },
  ) {}

  /** Revalidates now (one request at a time: a caller arriving during one waits for it). */
  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The copy held; without one, asks the registry (at most once a second) and refuses when it still has none. */
  async current(): Promise<T> {
    if (this.value !== null) return this.value;
    if (this.inFlight !== null || this.options.now() - this.lastAttemptAt >= ON_DEMAND_RETRY_MS) await this.refresh();
    if (this.value !== null) return this.value;
    throw exchangeError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'DIRECTORY_UNAVAILABLE',
      `the relay has not been able to read ${this.name} from the registry since it started (${this.failure ?? 'no answer yet'}): exchange requests are refused until it can; try again later`,
    );
  }

  status(): ResourceStatus {
    return { version: this.version, confirmedAt: this.confirmedAt, failure: this.failure };
  }

  private async load(): Promise<void> {
    const { token, logger, timeoutMs = 5_000, now } = this.options;
    this.lastAttemptAt = now();
    try {
      const response = await fetch(this.url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(this.etag !== null && { 'if-none-match': this.etag }) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.status === 304 && this.value !== null) {
        await response.body?.cancel();
      } else if (response.status === 200) {
        const parsed = this.parse(await response.json());
        this.value = parsed.value;
        this.version = parsed.version;
        this.etag = response.headers.get('etag');
      } else {
        const body = (await response.json().catch(() => ({}))) as { errors?: Array<{ message?: unknown }> };
        const message = body.errors?.[0]?.message;
        throw new Error(`HTTP ${response.status}${typeof message === 'string' ? ` (${message})` : ''}`);
      }
      this.confirmedAt = now();
      if (this.failure !== null) logger.info({ resource: this.name, version: this.version }, 'registry reachable again: agency directory up to date');
      this.failure = null;
    } catch (error) {
      // A request still in flight when the directory was closed (the relay stopping) is nobody's concern.
      if (this.options.closed()) return;
      const cause = (error as Error & { cause?: { message?: unknown } }).cause?.message;
      const reason =
        error instanceof z.ZodError ? 'the answer is not the registry contract' : `${(error as Error).message}${typeof cause === 'string' ? `: ${cause}` : ''}`;
      const first = this.failure === null;
      this.failure = reason;
      if (!first) return;
      if (this.value === null)
        logger.error(
          { resource: this.name, url: this.url, reason },
          'registry unreachable and no agency directory loaded yet: exchange requests are refused (DIRECTORY_UNAVAILABLE) until it answers; check REGISTRY_URL and REGISTRY_INTERNAL_TOKEN',
        );
      else
        logger.warn(
          { resource: this.name, url: this.url, reason, version: this.version },
          'registry unreachable: the relay keeps its last copy of the agency directory',
        );
    }
  }
}

/** The registry-backed directory; `start()` it before use (a resource never loaded is asked for on demand too). */
export function createRegistryAgencyDirectory(options: RegistryDirectoryOptions): RegistryAgencyDirectory {
  let closed = false;
  const settings = { ...options, now: options.now ?? Date.now, closed: () => closed };
  const base = options.baseUrl.replace(/\/+$/, '');
  const agencies = new CachedResource<AgencyIndex>(
    'the agencies (/internal/v1/agencies)',
    `${base}/internal/v1/agencies`,
    (body) => {
      const parsed = agenciesBody.parse(body);
      const records: AgencyRecord[] = parsed.items.map((i) => ({
        code: i.code,
        name: i.name,
        shortName: i.shortName ?? null,
        parentCode: i.parentCode ?? null,
        status: i.status,
        successorCodes: i.successorCodes ?? [],
      }));
      return { version: parsed.version, value: new AgencyIndex(records) };
    },
    settings,
  );
  const routesOf = (environment: Environment) =>
    new CachedResource<RouteIndex>(
      `the ${environment} relay routes (/internal/v1/relay/routes)`,
      `${base}/internal/v1/relay/routes?environment=${environment}`,
      (body) => {
        const parsed = routesBody.parse(body);
        return { version: parsed.version, value: indexRoutes(parsed.items as RelayRoute[]) };
      },
      settings,
    );
  const routes: Record<Environment, CachedResource<RouteIndex>> = { production: routesOf('production'), test: routesOf('test') };
  const all = [agencies, routes.production, routes.test];
  let timer: ReturnType<typeof setInterval> | undefined;

  if (options.metrics !== undefined) {
    new Gauge({
      name: 'lgsp_relay_directory_stale_seconds',
      help: 'Seconds since the registry last confirmed the oldest part of the relay agency directory (agencies, routes); -1 while one was never loaded (operator alert when it grows beyond a few refresh intervals)',
      registers: [options.metrics],
      collect() {
        const confirmed = all.map((r) => r.status().confirmedAt);
        this.set(confirmed.some((c) => c === null) ? -1 : (settings.now() - Math.min(...(confirmed as number[]))) / 1000);
      },
    });
  }

  const refresh = async () => {
    await Promise.all(all.map((r) => r.refresh()));
  };
  return {
    ...directoryOver({ agencies: () => agencies.current(), routes: (environment) => routes[environment].current() }),
    async start() {
      await refresh();
      timer ??= setInterval(() => void refresh(), options.refreshMs);
      timer.unref();
    },
    refresh,
    status: () => ({ agencies: agencies.status(), routes: { production: routes.production.status(), test: routes.test.status() } }),
    close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
