/**
 * GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) at the edges Apollo Server leaves to
 * the integration: which request bodies are accepted, what a malformed one gets, and the status code of request
 * errors per response media type.
 *
 * Status codes of GraphQL request errors (parse, validation, variable coercion, unknown operation name):
 * - `application/graphql-response+json`: 400, as the spec says.
 * - `application/json`: **200**. The spec says the server SHOULD answer 200 to every well-formed request with
 *   this legacy media type, because an intermediary (proxy, load balancer) may answer 4xx/5xx with a JSON body of
 *   its own and a legacy client could not tell the two apart. Apollo Server answers 400; we follow the spec, so
 *   agency clients that ask for `application/json` read errors from the body, and clients that want status
 *   codes ask for `application/graphql-response+json` (the recommended type).
 * Requests that are not well-formed GraphQL-over-HTTP (malformed JSON, missing `query`, `variables` that are not
 * an object, mutation over GET) get 4xx whatever the media type.
 *
 * The edge is strict and quiet (docs/decisions/0013-one-request-pipeline-and-a-strict-http-edge.md): malformed input gets a 4xx with a precise
 * `extensions.code` (below), logged at info, never a 500:
 * - `Content-Encoding`: `gzip`, `deflate` and `br` bodies are accepted and decompressed; GATEWAY_MAX_BODY_BYTES applies
 *   to the decompressed size (413, so a small "zip bomb" stops at the limit). Any other coding, or several stacked,
 *   → 415 UNSUPPORTED_CONTENT_ENCODING; a body that does not decompress → 400 BAD_REQUEST.
 * - UTF-8 only: a body (after decompression) or a percent-decoded query string that is not valid UTF-8 → 400
 *   INVALID_UTF8, instead of U+FFFD replacing the bad bytes and a parse error pointing at a character the caller
 *   never sent; a charset other than UTF-8 → 415 UNSUPPORTED_MEDIA_TYPE.
 * - HTTP that Node's parser refuses (bad header characters, headers over 16 KB, a bad request line) gets the same
 *   JSON error shape: 431 REQUEST_HEADER_FIELDS_TOO_LARGE or 400 BAD_REQUEST.
 *
 * CSRF: Apollo Server's CSRF prevention is on. A POST must be `application/json` (never a "simple" request a
 * browser form could send); a GET must carry `apollo-require-preflight: true` (or `x-apollo-operation-name`).
 * Agency systems calling over GET add that header; the explorers we ship (GraphiQL, Apollo Sandbox) send JSON POSTs.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind } from 'graphql';
import type { Logger } from '@lgsp/kit';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import Negotiator from 'negotiator';
import { isUtf8 } from 'node:buffer';
import type { Duplex } from 'node:stream';

export const MEDIA_TYPE = {
  JSON: 'application/json',
  GRAPHQL_RESPONSE_JSON: 'application/graphql-response+json',
} as const;

/** Codes for requests rejected before GraphQL execution; `extensions.code` of the single error in the body. */
export const HttpErrorCode = {
  /** The body is not JSON, not an object, or not UTF-8 JSON. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The body exceeds GATEWAY_MAX_BODY_BYTES. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A POST whose Content-Type is not application/json (or is missing), or a charset other than UTF-8. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A Content-Encoding other than gzip, deflate, br or identity, or several stacked. */
  UNSUPPORTED_CONTENT_ENCODING: 'UNSUPPORTED_CONTENT_ENCODING',
  /** The body (decompressed) or the percent-decoded query string is not valid UTF-8. */
  INVALID_UTF8: 'INVALID_UTF8',
  /** The request's header section is larger than Node accepts (16 KB). */
  REQUEST_HEADER_FIELDS_TOO_LARGE: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
} as const;

/** The content codings a request body may have (decompressed by body-parser, the size limit applying after). */
export const ACCEPTED_CONTENT_ENCODINGS: ReadonlySet<string> = new Set(['identity', 'gzip', 'deflate', 'br']);

