/** GraphQL ↔ the audit queries (queries.ts). */
import type { AuditKind, AuditOutcome, AuditRecord, SubjectKind } from '@lgsp/audit';
import { moduleState, type MonitoringContext } from '../module.ts';
import { signedIn } from '../caller.ts';
import type { ChainStatus } from './chain-verifier.ts';
import { isViewerRecord, type AuditFilter, type AuditPageResult, type AuditQueries } from './queries.ts';

const lower = <T extends string>(value: string | null | undefined): T | undefined =>
  value === null || value === undefined ? undefined : (value.toLowerCase() as T);
const SUBJECT_KINDS: Record<string, SubjectKind> = { PERSONAL_ID: 'personal-id', ENTERPRISE_CODE: 'enterprise-code' };

function connection(page: AuditPageResult) {
  return {
    // No cursor per record: a page read across slices knows where each slice stopped only at its end.
    nodes: page.records,
    pageInfo: { hasNextPage: page.endCursor !== null, endCursor: page.endCursor },
  };
}

interface FilterInput {
  from: string;
  to: string;
  agency?: string | null;
  counterpartAgency?: string | null;
  purpose?: string | null;
  outcome?: string | null;
  kind?: string | null;
  requestId?: string | null;
}

const orUndefined = (v: string | null | undefined) => (v === null || v === undefined ? undefined : v);

export const auditResolvers = {
  Query: {
    personalDataAccesses(
      _: unknown,
      args: { subject: string; subjectKind: string; from: string; to: string; first: number; after?: string | null },
      ctx: MonitoringContext,
    ) {
      const queries = moduleState<AuditQueries>(ctx, 'audit');
      return queries
        .personalDataAccesses(
          signedIn(ctx.caller),
          { subject: args.subject, subjectKind: SUBJECT_KINDS[args.subjectKind]!, from: args.from, to: args.to, first: args.first, after: args.after },
          ctx.requestId,
        )
        .then(connection);
    },
    myDataAccesses(_: unknown, args: { from: string; to: string; first: number; after?: string | null }, ctx: MonitoringContext) {
      const queries = moduleState<AuditQueries>(ctx, 'audit');
      return queries
        .myDataAccesses(signedIn(ctx.caller), { from: args.from, to: args.to, first: args.first, after: args.after }, ctx.requestId)
        .then(connection);
    },
    auditChainStatus(_: unknown, __: unknown, ctx: MonitoringContext) {
      return moduleState<AuditQueries>(ctx, 'audit').auditChainStatus(signedIn(ctx.caller));
    },
    auditRecords(_: unknown, args: { filter: FilterInput; first: number; after?: string | null }, ctx: MonitoringContext) {
      const queries = moduleState<AuditQueries>(ctx, 'audit');
      const f = args.filter;
      const filter: AuditFilter = {
        from: f.from,
        to: f.to,
        agency: orUndefined(f.agency),
        counterpartAgency: orUndefined(f.counterpartAgency),
        purpose: orUndefined(f.purpose),
        outcome: lower<AuditOutcome>(f.outcome),
        kind: lower<AuditKind>(f.kind),
        requestId: orUndefined(f.requestId),
      };
      return queries.auditRecords(signedIn(ctx.caller), { filter, first: args.first, after: args.after }, ctx.requestId).then(connection);
    },
  },
  AuditRecord: {
    kind: (r: AuditRecord) => r.kind.toUpperCase(),
    outcome: (r: AuditRecord) => r.outcome.toUpperCase(),
    agencyCode: (r: AuditRecord) => r.agency,
    agency: (r: AuditRecord) => (r.agency === null ? null : { code: r.agency }),
    operation: (r: AuditRecord) => r.action,
    subjectHashes: (r: AuditRecord) => r.subjects,
    counterpartAgencyCode: (r: AuditRecord) => r.counterpartAgency,
    counterpart: (r: AuditRecord) => (r.counterpartAgency === null ? null : { code: r.counterpartAgency }),
    agencyName: (r: AuditRecord, _: unknown, ctx: MonitoringContext) => moduleState<AuditQueries>(ctx, 'audit').agencyName(r.agency),
    counterpartName: (r: AuditRecord, _: unknown, ctx: MonitoringContext) => moduleState<AuditQueries>(ctx, 'audit').agencyName(r.counterpartAgency),
    byViewer: (r: AuditRecord, _: unknown, ctx: MonitoringContext) => isViewerRecord(r, ctx.caller),
  },
  AuditChainStatus: {
    verified: (s: ChainStatus) => s.ok,
    lastFullVerificationAt: (s: ChainStatus) => s.lastFullAt,
    verifiedRecords: (s: ChainStatus) => s.checkedRecords,
    lastRunFull: (s: ChainStatus) => s.full,
  },
  AuditChainProblem: {
    kind: (p: ChainStatus['firstProblem'] & object) => p.reason,
  },
};
