/**
 * `GET /reports/<token>`: the download behind a report link (report-link.ts), on monitoring's HTTP server; the
 * gateway proxies `/reports/` here (gateway/src/reports/report-proxy.ts), as the public ingress reaches only the
 * gateway. The token is the authorisation. Errors are JSON in the platform's shape: a forged or altered link 403
 * `REPORT_LINK_INVALID`, an expired one 410 `REPORT_LINK_EXPIRED`, another path 404 `NOT_FOUND`, another method 405.
 * The file is made as it is sent (`Content-Disposition: attachment` with the UTF-8 file name); a failure after the
 * first byte cuts the connection, so a client never takes a truncated file for a whole one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, httpStatusFor, LgspError, REQUEST_ID_HEADER, requestIdFrom, type Logger } from '@lgsp/kit';
import type { ReportGrant } from './report-link.ts';
import type { ReportService } from './report-service.ts';

/** Told of every download of a genuine link, with how it ended (the audit trace, record.ts). */
export type OnDownload = (grant: ReportGrant, requestId: string, error: { code: string } | null) => void;

export const REPORTS_PATH = '/reports';
const TOKEN_PATH = /^\/reports\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/?$/;

/** `/reports` itself or anything below it. */
export function isReportsRequest(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(REPORTS_PATH)) return false;
  const next = url.charCodeAt(REPORTS_PATH.length);
  return url.length === REPORTS_PATH.length || next === 0x2f /* / */ || next === 0x3f; /* ? */
}

function sendError(res: ServerResponse, requestId: string, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res
    .writeHead(status, {
      [REQUEST_ID_HEADER]: requestId,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...extra,
    })
    .end(body);
}

/** RFC 6266 / RFC 8187: an ASCII fallback and the UTF-8 name. */
function contentDisposition(fileName: string): string {
  const ascii = fileName
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function reportDownloadHandler(
  service: ReportService,
  logger: Logger,
  onDownload: OnDownload = () => undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => void serve(service, logger, onDownload, req, res);
}

function failed(res: ServerResponse, requestId: string, logger: Logger, error: unknown): void {
  // A bad link is an LgspError too (ReportLinkError): 403 REPORT_LINK_INVALID, 410 REPORT_LINK_EXPIRED.
  if (error instanceof LgspError) sendError(res, requestId, httpStatusFor(error.code), error.code, error.message);
  else {
    logger.error({ requestId, err: (error as Error).message }, 'report download failed');
    sendError(res, requestId, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'The report could not be made; see the logs under the request id');
  }
}

async function serve(service: ReportService, logger: Logger, onDownload: OnDownload, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  const path = (req.url ?? '').split('?')[0]!;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, requestId, 405, ErrorCode.BAD_USER_INPUT, 'Report downloads are GET requests', { allow: 'GET, HEAD' });
    return;
  }
  const match = TOKEN_PATH.exec(path);
  if (match === null) {
    sendError(res, requestId, 404, ErrorCode.NOT_FOUND, 'No such report: links look like /reports/<token>, as the report query gives them');
    return;
  }
  let file;
  let write;
  try {
    file = service.download(match[1]!);
  } catch (error) {
    failed(res, requestId, logger, error);
    return;
  }
  try {
    write = req.method === 'HEAD' ? undefined : await file.prepare();
  } catch (error) {
    onDownload(file.grant, requestId, { code: error instanceof LgspError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR });
    failed(res, requestId, logger, error);
    return;
  }
  res.writeHead(200, {
    [REQUEST_ID_HEADER]: requestId,
    'content-type': file.contentType,
    'content-disposition': contentDisposition(file.fileName),
    'cache-control': 'no-store',
  });
  if (write === undefined) {
    res.end();
    return;
  }
  try {
    await write(res);
    onDownload(file.grant, requestId, null);
  } catch (error) {
    onDownload(file.grant, requestId, { code: ErrorCode.INTERNAL_SERVER_ERROR });
    logger.error({ requestId, err: (error as Error).message }, 'report download failed while sending');
    res.destroy(error as Error);
  }
}
