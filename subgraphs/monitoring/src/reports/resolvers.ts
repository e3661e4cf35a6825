/** GraphQL ↔ statistics, reconciliation and reports (plain functions in ../statistics, ../reconciliation and here). */
import { ErrorCode, LgspError, type Environment } from '@lgsp/kit';
import { signedIn } from '../caller.ts';
import { moduleState, type MonitoringContext } from '../module.ts';
import { reconcile } from '../reconciliation/reconcile.ts';
import { defaultAgency, requireRead } from '../statistics/access.ts';
import { parsePeriod } from '../statistics/period.ts';
import { computeStatistics, type StatisticsGroup } from '../statistics/statistics.ts';
import type { ReportsState } from './index.ts';
import type { ReportFormat } from './report-data.ts';
import { recordReport } from './record.ts';

const environmentOf = (value: string | null | undefined): Environment => (value === 'TEST' ? 'test' : 'production');
const ENVIRONMENT_ENUM: Record<Environment, string> = { production: 'PRODUCTION', test: 'TEST' };

export const reportsResolvers = {
  Query: {
    async statistics(
      _: unknown,
      args: { period: string; agency?: string | null; environment?: string | null; groupBy?: StatisticsGroup[] | null },
      ctx: MonitoringContext,
    ) {
      const state = moduleState<ReportsState>(ctx, 'reports');
      const caller = signedIn(ctx.caller);
      const period = parsePeriod(args.period, state.now());
      const agency = args.agency ?? defaultAgency(caller.principal);
      requireRead(caller.principal, agency === null ? null : { agency });
      const result = await computeStatistics(state.log, {
        period,
        agency,
        environment: environmentOf(args.environment),
        groupBy: [...new Set(args.groupBy ?? [])],
      });
      return { ...result, environment: ENVIRONMENT_ENUM[result.environment] };
    },
    async reconciliation(
      _: unknown,
      args: { period: string; provider: string; consumer: string; environment?: string | null; first?: number | null; after?: string | null },
      ctx: MonitoringContext,
    ) {
      const state = moduleState<ReportsState>(ctx, 'reports');
      const caller = signedIn(ctx.caller);
      const period = parsePeriod(args.period, state.now());
      requireRead(caller.principal, { pair: { provider: args.provider, consumer: args.consumer } });
      const result = await reconcile(
        state.log,
        { period, provider: args.provider, consumer: args.consumer, environment: environmentOf(args.environment) },
        { first: args.first ?? 100, after: args.after ?? undefined, now: state.now() },
      );
      return {
        ...result,
        environment: ENVIRONMENT_ENUM[result.environment],
        discrepancies: {
          totalCount: result.totalDiscrepancies,
          nodes: result.discrepancies,
          pageInfo: { hasNextPage: result.next !== null, endCursor: result.next },
        },
      };
    },
    async report(_: unknown, args: { period: string; agency?: string | null; format?: string | null; environment?: string | null }, ctx: MonitoringContext) {
      const state = moduleState<ReportsState>(ctx, 'reports');
      const caller = signedIn(ctx.caller);
      const request = {
        period: args.period,
        agency: args.agency ?? defaultAgency(caller.principal),
        format: (args.format ?? 'PDF').toLowerCase() as ReportFormat,
        environment: environmentOf(args.environment),
      };
      const trace = (outcome: 'success' | 'rejected' | 'denied' | 'error', errorCodes: string[]) =>
        recordReport(state.audit, state.now(), {
          action: 'report-link',
          requestId: ctx.requestId,
          principal: caller.principal,
          agency: caller.agencyCode,
          period: args.period,
          scope: request.agency,
          format: request.format,
          environment: request.environment,
          outcome,
          errorCodes,
        });
      try {
        const link = await state.reports.link(caller.principal, request);
        trace('success', []);
        return link;
      } catch (error) {
        if (error instanceof LgspError) trace(error.code === ErrorCode.FORBIDDEN ? 'denied' : 'rejected', [error.code]);
        throw error;
      }
    },
  },
};
