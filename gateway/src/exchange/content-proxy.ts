/**
 * Packet content through the gateway (REQUIREMENTS R4 steps 3 and 7): `/exchange/…` is passed to the relay
 * subgraph unchanged and streamed both ways, so the gateway stays the only public entry point and a 200 MB upload
 * or download never sits in its memory. Requests are authorised by the relay's short-lived capability URLs (the
 * `token` query parameter it signs), not by the gateway; the gateway adds the request id.
 */
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Agent, errors as undiciErrors } from 'undici';
import { errorBody, ErrorCode, REQUEST_ID_HEADER, type Logger } from '@lgsp/kit';

/** Headers of the exchange protocol that pass through (anything else, cookies and Authorization above all, does not). */
const forwardedRequestHeaders = ['content-type', 'content-length', 'repr-digest', 'content-digest', 'want-repr-digest', 'accept', 'range'];
const forwardedResponseHeaders = ['content-type', 'content-length', 'repr-digest', 'content-digest', 'retry-after', 'cache-control', 'content-disposition', 'accept-ranges', 'content-range'];

export interface ContentProxyOptions {
  /** Origin of the relay subgraph (e.g. http://127.0.0.1:4103), looked up per request (supergraph reloads). */
  relayOrigin: () => string | undefined;
  logger: Logger;
  /** How long the relay may take to start answering (validation of a large edXML upload happens before it does). */
  headersTimeoutMs?: number;
}

export function exchangeContentProxy(options: ContentProxyOptions) {
  const agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: options.headersTimeoutMs ?? 300_000, bodyTimeout: 120_000 });
  const handler = async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const origin = options.relayOrigin();
    const requestId = res.locals.requestId as string;
    if (origin === undefined) {
      res.status(503).json(errorBody(ErrorCode.UPSTREAM_UNAVAILABLE, 'The relay service is not part of this supergraph'));
      return;
    }
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    for (const name of forwardedRequestHeaders) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    try {
      const upstream = await agent.request({
        origin,
        path: req.originalUrl,
        method: req.method as 'GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE',
        headers,
        body: hasBody ? req : null,
      });
      res.status(upstream.statusCode);
      for (const name of forwardedResponseHeaders) {
        const value = upstream.headers[name];
        if (value !== undefined) res.setHeader(name, value);
      }
      await pipeline(upstream.body, res);
    } catch (error) {
      const timeout = error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
      options.logger.warn({ requestId, err: (error as Error).message }, 'exchange content proxy failed');
      if (!res.headersSent) {
        res
          .status(timeout ? 504 : 502)
          .json(errorBody(timeout ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE, 'The relay service did not answer'));
      } else {
        res.destroy();
      }
    }
  };
  return { handler, close: () => agent.close() };
}
