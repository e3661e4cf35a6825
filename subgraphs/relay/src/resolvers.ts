/** Translates GraphQL ↔ the relay domain, nothing else. */
import { ErrorCode, hasRole, LgspError, Role, type BaseContext, type Principal } from '@lgsp/kit';
import type { Caller, PacketClaim, Relay, RequestExchangeInput } from './domain/relay.ts';
import type { Delivery, Packet, PacketStatus } from './domain/types.ts';
import { outboxScore } from './store/packet-store.ts';

export interface RelayContext extends BaseContext {
  relay: Relay;
  caller: Caller;
}

/** The caller as the relay sees it; anonymous callers are refused before any work. */
export function callerFrom(principal: Principal): Caller {
  if (principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in as an agency system or civil servant to exchange packets');
  return {
    agencyCode: principal.agencyCode ?? null,
    systemId: principal.systemId ?? principal.userId ?? null,
    operator: hasRole(principal, Role.operator),
    agencySystem: principal.kind === 'system' || hasRole(principal, Role.agencySystem),
    agencyAdmin: hasRole(principal, Role.agencyAdmin),
  };
}

function caller(ctx: RelayContext): Caller {
  if (ctx.principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in as an agency system or civil servant to exchange packets');
  return ctx.caller;
}

const packetStatus = (p: Packet): PacketStatus => (p.state === 'DONE' ? 'DELIVERED' : p.state);
const deliveryStatus = (d: Delivery): PacketStatus => (d.status === 'PENDING' ? 'REQUESTED' : d.status);

function encodeCursor(sequence: number): string {
  return Buffer.from(`inbox:${sequence}`).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const match = /^inbox:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new LgspError(ErrorCode.INVALID_CURSOR, 'after is not a cursor of this inbox');
  return Number(match[1]);
}

function encodeOutboxCursor(score: number): string {
  return Buffer.from(`outbox:${score}`).toString('base64url');
}

function decodeOutboxCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const match = /^outbox:(\d{1,17})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new LgspError(ErrorCode.INVALID_CURSOR, 'after is not a cursor of this outbox');
  return Number(match[1]);
}

/** An ISO 8601 instant with its time zone; INVALID_DATE naming the argument otherwise. */
function instant(value: string | null | undefined, argument: string): number | null {
  if (value === null || value === undefined) return null;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new LgspError(ErrorCode.INVALID_DATE, `${argument} must be an ISO 8601 instant with a time zone, e.g. 2026-12-01T00:00:00+07:00`, { argument });
  return ms;
}

interface OutboxArgs {
  first: number;
  after?: string | null;
  from?: string | null;
  to?: string | null;
  agencyCode?: string | null;
}

export const resolvers = {
  Query: {
    packet: (_: unknown, args: { id: string }, ctx: RelayContext) => ctx.relay.packetFor(caller(ctx), args.id),
    inbox: async (_: unknown, args: { first: number; after?: string | null }, ctx: RelayContext) => {
      const page = await ctx.relay.inbox(caller(ctx), args.first, decodeCursor(args.after));
      const edges = page.packets.map((node) => ({ cursor: encodeCursor(node.sequence), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.lastSequence === null ? null : encodeCursor(page.lastSequence) } };
    },
    outbox: async (_: unknown, args: OutboxArgs, ctx: RelayContext) => {
      const page = await ctx.relay.outbox(caller(ctx), {
        agencyCode: args.agencyCode ?? null,
        first: args.first,
        beforeScore: decodeOutboxCursor(args.after),
        fromMs: instant(args.from, 'from'),
        toMs: instant(args.to, 'to'),
      });
      const edges = page.packets.map((node) => ({ cursor: encodeOutboxCursor(outboxScore(node)), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.lastScore === null ? null : encodeOutboxCursor(page.lastScore) } };
    },
    packetStatusHistory: (_: unknown, args: { id: string }, ctx: RelayContext) => ctx.relay.history(caller(ctx), args.id),
    agencyPresence: (_: unknown, args: { agencyCode: string }, ctx: RelayContext) => ctx.relay.presence(caller(ctx), args.agencyCode),
  },
  Mutation: {
    requestExchange: (_: unknown, args: { input: RequestExchangeInput }, ctx: RelayContext) => ctx.relay.requestExchange(caller(ctx), args.input),
    claimPacket: (_: unknown, args: { id: string }, ctx: RelayContext) => ctx.relay.claim(caller(ctx), args.id),
    acknowledgePacket: (_: unknown, args: { id: string; sha256: string }, ctx: RelayContext) => ctx.relay.acknowledge(caller(ctx), args.id, args.sha256),
    // Batches: an item's error stays at its index (GraphQL puts null there and the error with its path).
    requestExchanges: (_: unknown, args: { inputs: RequestExchangeInput[] }, ctx: RelayContext) => ctx.relay.requestExchanges(caller(ctx), args.inputs),
    claimPackets: (_: unknown, args: { first: number }, ctx: RelayContext) => ctx.relay.claimNext(caller(ctx), args.first),
    acknowledgePackets: (_: unknown, args: { acknowledgements: Array<{ id: string; sha256: string }> }, ctx: RelayContext) =>
      ctx.relay.acknowledgeMany(caller(ctx), args.acknowledgements),
  },
  Packet: {
    __resolveReference: (ref: { id: string }, ctx: RelayContext) => ctx.relay.packetFor(caller(ctx), ref.id),
    status: packetStatus,
    source: (p: Packet) => ({ code: p.sourceAgency }),
    sourceAgencyCode: (p: Packet) => p.sourceAgency,
    bytes: (p: Packet) => p.declaredBytes,
    policy: (p: Packet) => ({ ...p.policy, maxOfflineSeconds: Math.round(p.policy.maxOfflineMs / 1000) }),
    documentStatusHistory: (p: Packet) => p.documentStatuses,
    statusHistory: (p: Packet, _: unknown, ctx: RelayContext) => ctx.relay.history(caller(ctx), p.id),
  },
  PacketClaim: {
    content: async (claim: PacketClaim) => (await claim.readContent())?.toString('base64') ?? null,
  },
  PacketDelivery: {
    recipient: (d: Delivery) => ({ code: d.agencyCode }),
    status: deliveryStatus,
  },
};
