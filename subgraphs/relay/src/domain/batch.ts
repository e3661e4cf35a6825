/**
 * The batch mutations (requestExchanges, claimPackets, acknowledgePackets): how many items one call takes, and how
 * one item's failure stays that item's (GraphQL then puts null at its index with the error's path).
 */
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';

/** Most items one batch call (requestExchanges, claimPackets, acknowledgePackets) takes. */
export const MAX_BATCH = 100;

export function assertBatchSize(size: number, field: string): void {
  if (!Number.isInteger(size) || size < 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, `${field} must be a non-negative integer`, { field });
  if (size > MAX_BATCH) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `${field}: at most ${MAX_BATCH} per call`, { field, limit: MAX_BATCH });
}

/** Each promise's value, or its error; an unexpected error is logged and answered as an internal error. */
export async function settleEach<T>(work: Array<Promise<T>>, logger: Logger): Promise<Array<T | LgspError>> {
  return (await Promise.allSettled(work)).map((r) => {
    if (r.status === 'fulfilled') return r.value;
    if (r.reason instanceof LgspError) return r.reason;
    logger.error({ err: r.reason }, 'one item of a batch failed');
    return new LgspError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs');
  });
}
