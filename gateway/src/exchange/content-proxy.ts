/**
 * Packet content through the gateway (REQUIREMENTS R4 steps 3 and 7): `/exchange/…` is passed to the relay
 * subgraph unchanged and streamed both ways, so the gateway stays the only public entry point and a 200 MB upload
 * or download never sits in its memory. Requests are authorised by the relay's short-lived capability URLs (the
 * `token` query parameter it signs), not by the gateway; the gateway adds the request id.
 *
 * The HTTP server hands these requests here before Express (server.ts): none of the GraphQL middleware applies to
 * them, and at thousands of small packets a second Express's routing, a child logger per request and
 * `stream.pipeline`'s bookkeeping (an AbortController and a DOMException per response) cost more than the proxying.
 * The relay's answer goes straight from undici's dispatch callbacks into the response, with backpressure both
 * ways: the request body is read as the relay takes it, the relay's body is paused while the client is slow.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { discardRestOfRequest, errorBody, ErrorCode, REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@lgsp/kit';

/** Headers of the exchange protocol that pass through (anything else, cookies and Authorization above all, does not). */
const forwardedRequestHeaders = ['content-type', 'content-length', 'repr-digest', 'content-digest', 'want-repr-digest', 'accept', 'range'];
const forwardedResponseHeaders = [
  'content-type',
  'content-length',
  'repr-digest',
  'content-digest',
  'retry-after',
  'cache-control',
  'content-disposition',
  'accept-ranges',
  'content-range',
];

/** The path prefix the proxy serves. */
export const EXCHANGE_PATH = '/exchange';

/**
 * Whether a request target belongs to the proxy: `/exchange` itself or anything below it, case-insensitively (what
 * Express's `app.use('/exchange', …)` matched when the proxy was mounted there).
 */
export function isExchangeRequest(url: string | undefined): boolean {
  if (url === undefined || url.length < EXCHANGE_PATH.length) return false;
  if (url.length > EXCHANGE_PATH.length) {
    const next = url.charCodeAt(EXCHANGE_PATH.length);
    if (next !== 0x2f /* / */ && next !== 0x3f /* ? */) return false;
  }
  return url.slice(0, EXCHANGE_PATH.length).toLowerCase() === EXCHANGE_PATH;
}

export interface ContentProxyOptions {
  /** A URL of the relay subgraph (its GraphQL URL will do: only the origin is used), looked up per request (supergraph reloads). */
  relayUrl: () => string | undefined;
  logger: Logger;
  /** How long the relay may take to start answering (validation of a large edXML upload happens before it does). */
  headersTimeoutMs?: number;
  /** How long the relay's body may pause between two pieces. */
  bodyTimeoutMs?: number;
}

export interface ContentProxy {
  /** Serves one request under `/exchange` (a node:http request listener; see `isExchangeRequest`). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

export function exchangeContentProxy(options: ContentProxyOptions): ContentProxy {
  const agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: options.headersTimeoutMs ?? 300_000, bodyTimeout: options.bodyTimeoutMs ?? 120_000 });
  // The relay's origin, parsed once per URL (the URL changes only with a supergraph reload).
  let parsedUrl: string | undefined;
  let parsedOrigin: string | undefined;
  const relayOrigin = (): string | undefined => {
    const url = options.relayUrl();
    if (url !== parsedUrl) {
      parsedOrigin = url === undefined ? undefined : new URL(url).origin;
      parsedUrl = url;
    }
    return parsedOrigin;
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const origin = relayOrigin();
    if (origin === undefined) {
      sendError(res, requestId, 503, ErrorCode.UPSTREAM_UNAVAILABLE, 'The relay service is not part of this supergraph');
      return;
    }
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId };
    for (const name of forwardedRequestHeaders) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    // undici destroys the body it was given when the relay answers before reading it all (a 413 mid-upload). Given
    // the request itself, that would reset the client's connection before it reads the answer; given a pipe, only
    // the pipe goes, and the rest of the request is read and thrown away (RelayedResponse.discardRest).
    const body = hasBody ? req.pipe(new PassThrough()) : null;
    const relayed = new RelayedResponse(req, res, requestId, options.logger);
    try {
      agent.dispatch({ origin, path: req.url ?? '/', method: req.method as Dispatcher.HttpMethod, headers, body }, relayed);
    } catch (error) {
      relayed.onResponseError(undefined, error as Error);
    }
  }

  return { handle, close: () => agent.close() };
}

/** The relay's answer, written into the client's response as undici reads it. */
class RelayedResponse implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private clientGone = false;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly requestId: string,
    private readonly logger: Logger,
  ) {
    // The client hung up before the whole answer was sent: stop the relay's side too.
    res.once('close', () => {
      if (this.done) return;
      this.clientGone = true;
      this.controller?.abort(new Error('the client closed the connection'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientGone) controller.abort(new Error('the client closed the connection'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // 1xx informational answers are not passed on
    const out: OutgoingHttpHeaders = { [REQUEST_ID_HEADER]: this.requestId };
    for (const name of forwardedResponseHeaders) {
      const value = headers[name];
      if (value !== undefined) out[name] = value;
    }
    this.res.writeHead(statusCode, out);
    this.res.on('drain', () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.done = true;
    this.discardRest();
    this.res.end();
  }

  /**
   * The relay answered before the whole request arrived (it refused it early): the client is likely still sending.
   * The pipe to undici is cut and the rest is read and thrown away, as the relay does, so that the client reads the
   * answer instead of a reset.
   */
  private discardRest(): void {
    if (this.req.method === 'GET' || this.req.method === 'HEAD') return;
    this.req.unpipe();
    discardRestOfRequest(this.req);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.done = true;
    const timeout = error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError;
    this.logger.warn({ requestId: this.requestId, err: error.message }, 'exchange content proxy failed');
    if (this.clientGone) return;
    if (!this.res.headersSent) {
      sendError(
        this.res,
        this.requestId,
        timeout ? 504 : 502,
        timeout ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE,
        'The relay service did not answer',
      );
    } else {
      this.res.destroy(); // the client sees a cut answer, never a complete-looking short one
    }
  }
}

function sendError(res: ServerResponse, requestId: string, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  res
    .writeHead(status, { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    .end(body);
}
