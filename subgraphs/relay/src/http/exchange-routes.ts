/**
 * The content side of the exchange, plain HTTP under `/exchange/` (the gateway proxies this prefix as is,
 * streaming): bodies are never parsed or buffered here.
 *
 *   PUT /exchange/spaces/{id}/content?token=…   upload (step 3); optional `Repr-Digest`/`Content-Digest: sha-256=:…:`
 *   GET /exchange/packets/{id}/content?token=…  download (step 7); answers `Repr-Digest`
 *
 * The token in the URL is the authorisation (a short-lived HMAC capability), not the gateway's internal token.
 */
import type { Express, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ErrorCode, errorBody, httpStatusFor, LgspError, type Logger } from '@lgsp/kit';
import { digestFieldFor, sha256FromDigestField } from '../domain/digest.ts';
import type { ExchangeFailure, Relay } from '../domain/relay.ts';
import type { DataType, Packet } from '../domain/types.ts';

const STATUS_FOR_REASON: Partial<Record<ExchangeFailure, number>> = {
  TOKEN_INVALID: 401,
  SPACE_EXPIRED: 410,
  SPACE_CLOSED: 409,
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

function tokenOf(req: Request): string {
  const token = req.query.token;
  return typeof token === 'string' ? token : '';
}

/** Bytes of a refused upload still read and thrown away so that the client (or the gateway) reads the answer. */
const DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * After an early refusal (413) the client is usually still sending. Closing at once would make the kernel reset the
 * connection over the unread bytes, and a proxy writing the body (the gateway) would see EPIPE instead of our 413.
 * So the rest is read and discarded, on a kept-alive connection, up to DISCARD_LIMIT_BYTES; beyond that the socket
 * is destroyed, as a sender that keeps pushing a refused body deserves.
 */
function discardRestOfBody(req: Request, logger: Logger): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) {
      logger.info({ discarded }, 'refused upload still sending after the discard limit: connection closed');
      req.socket.destroy();
    }
  });
  req.resume();
}

function sendError(res: Response, logger: Logger, error: unknown): void {
  if (res.headersSent) {
    res.destroy(error as Error);
    return;
  }
  if (error instanceof LgspError) {
    const reason = error.details?.reason as ExchangeFailure | undefined;
    const status = (reason !== undefined ? STATUS_FOR_REASON[reason] : undefined) ?? httpStatusFor(error.code);
    const body = errorBody(error.code, error.message);
    Object.assign(body.errors[0]!.extensions, error.details ?? {});
    res.status(status).json(body);
    if (status === 413) discardRestOfBody(res.req, logger);
    return;
  }
  logger.error({ err: error }, 'exchange request failed');
  res.status(500).json(errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error; see the service logs'));
}

function uploadAnswer(packet: Packet) {
  return { packetId: packet.id, status: packet.state === 'DONE' ? 'DELIVERED' : packet.state, rejection: packet.rejection };
}

export function exchangeRoutes(relay: Relay, logger: Logger): (app: Express) => void {
  return (app) => {
    app.put('/exchange/spaces/:id/content', async (req, res) => {
      const id = String(req.params.id);
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
        // rest can be discarded and the answer read (discardRestOfBody).
        const body = req.iterator({ destroyOnReturn: false });
        const packet = await relay.upload(id, tokenOf(req), { digestSha256, contentLength: Number.isFinite(contentLength) ? contentLength : null }, body);
        // 422: the bytes arrived intact but the content is refused (malformed edXML, JSON schema); nothing is kept.
        res.status(packet.state === 'REJECTED' ? 422 : 201).json(uploadAnswer(packet));
      } catch (error) {
        if (!(error instanceof LgspError) && req.destroyed) {
          // The client hung up: the partial upload is already deleted; nobody is left to answer.
          logger.info({ packetId: id, reason: (error as Error).message }, 'upload abandoned by the client');
          return;
        }
        sendError(res, logger, error);
      }
    });

    app.get('/exchange/packets/:id/content', async (req, res) => {
      const id = String(req.params.id);
      let download;
      try {
        download = await relay.download(id, tokenOf(req));
      } catch (error) {
        sendError(res, logger, error);
        return;
      }
      res.status(200);
      res.setHeader('content-type', CONTENT_TYPES[download.packet.dataType]);
      res.setHeader('content-length', String(download.bytes));
      res.setHeader('repr-digest', digestFieldFor(download.sha256));
      res.setHeader('cache-control', 'no-store');
      try {
        await pipeline(Readable.from(download.body), res);
        await download.completed();
      } catch (error) {
        logger.warn({ packetId: id, reason: (error as Error).message }, 'download interrupted');
        res.destroy();
      }
    });
  };
}
