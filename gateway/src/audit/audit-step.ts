/**
 * The pipeline's audit step (issue 17 §1; R2's personal-data rule, R8): one `graphql` audit record per operation, on
 * both transports, whatever became of it — answered, refused by parse, limits or validation, by authorization, by a
 * quota, or (HTTP) before GraphQL by the HTTP layer or authentication. What a record holds:
 *
 * - who: `agency`, `system` (agency systems) or `user` (civil servants: their login; citizens: their account's
 *   subject, never a login a broker may have made of the personal ID) from the principal, and the declared
 *   `purpose` (a citizen's default: `self-access`); the request id (the one every subgraph receives, so a provider's `served` record matches it);
 * - what: operation name and type, `documentHash` (SHA-256 of the query text, Apollo's query hash), the `fields` the
 *   operation was allowed to select (the operation as authorization let it through to planning: in filter mode the
 *   rewritten one; nothing when authorization refused all of it), the `personalFields` among them
 *   (operation-analysis.ts), the services (subgraphs) the plan touches and their provider agencies;
 * - whose data: the `subjects` named in arguments (asked for), found in the response (read), and the caller's own
 *   for the self-access fields (`myCitizenRecord`, `myEnterprise`), subjects.ts;
 * - how it ended: outcome as the operation log line has it, `denied` for a refusal by authorization, quota or
 *   authentication, the error codes, duration, bytes in and out.
 *
 * Off the critical path: over HTTP the record is built when the response has been sent (`finish`), over graphql-ws
 * on the next turn of the event loop, and `AuditWriter.write` only queues.
 *
 * A subscription gets one record, when it is subscribed (or refused): what it was allowed to select, for which
 * purpose, the subjects of its arguments. Its events are not recorded one by one: no subscription of the supergraph
 * selects a personal-data field set today, and `graphql` records count as requests in the statistics. (If one ever
 * does, events with subjects need a record of their own that statistics do not count as a request.)
 */
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { AuditEntryInput, AuditOutcome, AuditWriter } from '@lgsp/audit';
import { environmentOf, ErrorCode, type Logger, type Principal } from '@lgsp/kit';
import type { FieldSet } from '@lgsp/access';
import type { RequestHandler } from 'express';
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { compileAuthorization } from '../authorization/metadata.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import { operationRecordOf, type OperationRecord } from '../observability/operations.ts';
import type { ExecutorStage, PipelineStep } from '../pipeline/request-pipeline.ts';
import type { TouchedServices } from '../quotas/touched-services.ts';
import { analyseOperation, type OperationAnalysis } from './operation-analysis.ts';
import { CALLER_SUBJECT_FIELDS, SubjectCollector } from './subjects.ts';
import { isSelfAccessCaller } from '../authorization/self-access.ts';

/** The component name on gateway records. */
export const AUDIT_SOURCE = 'gateway';

/** Error codes that mean "refused by a rule" (authorization, quota, authentication): outcome `denied`. */
export const DENIAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE,
  ErrorCode.PURPOSE_REQUIRED,
  ErrorCode.RATE_LIMITED,
  ErrorCode.FORBIDDEN,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.CREDENTIAL_REVOKED,
]);

const ANALYSIS_CACHE_SIZE = 1_000;
/** Most coordinates one record lists (a record stays under the log's 64 KiB per entry); beyond: `details.fieldsTruncated`. */
export const MAX_FIELDS = 400;
/** Most error codes one record lists (the log takes 100). */
const MAX_ERROR_CODES = 50;

export interface GatewayAuditorOptions {
  writer: AuditWriter;
  /** The supergraph being served (its original document carries the policies). */
  supergraph: () => LoadedSupergraph;
  /** Field sets as GRANTS_FILE declares them: which policies are personal data, and their provider agency. */
  fieldSets: readonly FieldSet[];
  /** GATEWAY_AUDIT_PROVIDERS: subgraph → provider agency, for subgraphs whose field sets name none. */
  providers: Readonly<Record<string, string>>;
  services: TouchedServices;
  logger: Logger;
}

