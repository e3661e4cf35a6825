/**
 * How the gateway calls a subgraph: over the pooled client, with the internal token (the caller's principal,
 * signed by the gateway) and the request id, counted and timed per subgraph.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ANONYMOUS, ErrorCode, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER, type InternalTokenIssuer, type Logger } from '@lgsp/kit';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { SubgraphTransportError, type SubgraphClient, type SubgraphHttpResponse } from './subgraph-client.ts';

export interface SubgraphCallDeps {
  client: SubgraphClient;
  issuer: InternalTokenIssuer;
  /** Absent for readiness probes, which are not operations and must not move the fetch counters. */
  metrics: GatewayMetrics | undefined;
  logger: Logger;
}

/** A GraphQL request to one subgraph (what a query-plan fetch node sends). */
export interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

/**
 * Sends one GraphQL request to a subgraph and returns its GraphQL response. Failures that leave no GraphQL
 * response (timeout, unreachable, refused token, non-GraphQL answer) are thrown as GraphQLErrors with a stable
 * code, and never carry the subgraph's URL or body to the caller.
 */
export async function callSubgraph(
  deps: SubgraphCallDeps,
  subgraph: { name: string; url: string },
  request: SubgraphRequest,
  context: Pick<GatewayContext, 'requestId' | 'principal' | 'logger'> | undefined,
  timeoutMs?: number,
): Promise<GatewayGraphQLResponse> {
  const token = await deps.issuer.tokenFor(context?.principal ?? ANONYMOUS);
  const headers: Record<string, string> = { [INTERNAL_TOKEN_HEADER]: `Bearer ${token}` };
  if (context !== undefined) headers[REQUEST_ID_HEADER] = context.requestId;
  const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });
  const logger = context?.logger ?? deps.logger;
  const metrics = deps.metrics;
  const endTimer = metrics?.subgraphFetchDuration.startTimer({ subgraph: subgraph.name });
  let response: SubgraphHttpResponse;
  try {
    response = await deps.client.postJson(subgraph.url, body, headers, timeoutMs);
  } catch (error) {
    endTimer?.();
    const transport = error as SubgraphTransportError;
    const code = transport.kind === 'timeout' ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE;
    metrics?.subgraphFetches.inc({ subgraph: subgraph.name, outcome: 'transport_error' });
    metrics?.subgraphErrors.inc({ subgraph: subgraph.name, code });
    logger.warn({ subgraph: subgraph.name, reason: transport.message }, 'subgraph fetch failed');
    throw new GraphQLError(transport.kind === 'timeout' ? `Subgraph "${subgraph.name}" did not answer in time` : `Subgraph "${subgraph.name}" is unreachable`, {
      extensions: { code },
    });
  }
  endTimer?.();
  const result = graphQLResponseOf(response);
  if (result === undefined) {
    const refused = response.status === 401 || response.status === 403;
    const code = refused ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.UPSTREAM_UNAVAILABLE;
    metrics?.subgraphFetches.inc({ subgraph: subgraph.name, outcome: 'transport_error' });
    metrics?.subgraphErrors.inc({ subgraph: subgraph.name, code });
    if (refused)
      logger.error(
        { subgraph: subgraph.name, status: response.status },
        'subgraph refused the internal token: check GATEWAY_JWKS_URL / GATEWAY_SIGNING_KEY_FILE',
      );
    else logger.warn({ subgraph: subgraph.name, status: response.status }, 'subgraph answered without a GraphQL response');
    throw new GraphQLError(
      refused
        ? `Subgraph "${subgraph.name}" refused the gateway's credentials`
        : `Subgraph "${subgraph.name}" answered HTTP ${response.status} without a GraphQL response`,
      { extensions: { code } },
    );
  }
  const errors = result.errors ?? [];
  metrics?.subgraphFetches.inc({ subgraph: subgraph.name, outcome: errors.length > 0 ? 'graphql_error' : 'success' });
  for (const error of errors) {
    const code = error.extensions?.code;
    metrics?.subgraphErrors.inc({ subgraph: subgraph.name, code: typeof code === 'string' ? code : 'UNKNOWN' });
  }
  return result;
}

/** A 2xx JSON object, or a 4xx `application/graphql-response+json`/JSON body with `errors` (request errors). */
function graphQLResponseOf(response: SubgraphHttpResponse): GatewayGraphQLResponse | undefined {
  const { status, contentType } = response;
  if (contentType === undefined || !/^application\/(graphql-response\+)?json/i.test(contentType)) return undefined;
  if (status === 401 || status === 403 || status >= 500) return undefined;
  if (status >= 300 && status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const result = parsed as GatewayGraphQLResponse;
  if (status >= 400 && !Array.isArray(result.errors)) return undefined;
  return result;
}

/** Apollo Gateway's view of one subgraph. */
export class PooledSubgraphDataSource implements GraphQLDataSource<GatewayContext & Record<string, unknown>> {
  constructor(
    readonly name: string,
    readonly url: string,
    private readonly deps: SubgraphCallDeps,
  ) {}

  process(options: GraphQLDataSourceProcessOptions<GatewayContext & Record<string, unknown>>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    if (request.query === undefined) throw new Error('subgraph request without a query');
    // Health checks and schema loading (kind !== 'incoming operation') carry no operation context.
    const context = 'incomingRequestContext' in options ? options.incomingRequestContext.context : undefined;
    return callSubgraph(
      this.deps,
      { name: this.name, url: this.url },
      { query: request.query, variables: request.variables, operationName: request.operationName },
      context,
    );
  }
}
