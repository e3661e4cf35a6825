/**
 * The windows from the registry's internal API: `GET <REGISTRY_INTERNAL_URL>/internal/v1/maintenance` with
 * `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`, answered `{ "version": n, "items": ScheduledWindow[] }` with ETag
 * `"<version>"`. Read once at start-up, then every MAINTENANCE_POLL_MS with `If-None-Match` (304: nothing changed).
 *
 * A failed read (registry down — perhaps for the very maintenance announced —, 401, a body that is not a list) keeps
 * the windows already read, logged once per outage as a warning; an item that does not read as a window is left out
 * (and logged), the others apply.
 */
import type { Logger } from '@lgsp/kit';
import { parseWindow, type MaintenanceSchedule, type ScheduledWindow } from './schedule.ts';

/** The path of the windows on the registry's internal API. */
export const MAINTENANCE_PATH = '/internal/v1/maintenance';

export interface RegistryScheduleOptions {
  registryUrl: string;
  token: string;
  pollMs: number;
  timeoutMs: number;
  logger: Logger;
}

export type ScheduleReadOutcome = 'updated' | 'unchanged' | 'not-modified' | 'failed';

export interface RegistrySchedule extends MaintenanceSchedule {
  /** Reads now (the poll calls this); never throws. */
  refresh(): Promise<ScheduleReadOutcome>;
}

/** Starts reading; resolves after the first read, whether it succeeded or not. */
export async function createRegistrySchedule(options: RegistryScheduleOptions): Promise<RegistrySchedule> {
  const logger = options.logger.child({ component: 'maintenance-windows' });
  const url = new URL(MAINTENANCE_PATH, options.registryUrl).toString();
  let windows: readonly ScheduledWindow[] = [];
  let etag: string | undefined;
  let running: Promise<ScheduleReadOutcome> | undefined;
  let failing = false;

  const failed = (problem: string): ScheduleReadOutcome => {
    if (!failing) logger.warn({ url, problem }, 'maintenance windows could not be read; the last ones read stay in force');
    failing = true;
    return 'failed';
  };
  const recovered = (outcome: ScheduleReadOutcome): ScheduleReadOutcome => {
    if (failing) logger.info({ url }, 'maintenance windows read again');
    failing = false;
    return outcome;
  };

  const read = async (): Promise<ScheduleReadOutcome> => {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(etag !== undefined && { 'if-none-match': etag }) },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      return failed(`the registry did not answer (${(error as Error).message})`);
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return recovered('not-modified');
    }
    if (!response.ok) {
      await response.body?.cancel();
      return failed(`the registry answered HTTP ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return failed('the registry answered with a body that is not JSON');
    }
    const items = (body as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) return failed('the registry answered without an items list');
    const next: ScheduledWindow[] = [];
    for (const item of items) {
      try {
        next.push(parseWindow(item));
      } catch (error) {
        logger.warn({ id: (item as { id?: unknown } | null)?.id, problem: (error as Error).message }, 'a maintenance window from the registry is left out');
      }
    }
    etag = response.headers.get('etag') ?? undefined;
    if (JSON.stringify(next) === JSON.stringify(windows)) return recovered('unchanged');
    windows = next;
    logger.info({ windows: next.map((w) => ({ id: w.id, startsAt: w.startsAt, endsAt: w.endsAt })) }, 'maintenance windows updated');
    return recovered('updated');
  };

  const refresh = (): Promise<ScheduleReadOutcome> => {
    running ??= read().finally(() => {
      running = undefined;
    });
    return running;
  };

  await refresh();
  const poll = setInterval(() => void refresh(), options.pollMs);
  poll.unref();
  return {
    current: () => windows,
    refresh,
    async close() {
      clearInterval(poll);
      await running;
    },
  };
}
