/**
 * The event topics of the platform, named only here. A topic is a name such as `packet-available:000.00.03.H41`
 * (a family and, for the per-agency families, an agency code); each is one stream the subscriptions subgraph serves.
 * Publishers (the relay, catalogs) write flat string fields that name entities by key, never copy their data.
 * Pure: no Redis, no HTTP, so that domain modules may import it (`@lgsp/events/topics`).
 */

/**
 * Topic families. Per agency: `packet-available`, `packet-status`, `document-status`, `service-notice`,
 * `access-request-changed`, `system-health-changed`; one topic for the platform: `catalog-changed`, `agency-changed`,
 * `maintenance-announced`.
 */
export const TopicFamily = {
  /** A packet waits for the agency (published by the relay to the recipient's topic): packetId, sourceAgency, priority. */
  packetAvailable: 'packet-available',
  /**
   * A packet the agency sent changed status (published by the relay to the source's topic): packetId, status,
   * recipient (absent for the whole packet), sourceAgency (optional, default the topic agency).
   */
  packetStatus: 'packet-status',
  /**
   * A recipient reported an edXML document's status (published by the relay to the document source's topic): packetId,
   * statusCode, reportedBy, statusPacketId.
   */
  documentStatus: 'document-status',
  /** A catalog published a new version (published by catalogs): catalog, version, occurredAt. */
  catalogChanged: 'catalog-changed',
  /**
   * An agency identifier code was announced or its agency changed (published by the registry, one platform topic):
   * code, change (AGENCY_CHANGES), successorCodes (comma-separated), effectiveFrom (ISO date or instant), status
   * (AGENCY_STATUSES), version (the registry's agencies version) — the last four optional. Build with
   * `registryEventFields.agencyChanged`.
   */
  agencyChanged: 'agency-changed',
  /**
   * A deprecation or retirement notice of a service version, to a consumer agency (published by the registry to the
   * topic of each agency with an open access request to the version): serviceCode, version, change
   * (SERVICE_NOTICE_CHANGES), noticeId, sunsetAt (ISO instant), reason, coordinate (`Type.field`), providerAgency —
   * the last five optional. Build with `registryEventFields.serviceNotice`.
   */
  serviceNotice: 'service-notice',
  /**
   * An access request was submitted, took a step or became overdue (published by the registry to the consumer's and
   * the provider's topics): accessRequestId, state (ACCESS_REQUEST_STATES), action (SUBMIT, the step taken, or
   * OVERDUE), overdue (`true`/`false`), consumerAgency, providerAgency, serviceCode, previousState, dueAt (ISO instant)
   * — the last five optional, but consumerAgency and providerAgency let subscribers' guards check the topic. Build
   * with `registryEventFields.accessRequestChanged`.
   */
  accessRequestChanged: 'access-request-changed',
  /**
   * A connected information system went online or offline, or a level-2 check changed (published by monitoring to the
   * topic of the system's agency): systemId, status (SYSTEM_HEALTH_STATUSES), previousStatus, level (`1`/`2`),
   * source (`pull`/`push`), at (ISO instant), detail — the last two optional.
   */
  systemHealthChanged: 'system-health-changed',
  /**
   * A maintenance window was announced, changed, started, ended or cancelled, or an incident was recorded or resolved
   * (published by the registry, one platform topic): kind (`MAINTENANCE`/`INCIDENT`), id, change, startsAt, endsAt,
   * emergency (`true`/`false`), affectedAgencies (comma-separated, empty for all), expectedFixAt, summary.
   */
  maintenanceAnnounced: 'maintenance-announced',
} as const;
export type TopicFamily = (typeof TopicFamily)[keyof typeof TopicFamily];

/** The families with one topic for the whole platform (no agency in the name). */
export const PLATFORM_FAMILIES = [TopicFamily.catalogChanged, TopicFamily.agencyChanged, TopicFamily.maintenanceAnnounced] as const;
type PlatformFamily = (typeof PLATFORM_FAMILIES)[number];

/** Whose topic of a family an event goes to: an agency code for the per-agency families, null for the platform ones. */
export type TopicAgency<F extends TopicFamily> = F extends PlatformFamily ? null : string;

const platform: ReadonlySet<string> = new Set(PLATFORM_FAMILIES);
const perAgency: ReadonlySet<string> = new Set(Object.values(TopicFamily).filter((family) => !platform.has(family)));

