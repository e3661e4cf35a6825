/**
 * Real parts for the subscription tests: an event-feed subgraph that owns a `Subscription` type and serves it
 * over graphql-ws (the shape the subscriptions subgraph has: internal token in `connectionParams.authorization`,
 * an agency follows only its own inbox, events carry entity keys), and a packets subgraph on the kit's HTTP
 * server that resolves those entities (the packet's title, the source agency's name).
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  ErrorCode,
  LgspError,
  REQUEST_ID_HEADER,
  startSubgraph,
  type BaseContext,
  type InternalTokenIssuer,
  type Principal,
  type RunningSubgraph,
} from '@lgsp/kit';
import { GraphQLError, parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const federationLink =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@authenticated", "@requiresScopes", "@policy"])';

export const eventsSdl = `${federationLink}
"""Queries of the test event feed."""
type Query {
  """The feed's version (a subgraph needs a query)."""
  feedVersion: String!
}
"""Real-time events of the test feed."""
type Subscription {
  """Packets that became available to the caller's agency (its inbox only); with \`after\`, the events after that event id are replayed first."""
  packetAvailable(after: ID): PacketEvent!
}
"""A packet became available to a recipient (gói tin sẵn sàng)."""
type PacketEvent {
  """Event id, increasing; give it as \`after\` to resume."""
  eventId: ID!
  """The recipient agency."""
  recipient: Agency!
  """The packet (details from the packets subgraph)."""
  packet: Packet!
}
"""A packet, by key."""
type Packet @key(fields: "id") {
  """Packet id."""
  id: ID!
}
"""An agency, by its identifier code (mã định danh)."""
type Agency @key(fields: "code") {
  """QCVN 102:2016 identifier code."""
  code: ID!
}
`;

export const packetsSdl = `${federationLink}
"""Queries of the test packets register."""
type Query {
  """A packet by id."""
  packet(id: ID!): Packet
}
"""A packet in the relay (gói tin)."""
type Packet @key(fields: "id") {
  """Packet id."""
  id: ID!
  """Title (trích yếu)."""
  title: String!
  """The sending agency."""
  source: Agency!
  """An operator-only note (tests field-level authorization in subscriptions)."""
  operatorNote: String @requiresScopes(scopes: [["lgsp:operator"]])
  """The classification (độ mật); needs a grant of field set packets.classification (tests grant changes)."""
  classification: String @policy(policies: [["packets.classification"]])
  """Handling instructions; needs a grant of field set packets.handling (tests grant changes)."""
  handlingNote: String @policy(policies: [["packets.handling"]])
}
"""An agency (cơ quan)."""
type Agency @key(fields: "code") {
  """QCVN 102:2016 identifier code."""
  code: ID!
  """Vietnamese name."""
  name: String!
}
`;

export const agencyNames: Record<string, string> = {
  '000.00.01.H41': 'Văn phòng UBND tỉnh',
  '000.00.02.H41': 'Công an tỉnh',
  '000.00.03.H41': 'Sở Tài chính',
  '000.00.04.H41': 'Sở Tư pháp',
  '000.00.20.H41': 'UBND phường Trường Vinh',
};

/** Packet `p-<n>` comes from the agency at position n mod 5 of `agencyNames`; `p-missing` has no record. */
export function packetById(id: string): { id: string; title: string; sourceCode: string } | null {
  const n = Number(/^p-(\d+)$/.exec(id)?.[1]);
  if (!Number.isInteger(n)) return null;
  const codes = Object.keys(agencyNames);
  return { id, title: `Công văn số ${n}/UBND`, sourceCode: codes[n % codes.length]! };
}

export interface FeedEvent {
  eventId: string;
  recipient: string;
  packetId: string;
}

/** What the feed saw (tests count upstream subscriptions through it). */
export interface FeedProbe {
  /** Subscriptions currently open on the feed. */
  active: number;
  /** Subscriptions ever opened. */
  opened: number;
  /** Open WebSocket connections. */
  connections: number;
  /** The principal and request id of each subscription, in order. */
  subscribers: Array<{ principal: Principal; requestId: string | undefined; after: string | undefined }>;
  /** Connections refused for lack of a valid internal token. */
  refused: number;
}

export interface EventFeed {
  name: string;
  url: string;
  sdl: string;
  probe: FeedProbe;
  /** Publishes an event to the subscriptions whose caller is the recipient agency. */
  publish(recipient: string, packetId: string): FeedEvent;
  /** Closes every WebSocket connection with this code (the feed keeps running). */
  dropConnections(code: number, reason: string): void;
  close(): Promise<void>;
}

