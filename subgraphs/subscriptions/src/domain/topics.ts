/**
 * The events the topics carry, as this subgraph serves them. The topics themselves (families, names, the stream of
 * each) are `@lgsp/events`'s, shared with the publishers (the relay, catalogs), which write flat string fields; this
 * module turns those into domain events. Events name entities by key, never copy their data.
 */
import {
  ACCESS_REQUEST_STATES,
  AGENCY_CHANGES,
  AGENCY_STATUSES,
  CATALOG_NAMES,
  PACKET_PRIORITIES,
  PACKET_STATUSES,
  SERVICE_NOTICE_CHANGES,
  SYSTEM_HEALTH_STATUSES,
  type AccessRequestState,
  type AgencyChange,
  type AgencyStatus,
  type CatalogName,
  type PacketPriority,
  type PacketStatus,
  type ServiceNoticeChange,
  type SystemHealthStatus,
} from '@lgsp/events/topics';
import { ErrorCode, LgspError } from '@lgsp/kit';

/** The documentation `subscriptionTopics` answers. */
export const topicCatalog = [
  {
    name: 'packet-available:<agencyCode>',
    field: 'packetAvailable',
    description: 'A packet waits for the agency: fields packetId, sourceAgency, priority. Followed by the agency itself or an operator.',
  },
  {
    name: 'packet-status:<agencyCode>',
    field: 'packetStatusChanged',
    description:
      'A packet the agency sent changed status: fields packetId, status, recipient (absent for the whole packet), sourceAgency (optional, default the topic agency). Delivered to the source or recipient agency, or an operator.',
  },
  {
    name: 'document-status:<agencyCode>',
    field: 'documentStatusReported',
    description:
      'A recipient reported the status of an edXML document the agency sent: fields packetId, statusCode, reportedBy, statusPacketId. Followed by the agency itself or an operator.',
  },
  {
    name: 'catalog-changed',
    field: 'catalogChanged',
    description: 'A catalog published a new version: fields catalog, version. Open to any authenticated caller.',
  },
  {
    name: 'agency-changed',
    field: 'agencyChanged',
    description:
      'The registry announced an agency code or a change of its agency (registered, updated, renamed, split, merged, dissolved, and when such a change takes effect): fields code, change, successorCodes, effectiveFrom, status, version. Open to any authenticated caller.',
  },
  {
    name: 'service-notice:<agencyCode>',
    field: 'serviceNoticeIssued',
    description:
      'A deprecation or retirement notice of a service version the consumer agency has an access request to: fields serviceCode, version, change, noticeId, sunsetAt, reason, coordinate, providerAgency. Followed by the agency itself or an operator.',
  },
  {
    name: 'access-request-changed:<agencyCode>',
    field: 'accessRequestChanged',
    description:
      'An access request of the agency (as consumer or provider) was submitted, took a step or became overdue: fields accessRequestId, state, action, overdue, consumerAgency, providerAgency, serviceCode, previousState, dueAt. Followed by the agency itself or an operator.',
  },
  {
    name: 'system-health-changed:<agencyCode>',
    field: 'systemHealthChanged',
    description:
      'A connected system of the agency went online, degraded or offline, as the monitoring checks it (pulled or pushed health): fields systemId, status, previousStatus, level, source, at, detail. Followed by the agency itself (its own systems) or an operator.',
  },
] as const;

// ───────────────────────────── events ─────────────────────────────

// The values events carry are defined with the topics in @lgsp/events, for the publishers and this decoder alike.
export { CATALOG_NAMES, PACKET_PRIORITIES, PACKET_STATUSES, type CatalogName, type PacketPriority, type PacketStatus };
export { ACCESS_REQUEST_STATES, AGENCY_CHANGES, AGENCY_STATUSES, SERVICE_NOTICE_CHANGES, SYSTEM_HEALTH_STATUSES };

/** What every event has: its id in the topic and when it was published. */
export interface EventHeader {
  eventId: string;
  occurredAt: string;
}
export interface PacketAvailable extends EventHeader {
  packetId: string;
  sourceAgency: string;
  recipientAgency: string;
  priority: PacketPriority | null;
}
export interface PacketStatusChanged extends EventHeader {
  packetId: string;
  sourceAgency: string;
  recipientAgency: string | null;
  status: PacketStatus;
}
export interface DocumentStatusReported extends EventHeader {
  packetId: string;
  sourceAgency: string;
  reportedBy: string;
  statusCode: string;
  statusPacketId: string | null;
}
export interface CatalogChanged extends EventHeader {
  catalog: CatalogName;
  version: number;
}

