/**
 * Deprecation notices (thông báo ngừng hỗ trợ) of service versions (App01 §3.4–3.5, issue 16 point 8): a field of
 * the graph, named by its schema coordinate `Type.field`, is deprecated from `deprecatedAt` and goes away at
 * `sunsetAt`. The registry keeps them (its `GET /internal/v1/notices`); the gateway marks each coordinate
 * `@deprecated(reason:)` in the schema it serves (deprecated-schema.ts) and tells the callers that select one
 * (deprecation-step.ts).
 *
 * `DeprecationNotices` is the port the gateway reads them through: the registry's HTTP API (registry-notices.ts), or
 * a fixed list (development without a registry, tests).
 */
import { EventEmitter } from 'node:events';

/** One notice, as the registry's `/internal/v1/notices` lists it. */
export interface DeprecationNotice {
  /** The notice's id in the registry (also the anchor of its entry on the gateway's /deprecations page). */
  id: string;
  /** The service (dịch vụ) whose version retires the field, e.g. `national-data`. */
  serviceCode: string;
  /** The service version that gave the notice. */
  version: string;
  /** The schema coordinate: `Type.field` (an object or interface field) or `Enum.VALUE`. */
  coordinate: string;
  /** What to use instead: shown as `@deprecated(reason:)` and to callers. */
  reason: string;
  /** When the field was (or will be) deprecated: ISO 8601. */
  deprecatedAt: string;
  /** When the field goes away: ISO 8601 (at least 60 days after the notice, App01 §3.5). */
  sunsetAt: string;
}

/** Where the gateway reads the notices in force. */
export interface DeprecationNotices {
  /** The notices in force now (the last ones read; never blocks). */
  current(): readonly DeprecationNotice[];
  /** Calls `listener` after the notices changed. Returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Stops polling. */
  close(): Promise<void>;
}

const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;

/** Reads one notice from untrusted JSON; throws an Error naming the first field that is wrong. */
export function parseNotice(value: unknown): DeprecationNotice {
  if (typeof value !== 'object' || value === null) throw new Error('a notice must be an object');
  const item = value as Record<string, unknown>;
  const text = (field: string): string => {
    const v = item[field];
    if (typeof v === 'number' && field === 'version') return String(v);
    if (typeof v !== 'string' || v.trim() === '') throw new Error(`${field} must be a non-empty string`);
    return v;
  };
  const instant = (field: string): string => {
    const v = text(field);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) throw new Error(`${field} must be an ISO 8601 date-time`);
    return new Date(v).toISOString();
  };
  const coordinate = text('coordinate');
  if (!COORDINATE.test(coordinate)) throw new Error('coordinate must be Type.field');
  const notice = {
    id: text('id'),
    serviceCode: text('serviceCode'),
    version: text('version'),
    coordinate,
    reason: text('reason'),
    deprecatedAt: instant('deprecatedAt'),
    sunsetAt: instant('sunsetAt'),
  };
  if (Date.parse(notice.sunsetAt) < Date.parse(notice.deprecatedAt)) throw new Error('sunsetAt must not be before deprecatedAt');
  return notice;
}

/** A stable text of a list of notices (whether a new read changed anything). */
export function noticesKey(notices: readonly DeprecationNotice[]): string {
  return JSON.stringify([...notices].sort((a, b) => a.id.localeCompare(b.id)));
}

/** A fixed list, replaceable by hand: development without a registry, and tests. */
export interface FixedNotices extends DeprecationNotices {
  /** Replaces the list (listeners are told when it differs). */
  replace(notices: readonly DeprecationNotice[]): void;
}

export function fixedNotices(initial: readonly DeprecationNotice[] = []): FixedNotices {
  const changes = new EventEmitter();
  let notices = initial.map(parseNotice);
  return {
    current: () => notices,
    onChange(listener) {
      changes.on('change', listener);
      return () => changes.off('change', listener);
    },
    replace(next) {
      const parsed = next.map(parseNotice);
      if (noticesKey(parsed) === noticesKey(notices)) return;
      notices = parsed;
      changes.emit('change');
    },
    async close() {
      changes.removeAllListeners();
    },
  };
}
