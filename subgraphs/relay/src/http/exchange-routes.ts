/**
 * The content side of the exchange, plain HTTP under `/exchange/` (the gateway proxies this prefix as is,
 * streaming): bodies are never parsed or buffered here.
 *
 *   PUT /exchange/spaces/{id}/content?token=…   upload (step 3); optional `Repr-Digest`/`Content-Digest: sha-256=:…:`
 *   GET /exchange/packets/{id}/content?token=…  download (step 7); answers `Repr-Digest`
 *
 * The token in the URL is the authorisation (a short-lived HMAC capability), not the gateway's internal token.
 *
 * Served on node:http's request and response in front of Express (kit's `handle` option): at thousands of small
 * packets a second, Express's router and response helpers cost more than these two routes themselves. Paths match
 * as Express matched them (case-insensitively, with an optional trailing slash), but the id must be a UUID; any
 * other path under `/exchange` answers a JSON 404 and another method a JSON 405, in the shape of every error here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRestOfRequest, ErrorCode, errorBody, httpStatusFor, LgspError, REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@lgsp/kit';
import { digestFieldFor, sha256FromDigestField } from './digest-fields.ts';
import type { ExchangeFailure, Relay } from '../domain/relay.ts';
import type { DataType, Packet } from '../domain/types.ts';

const STATUS_FOR_REASON: Partial<Record<ExchangeFailure, number>> = {
  TOKEN_INVALID: 401,
  SPACE_EXPIRED: 410,
  SPACE_CLOSED: 409,
  CONTENT_KEY_UNAVAILABLE: 503,
  PAYLOAD_TOO_LARGE: 413,
  SIZE_MISMATCH: 400,
  DIGEST_MISMATCH: 400,
  DIGEST_FIELD_INVALID: 400,
  ALREADY_DELIVERED: 410,
  CONTENT_GONE: 410,
  NOT_CLAIMED: 403,
};

const CONTENT_TYPES: Record<DataType, string> = {
  EDXML_DOCUMENT: 'application/xml; charset=utf-8',
  EDXML_STATUS: 'application/xml; charset=utf-8',
  JSON: 'application/json',
  DOSSIER: 'application/octet-stream',
  FILE: 'application/octet-stream',
};

const EXCHANGE_PREFIX = '/exchange';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UPLOAD_PATH = new RegExp(`^/exchange/spaces/(${UUID})/content/?$`, 'i');
const DOWNLOAD_PATH = new RegExp(`^/exchange/packets/(${UUID})/content/?$`, 'i');

/** `/exchange` itself or anything below it, case-insensitively (what the gateway proxies here). */
function isExchangePath(url: string): boolean {
  if (url.length < EXCHANGE_PREFIX.length) return false;
  if (url.length > EXCHANGE_PREFIX.length) {
    const next = url.charCodeAt(EXCHANGE_PREFIX.length);
    if (next !== 0x2f /* / */ && next !== 0x3f /* ? */) return false;
  }
  return url.startsWith(EXCHANGE_PREFIX) || url.slice(0, EXCHANGE_PREFIX.length).toLowerCase() === EXCHANGE_PREFIX;
}

function decodeQueryPart(part: string): string {
  if (!part.includes('%') && !part.includes('+')) return part;
  try {
    return decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    return part;
  }
}

/** The `token` query parameter, percent-decoded; '' when it is absent or repeated (as Express's query parser left it). */
function tokenOf(url: string, queryStart: number): string {
  if (queryStart === -1) return '';
  let token: string | undefined;
  for (const pair of url.slice(queryStart + 1).split('&')) {
    const equals = pair.indexOf('=');
    const name = equals === -1 ? pair : pair.slice(0, equals);
    if (name !== 'token' && decodeQueryPart(name) !== 'token') continue;
    if (token !== undefined) return '';
    token = equals === -1 ? '' : decodeQueryPart(pair.slice(equals + 1));
  }
  return token ?? '';
}

/** A JSON answer with the headers Express's `res.json` gave (no ETag: these answers are never revalidated). */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request's logger, made only when something is logged (most requests log nothing). */
type RequestLog = () => Logger;

function sendError(req: IncomingMessage, res: ServerResponse, log: RequestLog, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error as Error);
    return;
  }
  if (error instanceof LgspError) {
    const reason = error.details?.reason as ExchangeFailure | undefined;
    const status = (reason !== undefined ? STATUS_FOR_REASON[reason] : undefined) ?? httpStatusFor(error.code);
    const body = errorBody(error.code, error.message);
    Object.assign(body.errors[0]!.extensions, error.details ?? {});
    sendJson(res, status, body);
    if (status === 413)
      discardRestOfRequest(req, {
        onLimit: (discarded) => log().info({ discarded }, 'refused upload still sending after the discard limit: connection closed'),
      });
    return;
  }
  log().error({ err: error }, 'exchange request failed');
  sendJson(res, 500, errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs'));
}

/** Another method on one of the two paths: 405 naming the one allowed (OPTIONS is answered, as Express did). */
function refuseMethod(req: IncomingMessage, res: ServerResponse, allowed: 'PUT' | 'GET', path: string): void {
  res.setHeader('allow', allowed);
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  // No METHOD_NOT_ALLOWED in ErrorCode: the request is malformed, the status says how.
  sendJson(res, 405, errorBody(ErrorCode.BAD_USER_INPUT, `${req.method} is not allowed on ${path}: use ${allowed}`));
}