/** The registry announced an agency code, or a change of the agency (`agency-changed`). */
export interface AgencyChanged extends EventHeader {
  agencyCode: string;
  change: AgencyChange;
  successorCodes: string[];
  effectiveFrom: string | null;
  status: AgencyStatus | null;
  version: number | null;
}
/** A deprecation or retirement notice to a consumer agency (`service-notice`). */
export interface ServiceNoticeIssued extends EventHeader {
  consumerAgency: string;
  serviceCode: string;
  version: string;
  change: ServiceNoticeChange;
  noticeId: string | null;
  sunsetAt: string | null;
  reason: string | null;
  coordinate: string | null;
  providerAgency: string | null;
}
/** An access request was submitted, took a step or became overdue (`access-request-changed`). */
export interface AccessRequestChanged extends EventHeader {
  accessRequestId: string;
  state: AccessRequestState;
  action: string;
  overdue: boolean;
  consumerAgency: string | null;
  providerAgency: string | null;
  serviceCode: string | null;
  previousState: AccessRequestState | null;
  dueAt: string | null;
}

/** A connected system's health changed (`system-health-changed`, published by monitoring). */
export interface SystemHealthChanged extends EventHeader {
  systemId: string;
  /** The agency of the topic: the system's owner. */
  agencyCode: string;
  status: SystemHealthStatus;
  previousStatus: SystemHealthStatus | null;
  level: 1 | 2;
  source: 'PULL' | 'PUSH';
  /** When the monitoring observed it (ISO 8601, UTC); the publication time when not given. */
  at: string;
  detail: string | null;
}

/** A raw stream entry: its id and the publisher's flat fields. */
export interface RawEvent {
  id: string;
  fields: Record<string, string>;
}

/**
 * When the event happened: the publisher's `occurredAt` when it is an ISO instant, otherwise the millisecond part
 * of the stream id (Redis ids are `<unix ms>-<sequence>`, and so are the in-memory adapter's).
 */
export function occurredAtOf(event: RawEvent): string {
  const given = event.fields.occurredAt;
  if (given !== undefined && !Number.isNaN(Date.parse(given))) return new Date(given).toISOString();
  return new Date(Number(event.id.slice(0, event.id.indexOf('-')))).toISOString();
}

const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | null =>
  value !== undefined && (values as readonly string[]).includes(value) ? (value as T) : null;

