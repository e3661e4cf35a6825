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
 * Why a wrapper around the executor and not a plugin replacing `requestContext.document`: Apollo Gateway caches
 * query plans by `queryHash` of the source text, so the rewritten operation must be planned under its own hash; the
 * executor wrapper passes both, completes the response against the caller's operation, and can skip planning.
 */
import { HeaderMap } from '@apollo/server';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { ErrorCode } from '@lgsp/kit';
import { GraphQLError, print, type GraphQLSchema } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../context.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import { MEDIA_TYPE, responseMediaType } from '../http/graphql-over-http.ts';
import { compileAuthorization } from './metadata.ts';
import type { PolicyDecider } from './policies.ts';
import { completeData } from './response.ts';
import { authorizeOperation, type Denial } from './rewrite.ts';

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

/** The GraphQL error for one removal. */
export function denialError(denial: Denial): GraphQLError {
  return new GraphQLError(MESSAGES[denial.code], { path: denial.path, extensions: { code: denial.code, missing: denial.missing } });
}

/** A gateway (Apollo's, or the native executor's) with authorization in front of its executor. */
export function authorizingGateway(inner: GatewayInterface, options: AuthorizationOptions): GatewayInterface {
  let apiSchema: GraphQLSchema | undefined;
  inner.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
  });
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
    async load(loadOptions) {
      const loaded = await inner.load(loadOptions);
      const executor = loaded.executor;
      if (executor === null) throw new Error('the gateway loaded without an executor');
      return { executor: authorizingExecutor(executor, options, () => apiSchema) };
    },
  };
}

function authorizingExecutor(executor: GatewayExecutor, options: AuthorizationOptions, apiSchema: () => GraphQLSchema | undefined): GatewayExecutor {
  return async (requestContext) => {
    const context = requestContext.context as GatewayContext;
    const principal = context.principal;
    const authz = compileAuthorization(options.supergraph().document);
    const access = await options.decider.accessFor(principal);
    const operationName = requestContext.request.operationName ?? requestContext.operationName;
    const result = authorizeOperation(authz, requestContext.document, operationName, access);

    const rowConditions = access.rowConditionsFor(result.policiesUsed);
    if (rowConditions !== undefined) context.principal = { ...principal, rowConditions };

    if (result.denials.length === 0) return executor(requestContext);
    const decisions = result.denials.map((d) => ({ path: d.path, code: d.code, missing: d.missing }));
    context.logger.info({ mode: options.mode, denied: decisions, agency: principal.agencyCode }, 'authorization removed fields');

    if (options.mode === 'dry-run') {
      const response = await executor(requestContext);
      return { ...response, extensions: { ...response.extensions, authorization: { mode: 'dry-run', denied: decisions } } };
    }
    const errors = result.denials.map(denialError);
    if (options.mode === 'reject') {
      // Apollo Server takes the status of a response without data from the errors' `extensions.http`.
      const accept = requestContext.request.http?.headers.get('accept') ?? undefined;
      const status = responseMediaType(accept) === MEDIA_TYPE.GRAPHQL_RESPONSE_JSON ? 403 : 200;
      return {
        errors: result.denials.map(
          (d) => new GraphQLError(MESSAGES[d.code], { path: d.path, extensions: { code: d.code, missing: d.missing, http: { status, headers: new HeaderMap() } } }),
        ),
      };
    }

    const schema = apiSchema() ?? authz.schema;
    const variables = requestContext.request.variables;
    if (result.empty) {
      return { data: completeData(schema, requestContext.document, operationName, variables, {}), errors };
    }
    const rewrittenOperation = result.document.definitions[0];
    const queryHash = createHash('sha256').update(requestContext.queryHash).update('\0authorized\0').update(print(result.document)).digest('hex');
    const response = await executor({
      ...requestContext,
      document: result.document,
      queryHash,
      operation: rewrittenOperation as typeof requestContext.operation,
    });
    if (response.data === undefined || response.data === null) {
      return { ...response, errors: [...errors, ...(response.errors ?? [])] };
    }
    return {
      ...response,
      data: completeData(schema, requestContext.document, operationName, variables, response.data),
      errors: [...errors, ...(response.errors ?? [])],
    };
  };
}
