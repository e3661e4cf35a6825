/**
 * Field-level authorization in front of Apollo Gateway's executor, i.e. before query planning: the operation is
 * rewritten for the caller (rewrite.ts) and only what remains is planned and sent to subgraphs. Modes
 * (`AUTHORIZATION_MODE`):
 * - `filter`: removed fields are null (with null bubbling) and each removal is an error at its path with
 *   `extensions.code` UNAUTHORIZED_FIELD_OR_TYPE or PURPOSE_REQUIRED; when nothing is left, nothing is planned.
 * - `reject`: any removal refuses the whole operation: no data, one error per path, nothing sent to subgraphs;
 *   HTTP 403 for `application/graphql-response+json` (a request that was not executed), 200 for legacy
 *   `application/json` as GraphQL over HTTP asks.
 * - `dry-run`: nothing removed; the decisions are reported in `extensions.authorization` and logged.
 *
 * Subscriptions (over graphql-ws) go through the same step: the rewritten operation is what the stream plans, and
 * `context.authorized` tells the stream how to complete each event, with the same completion a response gets.
 *
 * Why an executor stage and not a plugin replacing `requestContext.document`: Apollo Gateway caches query plans by
 * `queryHash` of the source text, so the rewritten operation must be planned under its own hash; the stage passes
 * both, completes the response against the caller's operation, and can skip planning.
 */