/** The GraphQL request errors a well-formed `application/json` request gets with status 200 (see above). */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);

/** The response media type for an Accept header, negotiated exactly as Apollo Server does; undefined → 406. */
export function responseMediaType(accept: string | undefined): string | undefined {
  // No Accept header: the spec says assume application/json.
  if (accept === undefined || accept.trim() === '') return MEDIA_TYPE.JSON;
  return new Negotiator({ headers: { accept } }).mediaType([MEDIA_TYPE.JSON, MEDIA_TYPE.GRAPHQL_RESPONSE_JSON]);
}

/**
 * Whether a request is a browser opening /graphql (the landing page), decided as Apollo Server decides it: a GET
 * whose Accept header prefers text/html to every response type a GraphQL answer may have.
 */
export function prefersHtml(method: string, accept: string | undefined): boolean {
  if (method !== 'GET' || accept === undefined || accept.trim() === '') return false;
  return new Negotiator({ headers: { accept } }).mediaType([MEDIA_TYPE.JSON, MEDIA_TYPE.GRAPHQL_RESPONSE_JSON, 'multipart/mixed', 'text/html']) === 'text/html';
}

/** POST bodies: `application/json` only (415 otherwise), UTF-8, at most `maxBytes` decompressed (413); GET query strings in UTF-8. */
export function graphqlRequestBody(maxBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, res, next) => {
    if (req.method === 'GET') return checkQueryString(req, res, next);
    if (req.method !== 'POST') return next();
    const type = req.headers['content-type'];
    if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
      sendHttpError(req, res, 415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, 'POST requests must have Content-Type: application/json');
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      sendHttpError(req, res, 415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, `Request bodies are UTF-8 JSON; charset ${charset} is not accepted`);
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && !ACCEPTED_CONTENT_ENCODINGS.has(encoding.trim().toLowerCase())) {
      sendHttpError(req, res, 415, HttpErrorCode.UNSUPPORTED_CONTENT_ENCODING, 'Content-Encoding may be gzip, deflate, br or identity (one of them)');
      return;
    }
    next();
  };
  const body = express.json({
    limit: maxBytes,
    type: 'application/json',
    strict: true,
    // The raw (decompressed) bytes, before they are decoded: decoding would replace invalid UTF-8 silently.
    verify: (_req, _res, buffer) => {
      if (!isUtf8(buffer)) throw Object.assign(new Error('Request body is not valid UTF-8'), { type: 'body.invalid_utf8', status: 400 });
    },
  });
  return [requireJson, body];
}

/** A GET's query string: valid percent-encoding (400 BAD_REQUEST) of UTF-8 text (400 INVALID_UTF8). */
const checkQueryString: RequestHandler = (req, res, next) => {
  const at = req.url.indexOf('?');
  if (at < 0 || !req.url.includes('%', at)) return next();
  for (const part of req.url.slice(at + 1).split(/[&=]/)) {
    if (!part.includes('%')) continue;
    if (/%(?![0-9a-f]{2})/i.test(part)) {
      sendHttpError(req, res, 400, HttpErrorCode.BAD_REQUEST, 'The query string has a malformed percent-encoding (% must be followed by two hex digits)');
      return;
    }
    try {
      decodeURIComponent(part);
    } catch {
      sendHttpError(req, res, 400, HttpErrorCode.INVALID_UTF8, 'The query string is not percent-encoded UTF-8');
      return;
    }
  }
  next();
};

