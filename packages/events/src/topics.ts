/**
 * The event topics of the platform, named only here. A topic is a name such as `packet-available:000.00.03.H41`
 * (a family and, for the per-agency families, an agency code); each is one stream the subscriptions subgraph serves.
 * Publishers (the relay, catalogs) write flat string fields that name entities by key, never copy their data.
 * Pure: no Redis, no HTTP, so that domain modules may import it (`@lgsp/events/topics`).
 */

/** Topic families. The first three are per agency, `catalog-changed` is one topic for the platform. */
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
} as const;
export type TopicFamily = (typeof TopicFamily)[keyof typeof TopicFamily];

/** Whose topic of a family an event goes to: an agency code for the per-agency families, null for `catalog-changed`. */
export type TopicAgency<F extends TopicFamily> = F extends typeof TopicFamily.catalogChanged ? null : string;

const perAgency: ReadonlySet<string> = new Set([TopicFamily.packetAvailable, TopicFamily.packetStatus, TopicFamily.documentStatus]);

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
};

/** Splits and checks a topic name; null when it is not a topic of the platform. */
export function parseTopic(name: string): { family: TopicFamily; agencyCode: string | null } | null {
  if (name === TopicFamily.catalogChanged) return { family: TopicFamily.catalogChanged, agencyCode: null };
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
