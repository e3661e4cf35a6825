/**
 * The maintenance windows the gateway knows (DL:12.6): the registry keeps them (its `GET /internal/v1/maintenance`),
 * the gateway reads them through this port — the registry's HTTP API (registry-schedule.ts), or a fixed list
 * (development without a registry, tests) — and decides from their times alone (maintenance-step.ts), so a window
 * starts and ends on time whether or not the registry answers then.
 */

/** One window, as `/internal/v1/maintenance` lists it. */
export interface ScheduledWindow {
  id: string;
  /** ISO 8601 (UTC). */
  startsAt: string;
  endsAt: string;
  summary: string;
  emergency: boolean;
  /** Registry service codes; empty = the whole gateway. */
  affectedServices: string[];
  /** The subgraphs of those services: the operations touching one are refused during the window. */
  affectedSubgraphs: string[];
}

/** Where the gateway reads the windows. */
export interface MaintenanceSchedule {
  /** The windows known now (the last ones read; never blocks). */
  current(): readonly ScheduledWindow[];
  /** Stops polling. */
  close(): Promise<void>;
}

const names = (value: unknown, field: string): string[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`${field} must be a list of strings`);
  return value as string[];
};

/** Reads one window from untrusted JSON; throws an Error naming the first field that is wrong. */
export function parseWindow(value: unknown): ScheduledWindow {
  if (typeof value !== 'object' || value === null) throw new Error('a window must be an object');
  const item = value as Record<string, unknown>;
  const text = (field: string): string => {
    const v = item[field];
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${field} must be a non-empty string`);
    return v;
  };
  const instant = (field: string): string => {
    const v = text(field);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) throw new Error(`${field} must be an ISO 8601 date-time`);
    return new Date(v).toISOString();
  };
  const window: ScheduledWindow = {
    id: text('id'),
    startsAt: instant('startsAt'),
    endsAt: instant('endsAt'),
    summary: text('summary'),
    emergency: item.emergency === true,
    affectedServices: names(item.affectedServices, 'affectedServices'),
    affectedSubgraphs: names(item.affectedSubgraphs, 'affectedSubgraphs'),
  };
  if (Date.parse(window.endsAt) <= Date.parse(window.startsAt)) throw new Error('endsAt must be after startsAt');
  return window;
}

/** A fixed list, replaceable by hand: development without a registry, and tests. */
export interface FixedSchedule extends MaintenanceSchedule {
  replace(windows: readonly ScheduledWindow[]): void;
}

export function fixedSchedule(initial: readonly ScheduledWindow[] = []): FixedSchedule {
  let windows = initial.map(parseWindow);
  return {
    current: () => windows,
    replace(next) {
      windows = next.map(parseWindow);
    },
    async close() {},
  };
}
