/**
 * The `reports` module of the monitoring subgraph (issue 17 §3–4): `statistics` (../statistics), `reconciliation`
 * (../reconciliation) and `report` (download links), plus the `/reports/<token>` download route that the gateway
 * proxies. Authorization: ../statistics/authorization.table.ts. Configuration: the monitoring's config.ts
 * (REPORT_LINK_*, REPORT_PUBLIC_URL); agency names from the service (the registry's when REGISTRY_URL is set).
 */
import type { AuditLog, AuditWriter } from '@lgsp/audit';
import type { MonitoringModule } from '../module.ts';
import type { MonitoringConfig } from '../config.ts';
import { isReportsRequest, reportDownloadHandler } from './download-route.ts';
import type { AgencyNames } from './report-data.ts';
import { createReportLinkSigner } from './report-link.ts';
import { recordReport } from './record.ts';
import { createReportService, type ReportService } from './report-service.ts';
import { reportsResolvers } from './resolvers.ts';

/** The monitoring settings this module reads (config.ts). */
export type ReportsConfig = Pick<MonitoringConfig, 'REPORT_LINK_SECRET' | 'REPORT_LINK_SECRET_PREVIOUS' | 'REPORT_LINK_TTL_SECONDS' | 'REPORT_PUBLIC_URL'>;

export interface ReportsState {
  log: AuditLog;
  /** This process's audit writer (record.ts traces the report links issued and downloaded). */
  audit: AuditWriter;
  reports: ReportService;
  now: () => Date;
}

export interface ReportsModuleOptions {
  /** The module's settings instead of the environment's (tests). */
  config?: Partial<ReportsConfig>;
  /** Agency names instead of the registry's (tests). */
  names?: AgencyNames;
}

export function reportsModule(options: ReportsModuleOptions = {}): MonitoringModule<ReportsState> {
  return {
    name: 'reports',
    typeDefsFile: new URL('./schema.graphql', import.meta.url),
    resolvers: reportsResolvers as never,
    async start(deps) {
      const config: ReportsConfig = { ...deps.config, ...options.config };
      if (config.REPORT_LINK_SECRET === undefined)
        deps.logger.warn('REPORT_LINK_SECRET unset: report links are signed with a key of this process and die with it');
      const names = options.names ?? deps.agencyNames;
      const reports = createReportService({
        log: deps.log,
        names,
        signer: createReportLinkSigner(config.REPORT_LINK_SECRET, config.REPORT_LINK_SECRET_PREVIOUS),
        publicUrl: config.REPORT_PUBLIC_URL,
        linkTtlMs: config.REPORT_LINK_TTL_SECONDS * 1000,
        now: deps.now,
      });
      const download = reportDownloadHandler(reports, deps.logger, (grant, requestId, error) =>
        recordReport(deps.audit, deps.now(), {
          action: 'report-download',
          requestId,
          principal: null,
          agency: grant.caller === '*' ? null : grant.caller,
          period: grant.period,
          scope: grant.agency,
          format: grant.format,
          environment: grant.environment,
          outcome: error === null ? 'success' : 'error',
          errorCodes: error === null ? [] : [error.code],
        }),
      );
      return {
        state: { log: deps.log, audit: deps.audit, reports, now: deps.now },
        close: async () => undefined,
        routes: (app) => {
          app.use((req, res, next) => (isReportsRequest(req.url) ? download(req, res) : next()));
        },
      };
    },
  };
}