/** A push queue as an async iterator whose `return()` finishes at once (an async generator's would wait for the next event). */
class Channel<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private done = false;
  constructor(private readonly onReturn: () => void) {}
  push(item: T): void {
    if (this.done) return;
    if (this.waiting !== undefined) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting({ done: false, value: item });
    } else this.items.push(item);
  }
  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ done: false, value: this.items.shift()! });
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.onReturn();
      this.waiting?.({ done: true, value: undefined });
      this.waiting = undefined;
    }
    return Promise.resolve({ done: true, value: undefined });
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

interface FeedContext {
  principal: Principal;
  requestId: string | undefined;
}

export async function startEventFeed(issuer: InternalTokenIssuer): Promise<EventFeed> {
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  const probe: FeedProbe = { active: 0, opened: 0, connections: 0, subscribers: [], refused: 0 };
  const history: FeedEvent[] = [];
  const listeners = new Set<{ agency: string; channel: Channel<FeedEvent> }>();
  let sequence = 0;

  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(eventsSdl),
      resolvers: {
        Query: { feedVersion: () => '1' },
        Subscription: {
          packetAvailable: {
            subscribe: (_: unknown, { after }: { after?: string }, context: FeedContext) => {
              const agency = context.principal.agencyCode;
              if (agency === undefined) throw new GraphQLError('Only agency systems have an inbox', { extensions: { code: ErrorCode.FORBIDDEN } });
              probe.active += 1;
              probe.opened += 1;
              probe.subscribers.push({ principal: context.principal, requestId: context.requestId, after });
              const listener = {
                agency,
                channel: new Channel<FeedEvent>(() => {
                  listeners.delete(listener);
                  probe.active -= 1;
                }),
              };
              if (after !== undefined)
                for (const event of history) if (Number(event.eventId) > Number(after) && event.recipient === agency) listener.channel.push(event);
              listeners.add(listener);
              return listener.channel;
            },
            resolve: (event: FeedEvent) => event,
          },
        },
        PacketEvent: {
          recipient: (event: FeedEvent) => ({ code: event.recipient }),
          packet: (event: FeedEvent) => ({ id: event.packetId }),
        },
      },
    },
  ]);

  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const disposable = useServer<Record<string, unknown>, { principal?: Principal }>(
    {
      schema,
      async onConnect(ctx) {
        try {
          ctx.extra.principal = await verifier.verify(ctx.connectionParams?.authorization as string | undefined);
          probe.connections += 1;
          (ctx.extra as { requestId?: string }).requestId = ctx.connectionParams?.[REQUEST_ID_HEADER] as string | undefined;
          return true;
        } catch {
          probe.refused += 1;
          return false;
        }
      },
      onDisconnect() {
        probe.connections -= 1;
      },
      context: (ctx): FeedContext => ({ principal: ctx.extra.principal!, requestId: (ctx.extra as { requestId?: string }).requestId }),
    },
    wss,
    0,
  );
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  return {
    name: 'events',
    url,
    sdl: eventsSdl,
    probe,
    publish(recipient, packetId) {
      sequence += 1;
      const event = { eventId: String(sequence), recipient, packetId };
      history.push(event);
      for (const listener of listeners) if (listener.agency === recipient) listener.channel.push(event);
      return event;
    },
    dropConnections(code, reason) {
      for (const client of wss.clients) client.close(code, reason);
    },
    async close() {
      await disposable.dispose();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The packets subgraph: packet details and agency names for the feed's entity keys. */
export async function startPacketsSubgraph(issuer: InternalTokenIssuer): Promise<RunningSubgraph & { name: string; sdl: string; calls: Principal[] }> {
  const calls: Principal[] = [];
  const running = await startSubgraph<BaseContext>({
    name: 'packets',
    typeDefs: parse(packetsSdl),
    resolvers: {
      Query: { packet: (_: unknown, { id }: { id: string }) => packetById(id) },
      Packet: {
        __resolveReference: (ref: { id: string }, context: BaseContext) => {
          calls.push(context.principal);
          return packetById(ref.id);
        },
        source: (packet: { sourceCode: string }) => ({ code: packet.sourceCode }),
        title: (packet: { title: string }) => packet.title,
        operatorNote: () => 'for operators only',
        classification: () => 'internal',
        handlingNote: () => 'forward to the one-stop desk',
      },
      Agency: {
        __resolveReference: (ref: { code: string }) => ref,
        name: (agency: { code: string }) => {
          const name = agencyNames[agency.code];
          if (name === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `agency ${agency.code} is not in the catalog`);
          return name;
        },
      },
    },
    host: '127.0.0.1',
    port: 0,
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger('packets', 'silent'),
    metrics: createMetricsRegistry('packets'),
    context: (base) => base,
  });
  return { ...running, name: 'packets', sdl: packetsSdl, calls };
}
