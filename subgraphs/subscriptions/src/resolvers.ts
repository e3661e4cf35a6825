/**
 * Translates GraphQL ↔ domain: each subscription field checks who may follow what (domain/access.ts), opens the
 * topic on the EventStream with `after`, and maps raw entries to events (domain/topics.ts), dropping those the
 * caller may not see. Entity references are stubs ({ id }, { code }) the gateway resolves in other subgraphs.
 */
import { topics } from '@lgsp/events/topics';
import { environmentOf, type BaseContext } from '@lgsp/kit';
import { accessRequestEventVisible, agencyToFollow, packetEventVisible, requireAuthenticated, systemHealthEventVisible } from './domain/access.ts';
import {
  decode,
  parseEventId,
  topicCatalog,
  type AccessRequestChanged,
  type AgencyChanged,
  type CatalogChanged,
  type DocumentStatusReported,
  type PacketAvailable,
  type PacketStatusChanged,
  type RawEvent,
  type ServiceNoticeIssued,
  type SystemHealthChanged,
} from './domain/topics.ts';
import { mapEvents } from './event-iterator.ts';
import type { PresenceTracker } from './domain/presence.ts';
import type { EventStream } from './store/event-stream.ts';

export interface SubscriptionsContext extends BaseContext {
  /** The topics of the caller's environment (issue 16: a test-environment caller's are the test namespace's). */
  stream: EventStream;
  /** Counts an event handed to a subscriber. */
  delivered(field: string): void;
  /** Listening systems reported online to the relay (null when RELAY_URL is unset). */
  presence: PresenceTracker | null;
}

interface FollowArgs {
  agencyCode?: string | null;
  packetId?: string | null;
  serviceCode?: string | null;
  accessRequestId?: string | null;
  systemId?: string | null;
  after?: string | null;
}

const afterOf = (args: { after?: string | null }) => (args.after === undefined || args.after === null ? undefined : parseEventId(args.after));
const packetRef = (id: string) => ({ id });
/** The relay's presence names a system by client id; a civil servant's session counts as `user`, as in the relay. */
const listenerId = (ctx: SubscriptionsContext) => ctx.principal.systemId ?? 'user';
/** The listening system as the relay's presence takes it: a test-environment one names its environment. */
const listener = (ctx: SubscriptionsContext, agencyCode: string) =>
  environmentOf(ctx.principal) === 'test' ? { agencyCode, systemId: listenerId(ctx), environment: 'test' as const } : { agencyCode, systemId: listenerId(ctx) };
const agencyRef = (code: string) => ({ code });

/** Decodes with `decoder`, skipping (and logging) entries a publisher wrote without the fields the event needs. */
function decoded<T>(ctx: SubscriptionsContext, field: string, topic: string, decoder: (raw: RawEvent) => T | null, keep: (event: T) => boolean) {
  return (raw: RawEvent): T | null => {
    const event = decoder(raw);
    if (event === null) {
      ctx.logger.warn({ topic, eventId: raw.id, fields: Object.keys(raw.fields) }, 'malformed event skipped');
      return null;
    }
    if (!keep(event)) return null;
    ctx.delivered(field);
    return event;
  };
}