/** Turns body-parser failures into GraphQL-shaped errors with a precise code instead of Express's HTML page. */
export function graphqlRequestErrors(logger: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string; code?: string }, req, res, next) => {
    if (res.headersSent) return next(error);
    switch (error.type) {
      case 'body.invalid_utf8':
        return sendHttpError(req, res, 400, HttpErrorCode.INVALID_UTF8, 'Request body is not valid UTF-8');
      case 'entity.too.large':
        return sendHttpError(req, res, 413, HttpErrorCode.PAYLOAD_TOO_LARGE, 'Request body is larger than the gateway accepts');
      case 'entity.parse.failed':
        return sendHttpError(req, res, 400, HttpErrorCode.BAD_REQUEST, 'Request body is not a JSON object');
      case 'charset.unsupported':
        return sendHttpError(req, res, 415, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request bodies are UTF-8 JSON');
      case 'encoding.unsupported':
        return sendHttpError(req, res, 415, HttpErrorCode.UNSUPPORTED_CONTENT_ENCODING, 'Content-Encoding may be gzip, deflate, br or identity (one of them)');
      case 'request.aborted':
      case 'request.size.invalid':
        return sendHttpError(req, res, 400, HttpErrorCode.BAD_REQUEST, 'Request body is incomplete');
      default:
        // body-parser gives a decompression failure (zlib, brotli) status 400 and no type: the caller's bytes.
        if (error.type === undefined && error.status === 400) {
          logger.info({ event: 'http.bad_body', reason: error.message, code: error.code }, 'request body could not be decoded');
          return sendHttpError(
            req,
            res,
            400,
            HttpErrorCode.BAD_REQUEST,
            `Request body could not be decompressed (Content-Encoding: ${req.headers['content-encoding'] ?? 'none'})`,
          );
        }
        logger.error({ err: error }, 'unexpected error in the HTTP layer');
        return sendHttpError(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Internal error; see the gateway logs');
    }
  };
}

function sendHttpError(req: express.Request, res: express.Response, status: number, code: string, message: string): void {
  const type = responseMediaType(req.headers.accept) ?? MEDIA_TYPE.JSON;
  res
    .status(status)
    .type(`${type}; charset=utf-8`)
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** Sets the response media type and the status of request errors as described at the top of this file. */
export function graphqlOverHttpPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        // Apollo Server leaves an unresolvable operation name to the executor; Apollo Gateway's executor then
        // throws (500 INVALID_GRAPHQL). It is the caller's mistake: answer like graphql-js does, as a request error.
        async didResolveOperation({ operation, request, document }) {
          if (operation !== undefined) return;
          const named = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          const message =
            request.operationName !== undefined && request.operationName !== null
              ? `Unknown operation named "${request.operationName}".`
              : named > 1
                ? 'Must provide operation name if query contains multiple operations.'
                : 'Must provide an operation.';
          throw new GraphQLError(message, {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400, headers: new HeaderMap() } },
          });
        },
        async willSendResponse({ request, response }) {
          if (response.body.kind !== 'single') return;
          const type = responseMediaType(request.http?.headers.get('accept'));
          if (type === undefined) return; // Apollo Server answers 406
          response.http.headers.set('content-type', `${type}; charset=utf-8`);
          const result = response.body.singleResult;
          const requestError = !('data' in result) && (result.errors?.length ?? 0) > 0;
          if (
            requestError &&
            type === MEDIA_TYPE.JSON &&
            response.http.status === 400 &&
            result.errors!.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))
          ) {
            response.http.status = 200;
          }
        },
      };
    },
  };
}

/**
 * For the HTTP server's `clientError`: a request Node's parser refuses (bad header characters, a header section
 * over 16 KB, a bad request line) gets the gateway's JSON error instead of a bare status line, and no error log.
 */
export function rejectMalformedHttp(logger: Logger): (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const [status, text, code, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', HttpErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE, 'The request headers are larger than 16 KB']
      : timeout
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request was not received in time']
        : [400, 'Bad Request', HttpErrorCode.BAD_REQUEST, 'The request is not valid HTTP/1.1'];
    logger.info({ event: 'http.malformed', code: error.code, status }, 'malformed HTTP request refused');
    const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: ${MEDIA_TYPE.JSON}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
