/**
 * The events the topics carry, as this subgraph serves them. The topics themselves (families, names, the stream of
 * each) are `@lgsp/events`'s, shared with the publishers (the relay, catalogs), which write flat string fields; this
 * module turns those into domain events. Events name entities by key, never copy their data.
 */
import {
  ACCESS_REQUEST_CHANGES,
  ACCESS_REQUEST_STATES,
  AGENCY_CHANGES,
  AGENCY_STATUSES,
  CATALOG_NAMES,
  PACKET_PRIORITIES,
  PACKET_STATUSES,
  SERVICE_NOTICE_KINDS,
  type AccessRequestChange,
  type AccessRequestState,
  type AgencyChange,
  type AgencyStatus,
  type CatalogName,
  type PacketPriority,
  type PacketStatus,
  type ServiceNoticeKind,
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
      'The registry announced an agency code or a change of its agency (created, renamed, split, merged, dissolved): fields agencyCode, change, status, successorCodes, effectiveFrom, version. Open to any authenticated caller.',
  },
  {
    name: 'service-notice:<agencyCode>',
    field: 'serviceNoticeIssued',
    description:
      'A deprecation or retirement notice of a service version the consumer agency has an access request to: fields noticeId, kind, serviceCode, version, providerAgency, reason, coordinate, sunsetAt. Followed by the agency itself or an operator.',
  },
  {
    name: 'access-request-changed:<agencyCode>',
    field: 'accessRequestChanged',
    description:
      'An access request of the agency (as consumer or provider) changed state or became overdue: fields accessRequestId, change, state, consumerAgency, providerAgency, previousState, action, dueAt, overdue. Followed by the agency itself or an operator.',
  },
] as const;

// ───────────────────────────── events ─────────────────────────────

// The values events carry are defined with the topics in @lgsp/events, for the publishers and this decoder alike.
export { CATALOG_NAMES, PACKET_PRIORITIES, PACKET_STATUSES, type CatalogName, type PacketPriority, type PacketStatus };
export { ACCESS_REQUEST_CHANGES, ACCESS_REQUEST_STATES, AGENCY_CHANGES, AGENCY_STATUSES, SERVICE_NOTICE_KINDS };

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
  status: AgencyStatus;
  successorCodes: string[];
  effectiveFrom: string | null;
  version: number | null;
}
/** A deprecation or retirement notice to a consumer agency (`service-notice`). */
export interface ServiceNoticeIssued extends EventHeader {
  consumerAgency: string;
  noticeId: string;
  kind: ServiceNoticeKind;
  serviceCode: string;
  version: string;
  providerAgency: string;
  reason: string;
  coordinate: string | null;
  sunsetAt: string | null;
}
/** An access request changed state or became overdue (`access-request-changed`). */
export interface AccessRequestChanged extends EventHeader {
  accessRequestId: string;
  change: AccessRequestChange;
  state: AccessRequestState;
  previousState: AccessRequestState | null;
  action: string | null;
  consumerAgency: string;
  providerAgency: string;
  dueAt: string | null;
  overdue: boolean;
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
    const status = oneOf(AGENCY_STATUSES, event.fields.status);
    const { agencyCode } = event.fields;
    if (!agencyCode || change === null || status === null) return null;
    const version = Number(event.fields.version);
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      agencyCode,
      change,
      status,
      successorCodes: (event.fields.successorCodes ?? '')
        .split(',')
        .map((code) => code.trim())
        .filter((code) => code !== ''),
      effectiveFrom: instantOrNull(event.fields.effectiveFrom, true),
      version: Number.isInteger(version) && version >= 1 ? version : null,
    };
  },
  serviceNotice(event: RawEvent, topicAgency: string): ServiceNoticeIssued | null {
    const kind = oneOf(SERVICE_NOTICE_KINDS, event.fields.kind);
    const { noticeId, serviceCode, version, providerAgency, reason } = event.fields;
    if (kind === null || !noticeId || !serviceCode || !version || !providerAgency || !reason) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      consumerAgency: event.fields.consumerAgency || topicAgency,
      noticeId,
      kind,
      serviceCode,
      version,
      providerAgency,
      reason,
      coordinate: event.fields.coordinate || null,
      sunsetAt: instantOrNull(event.fields.sunsetAt),
    };
  },
  accessRequestChanged(event: RawEvent): AccessRequestChanged | null {
    const change = oneOf(ACCESS_REQUEST_CHANGES, event.fields.change);
    const state = oneOf(ACCESS_REQUEST_STATES, event.fields.state);
    const { accessRequestId, consumerAgency, providerAgency } = event.fields;
    if (change === null || state === null || !accessRequestId || !consumerAgency || !providerAgency) return null;
    return {
      eventId: event.id,
      occurredAt: occurredAtOf(event),
      accessRequestId,
      change,
      state,
      previousState: oneOf(ACCESS_REQUEST_STATES, event.fields.previousState),
      action: event.fields.action || null,
      consumerAgency,
      providerAgency,
      dueAt: instantOrNull(event.fields.dueAt),
      overdue: event.fields.overdue === 'true',
    };
  },
};

/** An ISO instant as UTC (`dateOnly`: a `YYYY-MM-DD` is kept as given), or null when absent or not a date. */
function instantOrNull(value: string | undefined, dateOnly = false): string | null {
  if (value === undefined || value === '') return null;
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