/** Agency identifier codes (QCVN 102:2016 `AAA.BB.CC.XNN`) and test codes: what may follow the family name. */
const agencyCodePattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The name of a family's topic for an agency (`packet-status:000.00.03.H41`), or of the platform topic (agency null). */
export function topicName(family: TopicFamily, agency: string | null): string {
  return agency === null ? family : `${family}:${agency}`;
}

/** Topic names by family, for readers and tests. */
export const topics = {
  packetAvailable: (agencyCode: string) => topicName(TopicFamily.packetAvailable, agencyCode),
  packetStatus: (agencyCode: string) => topicName(TopicFamily.packetStatus, agencyCode),
  documentStatus: (agencyCode: string) => topicName(TopicFamily.documentStatus, agencyCode),
  catalogChanged: () => topicName(TopicFamily.catalogChanged, null),
  agencyChanged: () => topicName(TopicFamily.agencyChanged, null),
  serviceNotice: (agencyCode: string) => topicName(TopicFamily.serviceNotice, agencyCode),
  accessRequestChanged: (agencyCode: string) => topicName(TopicFamily.accessRequestChanged, agencyCode),
  systemHealthChanged: (agencyCode: string) => topicName(TopicFamily.systemHealthChanged, agencyCode),
  maintenanceAnnounced: () => topicName(TopicFamily.maintenanceAnnounced, null),
};

/** A connected system's state as monitoring sees it, carried by `system-health-changed`. */
export const SYSTEM_HEALTH_STATUSES = ['ONLINE', 'DEGRADED', 'OFFLINE', 'UNKNOWN'] as const;
export type SystemHealthStatus = (typeof SYSTEM_HEALTH_STATUSES)[number];

/** Splits and checks a topic name; null when it is not a topic of the platform. */
export function parseTopic(name: string): { family: TopicFamily; agencyCode: string | null } | null {
  if (platform.has(name)) return { family: name as TopicFamily, agencyCode: null };
  const colon = name.indexOf(':');
  if (colon < 0) return null;
  const family = name.slice(0, colon);
  const agencyCode = name.slice(colon + 1);
  if (!perAgency.has(family) || !agencyCodePattern.test(agencyCode)) return null;
  return { family: family as TopicFamily, agencyCode };
}

/*
 * The values events carry, one definition for the services that publish them (relay, catalogs) and the one that
 * decodes them (subscriptions): a value one side adds is a value the other side knows.
 */

/** The shared catalogs (danh mục dùng chung) whose versions `catalog-changed` announces. */
export const CATALOG_NAMES = ['ADMINISTRATIVE_UNITS', 'ETHNIC_GROUPS', 'RELIGIONS', 'COUNTRIES', 'AGENCIES'] as const;
export type CatalogName = (typeof CATALOG_NAMES)[number];

/** A packet's priority, carried by `packet-available`. */
export const PACKET_PRIORITIES = ['HIGH', 'NORMAL', 'LOW'] as const;
export type PacketPriority = (typeof PACKET_PRIORITIES)[number];

/** Every status a packet or one recipient's delivery passes through (R4 step 7), carried by `packet-status`. */
export const PACKET_STATUSES = [
  'REQUESTED',
  'UPLOADED',
  'VALIDATED',
  'QUEUED',
  'NOTIFIED',
  'CLAIMED',
  'DELIVERED',
  'REJECTED',
  'EXPIRED',
  'UNDELIVERABLE',
] as const;
export type PacketStatus = (typeof PACKET_STATUSES)[number];

/**
 * What happened to an agency, carried by `agency-changed` (QCVN 102:2016 codes are announced, never reused):
 * REGISTERED, UPDATED; a lifecycle change decided (RENAMED, SPLIT, MERGED, DISSOLVED, effective at `effectiveFrom`);
 * and the same taking effect on its date (…_EFFECTIVE).
 */
export const AGENCY_CHANGES = [
  'REGISTERED',
  'UPDATED',
  'RENAMED',
  'SPLIT',
  'MERGED',
  'DISSOLVED',
  'RENAMED_EFFECTIVE',
  'SPLIT_EFFECTIVE',
  'MERGED_EFFECTIVE',
  'DISSOLVED_EFFECTIVE',
] as const;
export type AgencyChange = (typeof AGENCY_CHANGES)[number];

