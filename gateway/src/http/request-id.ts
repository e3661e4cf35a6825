/**
 * Every HTTP request gets a request id: the caller's `x-request-id` when it is a sane token, otherwise a new
 * UUID. It is echoed in the response, bound to the request's logger and sent to every subgraph.
 */
import { REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@lgsp/kit';
import type { RequestHandler } from 'express';

export function assignRequestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.locals.requestId = requestId;
    res.locals.logger = logger.child({ requestId });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  };
}
