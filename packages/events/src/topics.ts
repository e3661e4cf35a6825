/**
 * The event topics of the platform, named only here. A topic is a name such as `packet-available:000.00.03.H41`
 * (a family and, for the per-agency families, an agency code); each is one stream the subscriptions subgraph serves.
 * Publishers (the relay, catalogs) write flat string fields that name entities by key, never copy their data.
 * Pure: no Redis, no HTTP, so that domain modules may import it (`@lgsp/events/topics`).
 */

/**
 * Topic families. Per agency: `packet-available`, `packet-status`, `document-status`, `service-notice`,
 * `access-request-changed`; one topic for the platform: `catalog-changed`, `agency-changed`.
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
   * agencyCode, change (AGENCY_CHANGES), status (AGENCY_STATUSES), successorCodes (comma-separated, optional),
   * effectiveFrom (ISO date, optional), version (the registry's agencies version, optional).
   */
  agencyChanged: 'agency-changed',
  /**
   * A deprecation or retirement notice of a service version, to a consumer agency (published by the registry to the
   * topic of each agency with an access request to the version): noticeId, kind (SERVICE_NOTICE_KINDS), serviceCode,
   * version, providerAgency, reason, coordinate (`Type.field`, optional), sunsetAt (ISO instant, optional).
   */
  serviceNotice: 'service-notice',
  /**
   * An access request changed state or became overdue (published by the registry to the consumer's and the provider's
   * topics): accessRequestId, change (ACCESS_REQUEST_CHANGES), state (ACCESS_REQUEST_STATES), consumerAgency,
   * providerAgency, previousState, action, dueAt (ISO instant), overdue (`true`/`false`) — the last four optional.
   */
  accessRequestChanged: 'access-request-changed',
} as const;
export type TopicFamily = (typeof TopicFamily)[keyof typeof TopicFamily];

/** The families with one topic for the whole platform (no agency in the name). */
export const PLATFORM_FAMILIES = [TopicFamily.catalogChanged, TopicFamily.agencyChanged] as const;
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
};

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

/** What happened to an agency, carried by `agency-changed` (App01 §3; QCVN 102:2016 codes are announced, never reused). */
export const AGENCY_CHANGES = ['CREATED', 'UPDATED', 'RENAMED', 'SPLIT', 'MERGED', 'DISSOLVED'] as const;
export type AgencyChange = (typeof AGENCY_CHANGES)[number];

/** An agency's status in the registry, carried by `agency-changed` (and the registry's `/internal/v1/agencies`). */
export const AGENCY_STATUSES = ['ACTIVE', 'RENAMED', 'SPLIT', 'MERGED', 'DISSOLVED'] as const;
export type AgencyStatus = (typeof AGENCY_STATUSES)[number];

/** The kinds of service notice, carried by `service-notice` (App01 §3.4–3.5). */
export const SERVICE_NOTICE_KINDS = [
  /** A field or version is deprecated: it still works until `sunsetAt`; move to the successor. */
  'DEPRECATION',
  /** The version will be (or was) retired at `sunsetAt` (at least 60 days after the notice); its grants end then. */
  'RETIREMENT',
] as const;
export type ServiceNoticeKind = (typeof SERVICE_NOTICE_KINDS)[number];

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

/** What an `access-request-changed` event says: the request took a step, or its working-day clock ran out. */
export const ACCESS_REQUEST_CHANGES = ['STATE_CHANGED', 'OVERDUE'] as const;
export type AccessRequestChange = (typeof ACCESS_REQUEST_CHANGES)[number];
