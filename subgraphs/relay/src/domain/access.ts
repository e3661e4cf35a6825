/**
 * Who may do what with a packet, as pure rules over the caller: only an agency exchanges; a packet is read whole by
 * its source and operators, and by each recipient with its own delivery only.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from './exchange-api.ts';
import type { Packet } from './types.ts';

/** The caller's agency; a caller without one (a citizen, a bare operator) does not exchange packets. */
export function requireAgency(caller: Caller): string {
  if (caller.agencyCode === null) throw new LgspError(ErrorCode.FORBIDDEN, 'only an agency system or civil servant of an agency may exchange packets');
  return caller.agencyCode;
}

/** The packet as this caller may see it (recipients see their own delivery only); FORBIDDEN for anyone else. */
export function viewFor(caller: Caller, packet: Packet): Packet {
  if (caller.operator || (caller.agencyCode !== null && caller.agencyCode === packet.sourceAgency)) return packet;
  const own = packet.deliveries.filter((d) => d.agencyCode === caller.agencyCode);
  if (own.length === 0) throw new LgspError(ErrorCode.FORBIDDEN, `packet ${packet.id} is readable by its source, its recipients and operators only`);
  return { ...packet, deliveries: own };
}
