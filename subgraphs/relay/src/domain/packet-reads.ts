/**
 * What callers read about packets, as each may see it: a packet, its status history (a recipient sees its own
 * delivery's events only), and an agency's inbox, newest first, dropping entries whose records ran out their
 * retention.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { requireAgency, viewFor } from './access.ts';
import type { Caller, ExchangeDeps, InboxSlice, OutboxSlice } from './exchange-api.ts';
import type { Packet, StatusEvent } from './types.ts';

export class PacketReads {
  constructor(private readonly deps: ExchangeDeps) {}

  /** The packet as this caller may see it (recipients see their own delivery only); null when unknown. */
  async packetFor(caller: Caller, packetId: string): Promise<Packet | null> {
    const packet = await this.deps.packets.get(packetId);
    if (packet === null) return null;
    return viewFor(caller, packet);
  }

  async history(caller: Caller, packetId: string): Promise<StatusEvent[]> {
    const packet = await this.deps.packets.get(packetId);
    if (packet === null) throw new LgspError(ErrorCode.NOT_FOUND, `no packet ${packetId}`);
    viewFor(caller, packet);
    const events = await this.deps.packets.history(packetId);
    if (caller.operator || caller.agencyCode === packet.sourceAgency) return events;
    return events.filter((e) => e.recipient === null || e.recipient === caller.agencyCode);
  }

  async inbox(caller: Caller, first: number, afterSequence: number | null): Promise<InboxSlice> {
    const agency = requireAgency(caller);
    if (!Number.isInteger(first) || first < 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'first must be >= 0');
    if (first > 100) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, 'first must be <= 100', { limit: 100 });
    const page = await this.deps.packets.inbox(agency, first, afterSequence);
    const packets: Packet[] = [];
    const expired: string[] = [];
    for (const id of page.ids) {
      const packet = await this.deps.packets.get(id);
      if (packet !== null) packets.push(viewFor(caller, packet));
      else expired.push(id);
    }
    // Records expire with their retention, their inbox entries are dropped when a page comes across them.
    if (expired.length > 0) await this.deps.packets.removeFromInbox(agency, expired);
    return { packets, lastSequence: page.lastSequence, hasNextPage: page.hasNextPage };
  }

  /**
   * The packets an agency sent, newest first, with every recipient's delivery: for its systems and its administrator
   * (own agency), and operators (any agency, named by `agencyCode`). Created in [fromMs, toMs) when given.
   */
  async outbox(
    caller: Caller,
    query: { agencyCode: string | null; first: number; beforeScore: number | null; fromMs: number | null; toMs: number | null },
  ): Promise<OutboxSlice> {
    const agency = outboxAgency(caller, query.agencyCode);
    const { first } = query;
    if (!Number.isInteger(first) || first < 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'first must be >= 0', { field: 'first' });
    if (first > 100) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, 'first must be <= 100', { limit: 100 });
    if (query.fromMs !== null && query.toMs !== null && query.toMs <= query.fromMs)
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'to must be after from', { field: 'to' });
    const page = await this.deps.packets.outbox(agency, first, { fromMs: query.fromMs, toMs: query.toMs, beforeScore: query.beforeScore });
    const packets: Packet[] = [];
    const expired: string[] = [];
    for (const id of page.ids) {
      const packet = await this.deps.packets.get(id);
      if (packet !== null) packets.push(packet);
      else expired.push(id);
    }
    // As the inbox: entries of records that ran out their retention go when a page comes across them.
    if (expired.length > 0) await this.deps.packets.removeFromOutbox(agency, expired);
    return { packets, lastScore: page.lastScore, hasNextPage: page.hasNextPage };
  }
}

/** Whose outbox the caller reads: its own agency's (agency system, agency administrator), or any (operator). */
function outboxAgency(caller: Caller, agencyCode: string | null): string {
  if (caller.operator) {
    const agency = agencyCode ?? caller.agencyCode;
    if (agency === null)
      throw new LgspError(ErrorCode.BAD_USER_INPUT, 'an operator names the agency whose outbox it reads (agencyCode)', { field: 'agencyCode' });
    return agency;
  }
  if (caller.agencyCode === null || !(caller.agencySystem === true || caller.agencyAdmin === true))
    throw new LgspError(ErrorCode.FORBIDDEN, "an agency's outbox is readable by its systems, its administrator and operators only");
  if (agencyCode !== null && agencyCode !== caller.agencyCode)
    throw new LgspError(ErrorCode.FORBIDDEN, `the outbox of ${agencyCode} is readable by that agency and operators only`);
  return caller.agencyCode;
}