/** Decoders: null when an entry lacks what the event needs (a publisher bug; logged and skipped by the caller). */
export const decode = {
  packetAvailable(event: RawEvent, topicAgency: string): PacketAvailable | null {
    const { packetId, sourceAgency } = event.fields;
    if (!packetId || !sourceAgency) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      packetId,
      sourceAgency,
      recipientAgency: event.fields.recipient || topicAgency,
      priority: oneOf(PACKET_PRIORITIES, event.fields.priority),
    };
  },
  packetStatus(event: RawEvent, topicAgency: string): PacketStatusChanged | null {
    const status = oneOf(PACKET_STATUSES, event.fields.status);
    const { packetId } = event.fields;
    if (!packetId || status === null) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      packetId,
      sourceAgency: event.fields.sourceAgency || topicAgency,
      recipientAgency: event.fields.recipient || null,
      status,
    };
  },
  documentStatus(event: RawEvent, topicAgency: string): DocumentStatusReported | null {
    const { packetId, statusCode, reportedBy } = event.fields;
    if (!packetId || !statusCode || !reportedBy) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      packetId,
      sourceAgency: event.fields.sourceAgency || topicAgency,
      reportedBy,
      statusCode,
      statusPacketId: event.fields.statusPacketId || null,
    };
  },
  catalogChanged(event: RawEvent): CatalogChanged | null {
    const catalog = oneOf(CATALOG_NAMES, event.fields.catalog);
    const version = Number(event.fields.version);
    if (catalog === null || !Number.isInteger(version) || version < 1) return null;
    return { eventId: event.id, occurredAt: occurredAtOf(event), catalog, version };
  },
  agencyChanged(event: RawEvent): AgencyChanged | null {
    const change = oneOf(AGENCY_CHANGES, event.fields.change);
    const agencyCode = given(event.fields.code);
    if (agencyCode === null || change === null) return null;
    const version = Number(event.fields.version);
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      agencyCode,
      change,
      successorCodes: (given(event.fields.successorCodes) ?? '')
        .split(',')
        .map((code) => code.trim())
        .filter((code) => code !== ''),
      effectiveFrom: instantOrNull(event.fields.effectiveFrom, true),
      status: oneOf(AGENCY_STATUSES, event.fields.status),
      version: Number.isInteger(version) && version >= 1 ? version : null,
    };
  },
  serviceNotice(event: RawEvent, topicAgency: string): ServiceNoticeIssued | null {
    const change = oneOf(SERVICE_NOTICE_CHANGES, event.fields.change);
    const serviceCode = given(event.fields.serviceCode);
    const version = given(event.fields.version);
    if (change === null || serviceCode === null || version === null) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      consumerAgency: given(event.fields.consumerAgency) ?? topicAgency,
      serviceCode,
      version,
      change,
      noticeId: given(event.fields.noticeId),
      sunsetAt: instantOrNull(event.fields.sunsetAt),
      reason: given(event.fields.reason),
      coordinate: given(event.fields.coordinate),
      providerAgency: given(event.fields.providerAgency),
    };
  },
  accessRequestChanged(event: RawEvent): AccessRequestChanged | null {
    const state = oneOf(ACCESS_REQUEST_STATES, event.fields.state);
    const accessRequestId = given(event.fields.accessRequestId);
    const action = given(event.fields.action);
    if (state === null || accessRequestId === null || action === null) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      accessRequestId,
      state,
      action,
      overdue: event.fields.overdue === 'true',
      consumerAgency: given(event.fields.consumerAgency),
      providerAgency: given(event.fields.providerAgency),
      serviceCode: given(event.fields.serviceCode),
      previousState: oneOf(ACCESS_REQUEST_STATES, event.fields.previousState),
      dueAt: instantOrNull(event.fields.dueAt),
    };
  },
  systemHealthChanged(event: RawEvent, topicAgency: string): SystemHealthChanged | null {
    const systemId = given(event.fields.systemId);
    const status = oneOf(SYSTEM_HEALTH_STATUSES, event.fields.status);
    const level = event.fields.level === '1' ? 1 : event.fields.level === '2' ? 2 : null;
    const source = event.fields.source === 'pull' ? 'PULL' : event.fields.source === 'push' ? 'PUSH' : null;
    if (systemId === null || status === null || level === null || source === null) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      systemId,
      agencyCode: topicAgency,
      status,
      previousStatus: oneOf(SYSTEM_HEALTH_STATUSES, event.fields.previousStatus),
      level,
      source,
      at: instantOrNull(event.fields.at) ?? occurredAtOf(event),
      detail: given(event.fields.detail),
    };
  },
};

/** A field's value, or null when absent, empty or `-` (a publisher's "none"). */
function given(value: string | undefined): string | null {
  return value === undefined || value === '' || value === '-' ? null : value;
}

/** An ISO instant as UTC (`dateOnly`: a `YYYY-MM-DD` is kept as given), or null when absent or not a date. */
function instantOrNull(value: string | undefined, dateOnly = false): string | null {
  if (given(value) === null || value === undefined) return null;
  if (dateOnly && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

// ───────────────────────────── event ids ─────────────────────────────

const eventIdPattern = /^(\d{1,20})-(\d{1,20})$/;

/** Checks an `after` argument: a stream entry id `<ms>-<seq>`. */
export function parseEventId(value: string, argument = 'after'): string {
  if (!eventIdPattern.test(value)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `${argument} must be an event id such as "1767225600000-0" (an eventId received earlier)`, { argument });
  }
  return value;
}

/** Orders two stream ids (`<ms>-<seq>`): negative, zero or positive. */
export function compareEventIds(a: string, b: string): number {
  const [am, as] = split(a);
  const [bm, bs] = split(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

function split(id: string): [bigint, bigint] {
  const dash = id.indexOf('-');
  return dash < 0 ? [BigInt(id), 0n] : [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

/** The id just before `id` (the largest id lower than it), or `0-0`. */
export function previousEventId(id: string): string {
  const [ms, seq] = split(id);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-18446744073709551615`;
  return '0-0';
}
