/** What every GraphQL operation carries through the gateway (the Apollo context). */
import type { Logger, Principal } from '@lgsp/kit';
import type { OperationRecord } from './observability/operations.ts';

export interface GatewayContext {
  /** The request id: echoed to the caller, sent to every subgraph, on every log line. */
  requestId: string;
  /** Who is calling (auth/authenticate.ts: access token + X-LGSP-Purpose); travels in the internal token. */
  principal: Principal;
  /** The gateway logger bound to this request's id. */
  logger: Logger;
  /** What the operation log line and metrics report (filled by the operation-record plugin). */
  operation: OperationRecord;
}
