/**
 * Who may follow which topic (R4 in docs/requirements.md: "an agency follows only its own inbox"). Plain functions over the
 * Principal the gateway's internal token carries; resolvers call them before subscribing and for each event.
 */
import { ErrorCode, hasRole, LgspError, Role, type Principal } from '@lgsp/kit';

/** Platform operators (vận hành) may follow any agency's topics. */
export function isOperator(principal: Principal): boolean {
  return hasRole(principal, Role.operator);
}

/** Refuses anonymous callers: every topic needs a signed-in agency system, civil servant or operator. */
export function requireAuthenticated(principal: Principal): void {
  if (principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in to follow events');
}

/**
 * The agency whose topics the caller follows: the one it names, or its own. An agency may name only itself; an
 * operator may name any agency and must name one when it has none of its own.
 */
export function agencyToFollow(principal: Principal, requested: string | null | undefined): string {
  requireAuthenticated(principal);
  const own = principal.agencyCode;
  if (requested === undefined || requested === null) {
    if (own !== undefined && own !== '') return own;
    if (isOperator(principal)) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'operators name the agency to follow with agencyCode', { argument: 'agencyCode' });
    throw new LgspError(ErrorCode.FORBIDDEN, 'the caller belongs to no agency, so it has no inbox to follow');
  }
  if (requested === own || isOperator(principal)) return requested;
  throw new LgspError(ErrorCode.FORBIDDEN, `an agency follows only its own events; ${requested} is another agency`);
}

/**
 * Per event: a packet status goes to the packet's source and the recipient it concerns (or an operator). The topic
 * already belongs to the followed agency; this also guards against a publisher writing to the wrong topic.
 */
export function packetEventVisible(principal: Principal, followed: string, event: { sourceAgency: string; recipientAgency: string | null }): boolean {
  if (event.sourceAgency !== followed && event.recipientAgency !== followed) return false;
  if (isOperator(principal)) return true;
  const own = principal.agencyCode;
  return own !== undefined && (own === event.sourceAgency || own === event.recipientAgency);
}

/**
 * Per event: an access-request event goes to the consumer and the provider agency of the request (or an operator);
 * like packet events, this also guards against a publisher writing to the wrong agency's topic. An event that does
 * not name its agencies is believed on its topic alone (the topic was already authorized for the follower).
 */
export function accessRequestEventVisible(
  principal: Principal,
  followed: string,
  event: { consumerAgency: string | null; providerAgency: string | null },
): boolean {
  const parties = [event.consumerAgency, event.providerAgency].filter((agency): agency is string => agency !== null);
  if (parties.length === 0) return true;
  if (!parties.includes(followed)) return false;
  if (isOperator(principal)) return true;
  const own = principal.agencyCode;
  return own !== undefined && parties.includes(own);
}

/**
 * Per event: a system's health goes to the system's own agency (its id is `<agency code>:<slug>`) or an operator;
 * this guards against a publisher writing to the wrong agency's topic.
 */
export function systemHealthEventVisible(followed: string, event: { systemId: string }): boolean {
  return event.systemId.startsWith(`${followed}:`);
}
