/**
 * Reports (issue 17 §4): monthly, quarterly, annual (and daily) reports, per agency or province-wide, as PDF, XLSX
 * or CSV, written to a stream as they are made. `link` checks the caller and the period and signs a short-lived
 * download link; `download` verifies a link and tells what to send; `write` makes the file (the CLI calls it too).
 */
import type { Writable } from 'node:stream';
import type { AuditLog } from '@lgsp/audit';
import { ErrorCode, LgspError, Role, type Environment, type Principal } from '@lgsp/kit';
import { requireRead } from '../statistics/access.ts';
import { parsePeriod } from '../statistics/period.ts';
import { writeCsvReport } from './csv.ts';
import { writePdfReport } from './pdf.ts';
import { buildReportData, CONTENT_TYPES, REPORT_FORMATS, reportFileName, type AgencyNames, type ReportFormat } from './report-data.ts';
import type { ReportGrant, ReportLinkSigner } from './report-link.ts';
import { writeXlsxReport } from './xlsx.ts';

export interface ReportLink {
  url: string;
  expiresAt: string;
  fileName: string;
}

export interface ReportFileRequest {
  period: string;
  agency: string | null;
  format: ReportFormat;
  environment: Environment;
}

export interface ReportFile {
  fileName: string;
  contentType: string;
  /** Reads the figures (errors come here, before anything is sent), then gives the writer of the file into `out`. */
  prepare(): Promise<(out: Writable) => Promise<void>>;
}

export interface ReportServiceOptions {
  log: Pick<AuditLog, 'statistics'>;
  names: AgencyNames;
  signer: ReportLinkSigner;
  /** Where links point: the public origin of the gateway (which proxies `/reports/`), e.g. `https://lgsp.nghean.gov.vn`. */
  publicUrl: string;
  /** How long a link works. */
  linkTtlMs: number;
  now?: () => Date;
}

export interface ReportService {
  link(principal: Principal, request: { period: string; agency: string | null; format: ReportFormat; environment: Environment }): Promise<ReportLink>;
  /** The file a link downloads, with what the link grants; throws `ReportLinkError` for a bad link. */
  download(token: string): ReportFile & { grant: ReportGrant };
  /** The file of a request, without authorization (the operator's CLI). Throws INVALID_PERIOD. */
  file(request: ReportFileRequest): ReportFile;
}

/** Reads a report's figures, then gives the writer of its file: into `out`, which it ends. */
export async function prepareReport(
  deps: { log: Pick<AuditLog, 'statistics'>; names: AgencyNames; now?: Date },
  request: ReportFileRequest,
): Promise<(out: Writable) => Promise<void>> {
  const period = parsePeriod(request.period, deps.now);
  const data = await buildReportData(deps.log, { period, agency: request.agency, environment: request.environment }, deps.names, deps.now);
  return async (out) => {
    if (request.format === 'pdf') await writePdfReport(data, out);
    else if (request.format === 'xlsx') await writeXlsxReport(data, out);
    else {
      await writeCsvReport(data, out);
      out.end();
    }
  };
}

export function createReportService(options: ReportServiceOptions): ReportService {
  const now = options.now ?? (() => new Date());
  const base = options.publicUrl.replace(/\/+$/, '');
  const file = (request: ReportFileRequest): ReportFile => {
    const period = parsePeriod(request.period, now());
    return {
      fileName: reportFileName(period, request.agency, request.format),
      contentType: CONTENT_TYPES[request.format],
      prepare: () => prepareReport({ log: options.log, names: options.names, now: now() }, request),
    };
  };
  return {
    async link(principal, request) {
      if (!REPORT_FORMATS.includes(request.format)) throw new LgspError(ErrorCode.BAD_USER_INPUT, `Unknown report format "${request.format}" (pdf, xlsx, csv)`);
      const period = parsePeriod(request.period, now());
      requireRead(principal, request.agency === null ? null : { agency: request.agency });
      const expiresAtMs = now().getTime() + options.linkTtlMs;
      const grant: ReportGrant = {
        period: period.text,
        agency: request.agency,
        format: request.format,
        environment: request.environment,
        caller: principal.roles.includes(Role.operator) ? '*' : (principal.agencyCode ?? ''),
        expiresAtMs,
      };
      return {
        url: `${base}/reports/${options.signer.sign(grant)}`,
        expiresAt: new Date(expiresAtMs).toISOString(),
        fileName: reportFileName(period, request.agency, request.format),
      };
    },
    download(token) {
      const grant = options.signer.verify(token, now().getTime());
      // The same rule as the query, for the agency the link was made for (a link cannot widen what its caller reads).
      const caller: Principal =
        grant.caller === '*'
          ? { kind: 'user', roles: [Role.operator], scopes: [] }
          : { kind: 'user', agencyCode: grant.caller, roles: [Role.agencyAdmin], scopes: [] };
      requireRead(caller, grant.agency === null ? null : { agency: grant.agency });
      return { ...file({ period: grant.period, agency: grant.agency, format: grant.format, environment: grant.environment }), grant };
    },
    file,
  };
}