/** What the step knows of one operation while it runs (keyed by the request's OperationRecord, shared with HTTP). */
interface AuditState {
  started: bigint;
  at: string;
  transport: 'http' | 'ws';
  principal?: Principal;
  requestId?: string;
  /** Set by the executor stage: what authorization let through to planning. */
  allowed?: { document: DocumentNode; operationName: string | null | undefined; queryHash: string; schema: GraphQLSchema };
  /** Set at willSendResponse. */
  answered?: {
    request: GraphQLRequest;
    document: DocumentNode | undefined;
    schema: GraphQLSchema;
    queryHash: string | undefined;
    operationName: string | null | undefined;
    operationType: 'query' | 'mutation' | 'subscription' | undefined;
    result: FormattedExecutionResult | undefined;
  };
}

export class GatewayAuditor {
  private readonly states = new WeakMap<OperationRecord, AuditState>();
  private readonly fieldSets: ReadonlyMap<string, FieldSet>;
  private cache: { supergraph: LoadedSupergraph; schema: GraphQLSchema; analyses: Map<string, OperationAnalysis> } | undefined;

  constructor(private readonly options: GatewayAuditorOptions) {
    this.fieldSets = new Map(options.fieldSets.map((f) => [f.policy, f]));
  }

  /** The pipeline step: place it right after authorization (it records what authorization let through). */
  step(): PipelineStep {
    return { name: 'audit', plugin: this.plugin(), executorStage: this.stage() };
  }

