/**
 * The AGENCIES catalog fed by the registry: polls `GET <REGISTRY_URL>/internal/v1/agencies` (bearer
 * REGISTRY_INTERNAL_TOKEN) every CATALOGS_REGISTRY_POLL_MS with `If-None-Match`, and imports a changed list through
 * `Catalogs.importAgencies` — a new catalog version, made current and announced as `catalog-changed` — so that
 * the agency codes the registry announces reach every reader of the catalog. A `304 Not Modified` costs one request
 * and nothing else. A failed poll keeps the current version (it is what every replica serves) and tries again at
 * the next tick; a list the catalog cannot serve is refused whole.
 */
import { z } from 'zod';
import { LgspError, type Logger } from '@lgsp/kit';
import type { Catalogs } from '../domain/catalogs.ts';
import { agencyRowsFromRegistry, type RegistryAgencyRecord } from '../domain/registry-agencies.ts';
import { AGENCY_STATUSES, type AgencyRow } from '../domain/reference-catalogs.ts';

/** Path of the registry's agency list, below REGISTRY_URL. */
export const REGISTRY_AGENCIES_PATH = '/internal/v1/agencies';

const agencyRecord = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  shortName: z.string().nullable(),
  parentCode: z.string().nullable(),
  status: z.enum(AGENCY_STATUSES as [string, ...string[]]),
  successorCodes: z.array(z.string()),
  effectiveFrom: z.string().nullable(),
  englishName: z.string().nullable().optional(),
  kind: z.enum(['PEOPLES_COMMITTEE', 'OFFICE', 'DEPARTMENT', 'POLICE', 'HOSPITAL', 'SCHOOL', 'OTHER']).optional(),
  administrativeUnitCode: z.string().nullable().optional(),
});
const agencyList = z.object({ version: z.number().int().nonnegative(), items: z.array(agencyRecord) });

export interface RegistryAgencySyncOptions {
  /** REGISTRY_URL: the registry service's base URL (no trailing slash needed). */
  url: string;
  /** REGISTRY_INTERNAL_TOKEN. */
  token: string;
  /** Pause between the end of one poll and the start of the next, in ms. */
  intervalMs: number;
  /** Deadline of one request, in ms. */
  timeoutMs: number;
  catalogs: Catalogs;
  logger: Logger;
}

/** What one poll did. */
export type RegistryPollOutcome =
  /** 304: the registry's list has not changed since the last one imported. */
  | { kind: 'not-modified' }
  /** 200 with the same agencies as the current version (e.g. after a restart, or another replica imported it). */
  | { kind: 'unchanged'; registryVersion: number }
  /** A new catalog version was published (and announced). */
  | { kind: 'imported'; registryVersion: number; catalogVersion: number; eventId: string | null }
  | { kind: 'failed'; reason: string };

export interface RegistryAgencySync {
  /** Polls once now (also what the timer does). Never throws: a failure is an outcome. */
  poll(): Promise<RegistryPollOutcome>;
  /** The ETag of the last list imported or found unchanged; null before the first. */
  readonly etag: string | null;
  /** Stops polling and waits for a poll in flight. */
  stop(): Promise<void>;
}

/**
 * Polls once at once (awaited: a service that starts with a reachable registry serves its agencies from the first
 * request), then every `intervalMs` after the previous poll ended, so that polls never overlap.
 */
export async function startRegistryAgencySync(options: RegistryAgencySyncOptions): Promise<RegistryAgencySync> {
  const endpoint = options.url.replace(/\/+$/, '') + REGISTRY_AGENCIES_PATH;
  let etag: string | null = null;
  let lastFailure: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<RegistryPollOutcome> | undefined;

  const failed = (reason: string): RegistryPollOutcome => {
    // The first failure of a kind needs the operator (the catalog no longer follows the registry); repeats are noise.
    if (reason !== lastFailure) options.logger.error({ endpoint, reason }, 'registry agencies not imported; the AGENCIES catalog keeps its current version');
    else options.logger.debug({ endpoint, reason }, 'registry agencies still not imported');
    lastFailure = reason;
    return { kind: 'failed', reason };
  };

  const pollOnce = async (): Promise<RegistryPollOutcome> => {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(etag === null ? {} : { 'if-none-match': etag }) },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      return failed(
        `registry unreachable: ${(error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : String((error as Error).cause ?? error)}`,
      );
    }
    if (response.status === 304) {
      await response.body?.cancel();
      lastFailure = null;
      return { kind: 'not-modified' };
    }
    const text = await response.text();
    if (response.status !== 200)
      return failed(`HTTP ${response.status}${response.status === 401 ? ' (check REGISTRY_INTERNAL_TOKEN)' : ''}: ${text.slice(0, 200)}`);
    let list: z.infer<typeof agencyList>;
    try {
      const parsed = agencyList.safeParse(JSON.parse(text));
      if (!parsed.success) return failed(`malformed answer: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      list = parsed.data;
    } catch {
      return failed('malformed answer: not JSON');
    }
    try {
      const current = await options.catalogs.store.currentVersion('AGENCIES');
      const previous = current === null ? [] : ((await options.catalogs.store.readPayload('AGENCIES', current)) as AgencyRow[]);
      const rows = agencyRowsFromRegistry(list.items as RegistryAgencyRecord[], previous);
      const result = await options.catalogs.importAgencies(rows, {
        source: `registry ${endpoint} (version ${list.version})`,
        label: `registry-${list.version}`,
      });
      etag = response.headers.get('etag');
      lastFailure = null;
      if (result.published === null) return { kind: 'unchanged', registryVersion: list.version };
      options.logger.info(
        { registryVersion: list.version, catalogVersion: result.published.version, ...result.changes },
        'AGENCIES catalog updated from the registry',
      );
      return { kind: 'imported', registryVersion: list.version, catalogVersion: result.published.version, eventId: result.eventId };
    } catch (error) {
      return failed(error instanceof LgspError ? `${error.code}: ${error.message}` : String(error));
    }
  };

  const poll = (): Promise<RegistryPollOutcome> => {
    inFlight ??= pollOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void poll().finally(schedule);
    }, options.intervalMs);
  };

  await poll();
  schedule();
  return {
    poll,
    get etag() {
      return etag;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