import { HeaderMap } from '@apollo/server';
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { ErrorCode, type Principal } from '@lgsp/kit';
import { GraphQLError, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { ExecutorStage } from '../pipeline/request-pipeline.ts';
import { MEDIA_TYPE, responseMediaType } from '../http/graphql-over-http.ts';
import { compileAuthorization } from './metadata.ts';
import type { PolicyDecider } from './policies.ts';
import { completeData } from './response.ts';
import { authorizeOperation, type Denial, type RewriteResult } from './rewrite.ts';
import { isSelfAccessCaller, SELF_ACCESS_DENIAL_MESSAGE, withSelfAccessPurpose } from './self-access.ts';

export type AuthorizationMode = 'filter' | 'reject' | 'dry-run';

export interface AuthorizationOptions {
  mode: AuthorizationMode;
  /** The supergraph being served (its original document carries the directives). */
  supergraph: () => LoadedSupergraph;
  decider: PolicyDecider;
}

const MESSAGES: Record<Denial['code'], string> = {
  [ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE]: 'Unauthorized field or type',
  [ErrorCode.PURPOSE_REQUIRED]: 'Personal data: declare the purpose of use in the X-LGSP-Purpose header',
};

/** The message of a removal: a citizen is told where their own record is (a citizen holds only self-access). */
function denialMessage(denial: Denial, principal: Principal | undefined): string {
  return principal !== undefined && isSelfAccessCaller(principal) ? SELF_ACCESS_DENIAL_MESSAGE : MESSAGES[denial.code];
}

/** The GraphQL error for one removal (`principal`: who it is for, which chooses the message). */
export function denialError(denial: Denial, principal?: Principal): GraphQLError {
  return new GraphQLError(denialMessage(denial, principal), { path: denial.path, extensions: { code: denial.code, missing: denial.missing } });
}

/** A caller's authorization of one operation: the rewrite, and the principal with the row conditions it carries. */
export interface CallerAuthorization {
  result: RewriteResult;
  principal: Principal;
}

/**
 * Decides what `principal` may see of `document` (the executor stage and subscription re-checks ask the same). The
 * principal answered carries the row conditions of the grants used, and a citizen's default purpose (`self-access`).
 */
export async function authorizeFor(
  options: Pick<AuthorizationOptions, 'supergraph' | 'decider'>,
  caller: Principal,
  document: DocumentNode,
  operationName: string | null | undefined,
): Promise<CallerAuthorization> {
  const principal = withSelfAccessPurpose(caller);
  const authz = compileAuthorization(options.supergraph().document);
  const access = await options.decider.accessFor(principal);
  const result = authorizeOperation(authz, document, operationName, access);
  const rowConditions = access.rowConditionsFor(result.policiesUsed);
  return { result, principal: rowConditions === undefined ? principal : { ...principal, rowConditions } };
}

/**
 * How an answer is completed for the caller under `mode` when authorization removed or reported fields: one response
 * to a query or mutation, or each event of a subscription. filter: denied fields null (with null bubbling) and one
 * error per denial; dry-run: the decisions in `extensions.authorization`.
 */
export function callerCompletion(
  mode: Exclude<AuthorizationMode, 'reject'>,
  denials: readonly Denial[],
  operation: { schema: GraphQLSchema; document: DocumentNode; operationName: string | null | undefined; variables: Record<string, unknown> | undefined },
  principal?: Principal,
): <T extends GatewayExecutionResult>(result: T) => T {
  const decisions = denials.map((d) => ({ path: d.path, code: d.code, missing: d.missing }));
  if (mode === 'dry-run') return (result) => ({ ...result, extensions: { ...result.extensions, authorization: { mode: 'dry-run', denied: decisions } } });
  const errors = denials.map((d) => denialError(d, principal));
  return (result) => {
    const merged = [...errors, ...(result.errors ?? [])];
    if (result.data === undefined || result.data === null) return { ...result, errors: merged };
    const data = completeData(operation.schema, operation.document, operation.operationName, operation.variables, result.data as Record<string, unknown>);
    return { ...result, data, errors: merged };
  };
}

/** The pipeline's authorization step: in front of planning, so only what remains is planned and fetched. */
export function authorizationStage(options: AuthorizationOptions): ExecutorStage {
  return (executor) => async (requestContext) => {
    const context = requestContext.context as GatewayContext;
    const operationName = requestContext.request.operationName ?? requestContext.operationName;
    const { result, principal } = await authorizeFor(options, context.principal, requestContext.document, operationName);
    context.principal = principal;
    if (result.denials.length === 0) return executor(requestContext);
    const decisions = result.denials.map((d) => ({ path: d.path, code: d.code, missing: d.missing }));
    const subscription = requestContext.operation?.operation === 'subscription';
    context.logger.info({ mode: options.mode, denied: decisions, agency: principal.agencyCode, subscription }, 'authorization removed fields');

    if (options.mode === 'reject') {
      // Apollo Server takes the status of a response without data from the errors' `extensions.http`.
      const accept = requestContext.request.http?.headers.get('accept') ?? undefined;
      const status = responseMediaType(accept) === MEDIA_TYPE.GRAPHQL_RESPONSE_JSON ? 403 : 200;
      return {
        errors: result.denials.map(
          (d) =>
            new GraphQLError(denialMessage(d, principal), {
              path: d.path,
              extensions: { code: d.code, missing: d.missing, http: { status, headers: new HeaderMap() } },
            }),
        ),
      };
    }
    const variables = requestContext.request.variables;
    const complete = callerCompletion(
      options.mode,
      result.denials,
      { schema: requestContext.schema, document: requestContext.document, operationName, variables },
      principal,
    );
    if (options.mode === 'dry-run') {
      if (subscription) {
        context.authorized = { callerDocument: requestContext.document, decisions: result.denials, complete };
        return executor(requestContext);
      }
      return complete(await executor(requestContext));
    }
    if (result.empty) {
      // Nothing left to subscribe to: there would never be an event to carry the errors.
      if (subscription) return { errors: result.denials.map((d) => denialError(d, principal)) };
      return complete({ data: {} });
    }
    const rewrittenOperation = result.document.definitions[0];
    const queryHash = createHash('sha256').update(requestContext.queryHash).update('\0authorized\0').update(print(result.document)).digest('hex');
    const rewritten = { ...requestContext, document: result.document, queryHash, operation: rewrittenOperation as typeof requestContext.operation };
    if (subscription) {
      context.authorized = { callerDocument: requestContext.document, decisions: result.denials, complete };
      return executor(rewritten);
    }
    return complete(await executor(rewritten));
  };
}