  /** Express middleware for the GraphQL endpoint, before authentication: records every HTTP request once sent. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const record = operationRecordOf(res.locals);
      const state: AuditState = { started: process.hrtime.bigint(), at: new Date().toISOString(), transport: 'http' };
      this.states.set(record, state);
      // Once, when the response is sent, or when the connection closed before it was (the client went away: the
      // operation may still have read data, so it is recorded, with `details.aborted`).
      let written = false;
      const write = (aborted: boolean) => {
        if (written) return;
        written = true;
        const contentType = String(res.getHeader('content-type') ?? '');
        if (req.method === 'OPTIONS' || contentType.startsWith('text/html')) return; // landing page, CORS preflight
        try {
          const bytesIn = Number(req.headers['content-length'] ?? (req.method === 'GET' ? (req.url?.length ?? 0) : 0));
          const bytesOut = aborted ? Number.NaN : Number(res.getHeader('content-length') ?? 0);
          const entry = this.entryOf(state, record, {
            principal: state.principal ?? (res.locals.principal as Principal | undefined),
            requestId: (res.locals.requestId as string | undefined) ?? null,
            bytesIn: Number.isFinite(bytesIn) ? bytesIn : null,
            bytesOut: Number.isFinite(bytesOut) ? bytesOut : null,
            httpStatus: aborted ? undefined : res.statusCode,
          });
          if (aborted) {
            entry.details.aborted = true;
            // Not answered yet: whatever the executor still reads, the caller received nothing.
            if (state.answered === undefined) entry.outcome = 'error';
          }
          this.options.writer.write(entry);
        } catch (error) {
          this.options.logger.error(
            { err: error, requestId: res.locals.requestId },
            'audit record could not be built: an operation is missing from the audit log',
          );
        }
      };
      res.on('finish', () => write(false));
      res.on('close', () => write(!res.writableFinished));
      next();
    };
  }

  private stage(): ExecutorStage {
    return (executor) => async (requestContext) => {
      const state = this.states.get((requestContext.context as GatewayContext).operation);
      if (state !== undefined) {
        state.allowed = {
          document: requestContext.document,
          operationName: requestContext.request.operationName ?? requestContext.operationName,
          queryHash: requestContext.queryHash,
          schema: requestContext.schema,
        };
      }
      return executor(requestContext);
    };
  }

  private plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        let state = this.states.get(contextValue.operation);
        if (state === undefined) {
          // graphql-ws: no HTTP middleware before it (its context carries a stream).
          state = { started: process.hrtime.bigint(), at: new Date().toISOString(), transport: contextValue.stream === undefined ? 'http' : 'ws' };
          this.states.set(contextValue.operation, state);
        }
        const current = state;
        return {
          willSendResponse: async ({ contextValue: context, request, document, schema, queryHash, operationName, operation, response }) => {
            current.principal = context.principal;
            current.requestId = context.requestId;
            current.answered = {
              request,
              document,
              schema,
              queryHash,
              operationName,
              operationType: operation?.operation,
              result: response.body.kind === 'single' ? response.body.singleResult : undefined,
            };
            if (current.transport === 'ws') setImmediate(() => this.writeWs(current, context));
          },
        };
      },
    };
  }

  private writeWs(state: AuditState, context: GatewayContext): void {
    try {
      const { request, result } = state.answered!;
      const bytesIn = Buffer.byteLength(JSON.stringify({ query: request.query, operationName: request.operationName, variables: request.variables }));
      const bytesOut = result === undefined ? null : Buffer.byteLength(JSON.stringify(result));
      this.options.writer.write(
        this.entryOf(state, context.operation, { principal: context.principal, requestId: context.requestId, bytesIn, bytesOut, httpStatus: undefined }),
      );
    } catch (error) {
      this.options.logger.error({ err: error, requestId: context.requestId }, 'audit record could not be built: an operation is missing from the audit log');
    }
  }

  /** The record of one operation, from what the pipeline saw of it. */
  private entryOf(
    state: AuditState,
    record: OperationRecord,
    seen: { principal: Principal | undefined; requestId: string | null; bytesIn: number | null; bytesOut: number | null; httpStatus: number | undefined },
  ): AuditEntryInput {
    const principal = seen.principal;
    const answered = state.answered;
    const result = answered?.result;
    const errorCodes = result === undefined ? [...record.errorCodes] : [...new Set((result.errors ?? []).map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
    const subjects = new SubjectCollector();
    let fields: string[] = [];
    let personalFields: string[] = [];
    let services: readonly string[] = [];
    let providers: string[] = [];
    const allowed = state.allowed;
    if (allowed !== undefined) {
      const analysis = this.analysis(allowed.schema, allowed.document, allowed.operationName, allowed.queryHash);
      fields = analysis.fields;
      personalFields = analysis.personalFields;
      services = this.options.services.of(allowed.document, allowed.operationName ?? undefined, allowed.queryHash);
      providers = this.providersOf(services, analysis);
      for (const { kind, value } of analysis.argumentSubjects) subjects.fromArgument(kind, value, answered?.request.variables);
      for (const rule of CALLER_SUBJECT_FIELDS) if (analysis.fields.includes(rule.coordinate)) subjects.add(rule.kind, principal?.[rule.principalField]);
      if (analysis.responsePlan !== undefined && result?.data !== undefined && result.data !== null) subjects.fromResponse(analysis.responsePlan, result.data);
    } else if (answered?.document !== undefined && answered.queryHash !== undefined) {
      // Refused before planning: what it asked for is not recorded as read, but whom it asked about is.
      const analysis = this.analysis(answered.schema, answered.document, answered.operationName, answered.queryHash);
      for (const { kind, value } of analysis.argumentSubjects) subjects.fromArgument(kind, value, answered.request.variables);
    }
    const outcome = outcomeOf(result, errorCodes, allowed !== undefined, seen.httpStatus, record);
    const details: AuditEntryInput['details'] = { transport: state.transport };
    if (services.length > 1) details.services = services.join(',');
    if (providers.length > 1) details.providers = providers.join(',');
    if (seen.httpStatus !== undefined) details.httpStatus = seen.httpStatus;
    if (subjects.truncated) details.subjectsTruncated = true;
    if (fields.length > MAX_FIELDS) {
      details.fieldsTruncated = fields.length;
      fields = fields.slice(0, MAX_FIELDS);
      personalFields = personalFields.filter((f) => fields.includes(f));
    }
    const durationMs = Math.round(Number(process.hrtime.bigint() - state.started) / 1e3) / 1e3;
    return {
      kind: 'graphql',
      at: state.at,
      requestId: seen.requestId,
      source: AUDIT_SOURCE,
      environment: principal === undefined ? 'production' : environmentOf(principal),
      agency: principal?.agencyCode ?? null,
      system: principal?.kind === 'system' ? (principal.systemId ?? principal.clientId ?? null) : null,
      user: userOf(principal),
      purpose: principal?.purpose ?? null,
      action: answered?.operationName ?? record.name ?? null,
      operationType: answered?.operationType ?? operationTypeOf(record.type),
      documentHash: answered?.queryHash ?? null,
      fields,
      personalFields,
      counterpartAgency: providers[0] ?? null,
      service: services[0] ?? null,
      entityId: null,
      outcome,
      errorCodes: errorCodes.slice(0, MAX_ERROR_CODES),
      durationMs,
      bytesIn: seen.bytesIn,
      bytesOut: seen.bytesOut,
      details,
      subjects: subjects.subjects(),
    };
  }

  /** Provider agencies of the services touched, in the plan's order: field sets' providers first, then the config. */
  private providersOf(services: readonly string[], analysis: OperationAnalysis): string[] {
    const providers: string[] = [];
    const add = (agency: string | undefined) => {
      if (agency !== undefined && !providers.includes(agency)) providers.push(agency);
    };
    for (const service of services) {
      const declared = analysis.fieldSetProviders.get(service);
      if (declared !== undefined && declared.length > 0) declared.forEach(add);
      else add(this.options.providers[service]);
    }
    return providers;
  }

  private analysis(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, queryHash: string): OperationAnalysis {
    const supergraph = this.options.supergraph();
    if (this.cache?.supergraph !== supergraph || this.cache.schema !== schema) this.cache = { supergraph, schema, analyses: new Map() };
    const key = `${queryHash}\u0000${operationName ?? ''}`;
    let analysis = this.cache.analyses.get(key);
    if (analysis === undefined) {
      analysis = analyseOperation({ schema, authz: compileAuthorization(supergraph.document), fieldSets: this.fieldSets }, document, operationName);
      if (this.cache.analyses.size >= ANALYSIS_CACHE_SIZE) this.cache.analyses.delete(this.cache.analyses.keys().next().value!);
      this.cache.analyses.set(key, analysis);
    }
    return analysis;
  }
}

/**
 * The operation log line's outcome (observability/operations.ts), with `denied` for a refusal by a rule: an operation
 * refused with a denial code, or one authorization left nothing of (it never reached planning).
 */
function outcomeOf(
  result: FormattedExecutionResult | undefined,
  errorCodes: readonly string[],
  planned: boolean,
  httpStatus: number | undefined,
  record: OperationRecord,
): AuditOutcome {
  const denial = errorCodes.some((c) => DENIAL_CODES.has(c));
  if (result === undefined) {
    // Refused by the HTTP layer or authentication, before GraphQL.
    if (httpStatus === 401 || httpStatus === 403) return 'denied';
    return record.outcome ?? (httpStatus !== undefined && httpStatus >= 400 ? 'rejected' : 'success');
  }
  const errors = result.errors ?? [];
  if (!('data' in result) || result.data === undefined) return errors.length === 0 ? 'success' : denial ? 'denied' : 'rejected';
  if (errors.length === 0) return 'success';
  if (!planned && denial) return 'denied';
  return result.data === null ? 'error' : 'partial';
}

/**
 * The acting person: a civil servant's login (`preferred_username`, else the subject); a citizen's account subject
 * (`sub`), since the login of an account brokered from VDXP may be made of the personal ID, which never goes to the
 * audit in clear (it is a subject, hashed). national-data's `served` records name a citizen the same way.
 */
export function userOf(principal: Principal | undefined): string | null {
  if (principal?.kind !== 'user') return null;
  if (isSelfAccessCaller(principal)) return principal.userId ?? null;
  return principal.username ?? principal.userId ?? null;
}

function operationTypeOf(type: string | undefined): AuditEntryInput['operationType'] {
  return type === 'query' || type === 'mutation' || type === 'subscription' ? type : null;
}
