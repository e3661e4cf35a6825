/**
 * Report downloads through the gateway (issue 17 §4): `GET /reports/<token>` is passed to the monitoring subgraph,
 * which makes the file as it sends it, and streamed back — the public ingress reaches only the gateway, and the
 * report link the `report` query answers points here. The signed token in the path is the authorisation (a
 * short-lived HMAC capability checked by monitoring: 403 `REPORT_LINK_INVALID`, 410 `REPORT_LINK_EXPIRED`), not the
 * gateway's; the gateway adds the request id and passes no credential or cookie on.
 *
 * Served from the HTTP server before Express, as the exchange content proxy is (server.ts): `withReportDownloads`
 * wraps the server's request listener and hands on everything that is not under `/reports`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { errors as undiciErrors, request } from 'undici';
import { errorBody, ErrorCode, REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@lgsp/kit';

/** The path prefix the proxy serves. */
export const REPORTS_PATH = '/reports';

/** `/reports` itself or anything below it, case-insensitively. */
export function isReportsRequest(url: string | undefined): boolean {
  if (url === undefined || url.length < REPORTS_PATH.length) return false;
  if (url.length > REPORTS_PATH.length) {
    const next = url.charCodeAt(REPORTS_PATH.length);
    if (next !== 0x2f /* / */ && next !== 0x3f /* ? */) return false;
  }
  return url.slice(0, REPORTS_PATH.length).toLowerCase() === REPORTS_PATH;
}

const forwardedResponseHeaders = ['content-type', 'content-length', 'content-disposition', 'cache-control', 'allow'];

export interface ReportProxyOptions {
  /** A URL of the monitoring subgraph (its GraphQL URL will do: only the origin is used), looked up per request. */
  monitoringUrl: () => string | undefined;
  logger: Logger;
  /** How long monitoring may take to start answering (it reads the period's figures first). */
  headersTimeoutMs?: number;
  /** How long the file may pause between two pieces. */
  bodyTimeoutMs?: number;
}

function sendError(res: ServerResponse, requestId: string, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  res
    .writeHead(status, { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

async function proxy(options: ReportProxyOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    sendError(res, requestId, 405, ErrorCode.BAD_USER_INPUT, 'Report downloads are GET requests');
    req.resume();
    return;
  }
  const url = options.monitoringUrl();
  if (url === undefined) {
    sendError(res, requestId, 503, ErrorCode.UPSTREAM_UNAVAILABLE, 'The monitoring service is not part of this supergraph');
    return;
  }
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  let answer;
  try {
    answer = await request(new URL(req.url ?? '/', url).toString(), {
      method: req.method,
      headers: { [REQUEST_ID_HEADER]: requestId },
      headersTimeout: options.headersTimeoutMs ?? 120_000,
      bodyTimeout: options.bodyTimeoutMs ?? 60_000,
      signal: abort.signal,
    });
  } catch (error) {
    if (abort.signal.aborted) return;
    const timeout = error instanceof undiciErrors.HeadersTimeoutError;
    options.logger.warn({ requestId, err: (error as Error).message }, 'report download proxy failed');
    sendError(
      res,
      requestId,
      timeout ? 504 : 502,
      timeout ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE,
      'The monitoring service did not answer',
    );
    return;
  }
  const headers: Record<string, string | string[]> = { [REQUEST_ID_HEADER]: requestId };
  for (const name of forwardedResponseHeaders) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  res.writeHead(answer.statusCode, headers);
  try {
    await pipeline(answer.body, res);
  } catch (error) {
    // Cut mid-file (monitoring failed, or the client left): the client sees a cut answer, never a complete-looking one.
    if (!abort.signal.aborted) options.logger.warn({ requestId, err: (error as Error).message }, 'report download cut while streaming');
    res.destroy();
  }
}

/** Wraps the HTTP server's request listener: `/reports…` goes to monitoring, anything else to `next`. */
export function withReportDownloads(next: RequestListener, options: ReportProxyOptions): RequestListener {
  return (req, res) => {
    if (isReportsRequest(req.url)) void proxy(options, req, res);
    else next(req, res);
  };
}
