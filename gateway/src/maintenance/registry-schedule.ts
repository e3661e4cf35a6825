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
import { startRegistryList, type RegistryListReadOutcome } from '../registry/registry-list.ts';
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

export type ScheduleReadOutcome = RegistryListReadOutcome;

export interface RegistrySchedule extends MaintenanceSchedule {
  /** Reads now (the poll calls this); never throws. */
  refresh(): Promise<ScheduleReadOutcome>;
}

/** Starts reading; resolves after the first read, whether it succeeded or not. */
export async function createRegistrySchedule(options: RegistryScheduleOptions): Promise<RegistrySchedule> {
  const list = await startRegistryList<ScheduledWindow>({
    ...options,
    logger: options.logger.child({ component: 'maintenance-windows' }),
    path: MAINTENANCE_PATH,
    items: 'maintenance windows',
    parse: parseWindow,
    key: (windows) => JSON.stringify(windows),
    summary: (windows) => windows.map((w) => ({ id: w.id, startsAt: w.startsAt, endsAt: w.endsAt })),
  });
  return { current: list.current, refresh: list.refresh, close: list.close };
}
