/**
 * The close codes a client of `/graphql` over WebSocket can see. The 44xx codes are the graphql-transport-ws
 * protocol's own (graphql-ws PROTOCOL.md); the 10xx codes are RFC 6455's. A graphql-ws client retries by itself
 * after 4403, 4408, 1001, 1011 and 1013 and gives up after 4400, 4401, 4406, 4409 and 4429.
 */
export const CloseCode = {
  /** The server is shutting down (gateway stopped or restarting). */
  GoingAway: 1001,
  /** An unexpected failure in the gateway; details in its logs. */
  InternalError: 1011,
  /** Temporary condition: the agency's connection limit is reached, or the realm's keys cannot be fetched now. */
  TryAgainLater: 1013,
  /** A message the protocol does not allow, or an invalid `x-lgsp-purpose`. */
  BadRequest: 4400,
  /** `subscribe` before the connection was acknowledged (protocol). */
  Unauthorized: 4401,
  /**
   * Authentication failed in `connection_init` (missing when required, invalid, expired), the token expired later, or
   * the client's credential was revoked (reason `Forbidden: CREDENTIAL_REVOKED: …`, at connect or while open).
   */
  Forbidden: 4403,
  /** The client did not offer the `graphql-transport-ws` subprotocol. */
  SubprotocolNotAcceptable: 4406,
  /** No `connection_init` within GATEWAY_WS_CONNECTION_INIT_TIMEOUT_MS. */
  ConnectionInitialisationTimeout: 4408,
  /** A `subscribe` reused the id of an active subscription. */
  SubscriberAlreadyExists: 4409,
  /** A second `connection_init`. */
  TooManyInitialisationRequests: 4429,
  /** The gateway's internal failure while handling a message (graphql-ws reports it so). */
  InternalServerError: 4500,
} as const;

/** RFC 6455: a close reason is at most 123 bytes of UTF-8. */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= 123) return reason;
  let cut = 120;
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--; // do not split a character
  return `${bytes.subarray(0, cut).toString('utf8')}...`;
}