/** An agency's status in the registry, carried by `agency-changed` (and the registry's `/internal/v1/agencies`). */
export const AGENCY_STATUSES = ['ACTIVE', 'RENAMED', 'SPLIT', 'MERGED', 'DISSOLVED'] as const;
export type AgencyStatus = (typeof AGENCY_STATUSES)[number];

/**
 * What a `service-notice` says (App01 §3.4–3.5): the version is DEPRECATED (it works until `sunsetAt`; move to the
 * successor), its RETIREMENT_ANNOUNCED (at least 60 days ahead), or it was RETIRED (its grants ended).
 */
export const SERVICE_NOTICE_CHANGES = ['DEPRECATED', 'RETIREMENT_ANNOUNCED', 'RETIRED'] as const;
export type ServiceNoticeChange = (typeof SERVICE_NOTICE_CHANGES)[number];

/**
 * The states of an access request (yêu cầu kết nối, chia sẻ dữ liệu), carried by `access-request-changed`; the
 * onboarding machine that moves between them is the registry's (subgraphs/registry/src/domain/onboarding/).
 */
export const ACCESS_REQUEST_STATES = [
  'PENDING_APPROVAL',
  'PROVIDER_APPROVED',
  'OPERATOR_APPROVED',
  'CHANGES_REQUESTED',
  'REJECTED',
  'TESTING',
  'INTEGRATION_REPORTED',
  'LIVE',
  'SUSPENDED',
  'CANCELLED',
] as const;
export type AccessRequestState = (typeof ACCESS_REQUEST_STATES)[number];

/** Optional values: absent when undefined, null or empty. */
function optional(fields: Record<string, string>, name: string, value: string | number | null | undefined): void {
  if (value !== undefined && value !== null && value !== '') fields[name] = String(value);
}

/**
 * The flat fields of the registry's events, built from typed values: the one way to write them, so a publisher and
 * the subscriptions subgraph's decoders cannot drift apart.
 */
export const registryEventFields = {
  agencyChanged(event: {
    code: string;
    change: AgencyChange;
    successorCodes?: readonly string[];
    effectiveFrom?: string | null;
    status?: AgencyStatus;
    version?: number;
    occurredAt?: string;
  }): Record<string, string> {
    const fields: Record<string, string> = { code: event.code, change: event.change };
    optional(fields, 'successorCodes', event.successorCodes?.join(','));
    optional(fields, 'effectiveFrom', event.effectiveFrom);
    optional(fields, 'status', event.status);
    optional(fields, 'version', event.version);
    optional(fields, 'occurredAt', event.occurredAt);
    return fields;
  },
  serviceNotice(event: {
    serviceCode: string;
    version: string | number;
    change: ServiceNoticeChange;
    noticeId?: string | null;
    sunsetAt?: string | null;
    reason?: string | null;
    coordinate?: string | null;
    providerAgency?: string | null;
    occurredAt?: string;
  }): Record<string, string> {
    const fields: Record<string, string> = { serviceCode: event.serviceCode, version: String(event.version), change: event.change };
    for (const name of ['noticeId', 'sunsetAt', 'reason', 'coordinate', 'providerAgency', 'occurredAt'] as const) optional(fields, name, event[name]);
    return fields;
  },
  accessRequestChanged(event: {
    accessRequestId: string;
    state: AccessRequestState;
    /** SUBMIT, the step taken (APPROVE, REJECT, …) or OVERDUE. */
    action: string;
    overdue: boolean;
    consumerAgency: string;
    providerAgency: string;
    serviceCode?: string | null;
    previousState?: AccessRequestState | null;
    dueAt?: string | null;
    occurredAt?: string;
  }): Record<string, string> {
    const fields: Record<string, string> = {
      accessRequestId: event.accessRequestId,
      state: event.state,
      action: event.action,
      overdue: String(event.overdue),
      consumerAgency: event.consumerAgency,
      providerAgency: event.providerAgency,
    };
    for (const name of ['serviceCode', 'previousState', 'dueAt', 'occurredAt'] as const) optional(fields, name, event[name]);
    return fields;
  },
};

// The values of `maintenance-announced` (maintenance windows and incidents), in a module of their own.
export * from './maintenance-events.ts';