function uploadAnswer(packet: Packet) {
  return { packetId: packet.id, status: packet.state === 'DONE' ? 'DELIVERED' : packet.state, rejection: packet.rejection };
}

async function upload(relay: Relay, log: RequestLog, req: IncomingMessage, res: ServerResponse, id: string, token: string): Promise<void> {
  try {
    const field = req.headers['repr-digest'] ?? req.headers['content-digest'];
    let digestSha256: string | null = null;
    if (typeof field === 'string') {
      try {
        digestSha256 = sha256FromDigestField(field);
      } catch (error) {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, `Repr-Digest ${(error as Error).message}`, { reason: 'DIGEST_FIELD_INVALID' });
      }
    }
    const length = req.headers['content-length'];
    const contentLength = length === undefined ? null : Number(length);
    // destroyOnReturn false: a refusal in the middle of the body (413) must leave the request readable, so the
    // rest can be discarded and the answer read (discardRestOfRequest).
    const body = req.iterator({ destroyOnReturn: false });
    const packet = await relay.upload(id, token, { digestSha256, contentLength: Number.isFinite(contentLength) ? contentLength : null }, body);
    // 422: the bytes arrived intact but the content is refused (malformed edXML, JSON schema); nothing is kept.
    sendJson(res, packet.state === 'REJECTED' ? 422 : 201, uploadAnswer(packet));
  } catch (error) {
    if (!(error instanceof LgspError) && req.destroyed) {
      // The client hung up: the partial upload is already deleted; nobody is left to answer.
      log().info({ packetId: id, reason: (error as Error).message }, 'upload abandoned by the client');
      return;
    }
    sendError(req, res, log, error);
  }
}

/**
 * Writes the body with backpressure and ends the response; resolves once it is all handed to the connection, rejects
 * when the client goes away first. (stream.pipeline would build an AbortController and a DOMException per call:
 * measurable at thousands of downloads a second.)
 */
async function sendBody(body: AsyncIterable<Buffer>, res: ServerResponse): Promise<void> {
  const gone = () => new Error('the client closed the connection');
  for await (const piece of body) {
    if (res.destroyed) throw gone();
    if (!res.write(piece)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          res.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          res.off('drain', onDrain);
          reject(gone());
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
    }
  }
  await new Promise<void>((resolve, reject) => {
    res.once('close', () => (res.writableFinished ? resolve() : reject(gone())));
    res.end();
  });
}

async function download(relay: Relay, log: RequestLog, req: IncomingMessage, res: ServerResponse, id: string, token: string): Promise<void> {
  let content;
  try {
    content = await relay.download(id, token);
  } catch (error) {
    sendError(req, res, log, error);
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[content.packet.dataType],
    'content-length': String(content.bytes),
    'repr-digest': digestFieldFor(content.sha256),
    'cache-control': 'no-store',
  });
  try {
    await sendBody(content.body, res);
    await content.completed();
  } catch (error) {
    log().warn({ packetId: id, reason: (error as Error).message }, 'download interrupted');
    res.destroy();
  }
}

/**
 * The handler for kit's `handle` option: answers everything under `/exchange`, leaves the rest to Express. `relayFor`
 * picks the namespace's relay from the URL's token (`RelayNamespaces.forToken`); the URLs of both namespaces have
 * one shape.
 */
export function exchangeContentHandler(relayFor: (token: string) => Relay, logger: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  const served = (req: IncomingMessage, res: ServerResponse, log: RequestLog, work: Promise<void>) => {
    work.catch((error: unknown) => sendError(req, res, log, error));
  };
  return (req, res) => {
    const url = req.url ?? '';
    if (!isExchangePath(url)) return false;
    // The caller's request id (the gateway's or the ingress's) is answered back and names the request in the logs.
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const log: RequestLog = () => logger.child({ requestId });
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const uploadMatch = UPLOAD_PATH.exec(path);
    if (uploadMatch !== null) {
      if (req.method === 'PUT') {
        const token = tokenOf(url, queryStart);
        served(req, res, log, upload(relayFor(token), log, req, res, uploadMatch[1]!, token));
      } else refuseMethod(req, res, 'PUT', path);
      return true;
    }
    const downloadMatch = DOWNLOAD_PATH.exec(path);
    if (downloadMatch !== null) {
      // Not HEAD either: Express ran the whole download for it, which completes a delivery that sent no bytes.
      if (req.method === 'GET') {
        const token = tokenOf(url, queryStart);
        served(req, res, log, download(relayFor(token), log, req, res, downloadMatch[1]!, token));
      } else refuseMethod(req, res, 'GET', path);
      return true;
    }
    sendJson(
      res,
      404,
      errorBody(
        ErrorCode.NOT_FOUND,
        `no ${req.method} ${path}: the exchange serves PUT /exchange/spaces/{id}/content and GET /exchange/packets/{id}/content, {id} a UUID`,
      ),
    );
    return true;
  };
}