export const resolvers = {
  Query: {
    subscriptionTopics: (_root: unknown, _args: unknown, ctx: SubscriptionsContext) => {
      requireAuthenticated(ctx.principal);
      return topicCatalog;
    },
  },
  Subscription: {
    packetAvailable: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.packetAvailable(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        // The agency's own system listening to its inbox is online (an operator watching it is not that system).
        const release = agency === ctx.principal.agencyCode ? ctx.presence?.hold(listener(ctx, agency)) : undefined;
        return mapEvents(
          source,
          decoded(
            ctx,
            'packetAvailable',
            topic,
            (raw) => decode.packetAvailable(raw, agency),
            (e) => e.recipientAgency === agency,
          ),
          release,
        );
      },
      resolve: (event: PacketAvailable) => event,
    },
    packetStatusChanged: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.packetStatus(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const packetId = args.packetId ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'packetStatusChanged',
            topic,
            (raw) => decode.packetStatus(raw, agency),
            (e) => (packetId === null || e.packetId === packetId) && packetEventVisible(ctx.principal, agency, e),
          ),
        );
      },
      resolve: (event: PacketStatusChanged) => event,
    },
    documentStatusReported: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.documentStatus(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const packetId = args.packetId ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'documentStatusReported',
            topic,
            (raw) => decode.documentStatus(raw, agency),
            (e) => (packetId === null || e.packetId === packetId) && e.sourceAgency === agency,
          ),
        );
      },
      resolve: (event: DocumentStatusReported) => event,
    },
    catalogChanged: {
      async subscribe(_root: unknown, args: { catalog?: string | null; after?: string | null }, ctx: SubscriptionsContext) {
        requireAuthenticated(ctx.principal);
        const topic = topics.catalogChanged();
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const catalog = args.catalog ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'catalogChanged',
            topic,
            (raw) => decode.catalogChanged(raw),
            (e) => catalog === null || e.catalog === catalog,
          ),
        );
      },
      resolve: (event: CatalogChanged) => event,
    },
    agencyChanged: {
      async subscribe(_root: unknown, args: { agencyCode?: string | null; after?: string | null }, ctx: SubscriptionsContext) {
        requireAuthenticated(ctx.principal);
        const topic = topics.agencyChanged();
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const code = args.agencyCode ?? null;
        return mapEvents(
          source,
          decoded(ctx, 'agencyChanged', topic, decode.agencyChanged, (e) => code === null || e.agencyCode === code || e.successorCodes.includes(code)),
        );
      },
      resolve: (event: AgencyChanged) => event,
    },
    serviceNoticeIssued: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.serviceNotice(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const serviceCode = args.serviceCode ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'serviceNoticeIssued',
            topic,
            (raw) => decode.serviceNotice(raw, agency),
            // A notice goes to the consumer agency it names (a publisher writing to the wrong topic is not believed).
            (e) => e.consumerAgency === agency && (serviceCode === null || e.serviceCode === serviceCode),
          ),
        );
      },
      resolve: (event: ServiceNoticeIssued) => event,
    },
    accessRequestChanged: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.accessRequestChanged(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const requestId = args.accessRequestId ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'accessRequestChanged',
            topic,
            decode.accessRequestChanged,
            (e) => (requestId === null || e.accessRequestId === requestId) && accessRequestEventVisible(ctx.principal, agency, e),
          ),
        );
      },
      resolve: (event: AccessRequestChanged) => event,
    },
    systemHealthChanged: {
      async subscribe(_root: unknown, args: FollowArgs, ctx: SubscriptionsContext) {
        const agency = agencyToFollow(ctx.principal, args.agencyCode);
        const topic = topics.systemHealthChanged(agency);
        const source = await ctx.stream.subscribe(topic, { after: afterOf(args) });
        const systemId = args.systemId ?? null;
        return mapEvents(
          source,
          decoded(
            ctx,
            'systemHealthChanged',
            topic,
            (raw) => decode.systemHealthChanged(raw, agency),
            (e) => (systemId === null || e.systemId === systemId) && systemHealthEventVisible(agency, e),
          ),
        );
      },
      resolve: (event: SystemHealthChanged) => event,
    },
  },
  PacketAvailableEvent: {
    packet: (e: PacketAvailable) => packetRef(e.packetId),
    source: (e: PacketAvailable) => agencyRef(e.sourceAgency),
    recipient: (e: PacketAvailable) => agencyRef(e.recipientAgency),
  },
  PacketStatusChangedEvent: {
    packet: (e: PacketStatusChanged) => packetRef(e.packetId),
    source: (e: PacketStatusChanged) => agencyRef(e.sourceAgency),
    recipient: (e: PacketStatusChanged) => (e.recipientAgency === null ? null : agencyRef(e.recipientAgency)),
  },
  DocumentStatusReportedEvent: {
    packet: (e: DocumentStatusReported) => packetRef(e.packetId),
    source: (e: DocumentStatusReported) => agencyRef(e.sourceAgency),
    reportedBy: (e: DocumentStatusReported) => agencyRef(e.reportedBy),
    statusPacket: (e: DocumentStatusReported) => (e.statusPacketId === null ? null : packetRef(e.statusPacketId)),
  },
  AgencyChangedEvent: {
    agency: (e: AgencyChanged) => agencyRef(e.agencyCode),
    successors: (e: AgencyChanged) => e.successorCodes.map(agencyRef),
  },
  ServiceNoticeEvent: {
    provider: (e: ServiceNoticeIssued) => (e.providerAgency === null ? null : agencyRef(e.providerAgency)),
    consumer: (e: ServiceNoticeIssued) => agencyRef(e.consumerAgency),
  },
  SystemHealthChangedEvent: {
    system: (e: SystemHealthChanged) => ({ id: e.systemId }),
    agency: (e: SystemHealthChanged) => agencyRef(e.agencyCode),
  },
  AccessRequestChangedEvent: {
    consumer: (e: AccessRequestChanged) => (e.consumerAgency === null ? null : agencyRef(e.consumerAgency)),
    provider: (e: AccessRequestChanged) => (e.providerAgency === null ? null : agencyRef(e.providerAgency)),
  },
};
