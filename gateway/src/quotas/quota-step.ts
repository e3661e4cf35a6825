/**
 * The pipeline's quota step (Issue 16 "Quotas"): after authorization, before planning and execution, on both
 * transports. For each service the (authorized) operation touches where the caller agency's grants set a quota,
 * one request is counted; when any of those quotas is used up the operation is refused, nothing is sent to any
 * subgraph, and the caller gets:
 *
 * - over HTTP: status 429 (whatever the response media type: it is the HTTP layer's answer to "too many requests",
 *   which clients and intermediaries understand), `Retry-After`, `RateLimit-Policy` and `RateLimit` (headers.ts),
 *   and one error per used-up quota with `extensions.code` RATE_LIMITED, the `service`, its `quota` and
 *   `retryAfterSeconds`;
 * - over graphql-ws: the same errors in an `error` message (a subscription counts once, when it is subscribed).
 *
 * Answers within the quota carry `RateLimit-Policy` and `RateLimit` too (HTTP). Counting a refused request still
 * uses the window (as the limiter counts every attempt), so a caller that keeps retrying early stays refused until
 * the window ends; `Retry-After` tells it when. Refusals are the caller's business: no error-level log line, a
 * metric per agency instead.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { Counter, environmentOf, ErrorCode, type RedisClient, type Registry } from '@lgsp/kit';
import { GraphQLError } from 'graphql';
import type { GrantStore } from '@lgsp/access';
import type { GatewayContext } from '../context.ts';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { ExecutorStage, PipelineStep } from '../pipeline/request-pipeline.ts';
import { quotaKeys } from '../redis-keys.ts';
import type { QuotasConfig } from './config.ts';
import { createQuotaCounter, type QuotaCounter } from './counter.ts';
import { rateLimitHeaders, secondsUntil, type CountedQuota } from './headers.ts';
import { QuotaBook } from './quota-book.ts';
import { TouchedServices } from './touched-services.ts';

/** `lgsp_gateway_quota_requests_total{agency, service, outcome}`: outcome `allowed` or `limited`. */
export type QuotaMetric = Counter<'agency' | 'service' | 'outcome'>;

/** The gateway's quota counter metric, on `registry`. */
export function createQuotaMetric(registry: Registry): QuotaMetric {
  return new Counter({
    name: 'lgsp_gateway_quota_requests_total',
    help: 'Operations counted against an agency quota, by consumer agency, service and outcome (allowed, limited: refused with 429 RATE_LIMITED)',
    labelNames: ['agency', 'service', 'outcome'] as const,
    registers: [registry],
  });
}

/** What the quota step needs at run time. */
export interface QuotaStepOptions {
  book: QuotaBook;
  counter: QuotaCounter;
  services: TouchedServices;
  metric: QuotaMetric;
  /** Names the counters (redis-keys.ts). */
  keys: ReturnType<typeof quotaKeys>;
}

/** Per operation: the quotas it was counted against (the plugin turns them into response headers). */
const countedFor = new WeakMap<object, CountedQuota[]>();

/** The RATE_LIMITED error for one used-up quota. */
export function rateLimitedError(agency: string, counted: CountedQuota): GraphQLError {
  const retryAfterSeconds = secondsUntil(counted.count.msBeforeReset);
  return new GraphQLError(
    `The quota of agency ${agency} for service ${counted.service} (${counted.quota.requests} requests per ${counted.quota.perSeconds} s) is used up; retry after ${retryAfterSeconds} s`,
    {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        service: counted.service,
        quota: counted.quota,
        retryAfterSeconds,
        http: { status: 429, headers: new HeaderMap() },
      },
    },
  );
}

/** The executor stage: counts, and refuses an operation over a quota before anything is planned or fetched. */
export function quotaStage(options: QuotaStepOptions): ExecutorStage {
  return (executor) => async (requestContext) => {
    const context = requestContext.context as GatewayContext;
    // A subscription sent over HTTP is refused by the next step whatever the quota: it is not counted.
    if (requestContext.operation?.operation === 'subscription' && context.stream === undefined) return executor(requestContext);
    const principal = context.principal;
    const quotas = await options.book.quotasOf(principal);
    if (quotas.size === 0) return executor(requestContext);
    const operationName = requestContext.request.operationName ?? requestContext.operationName ?? undefined;
    const touched = options.services.of(requestContext.document, operationName, requestContext.queryHash).filter((s) => quotas.has(s));
    if (touched.length === 0) return executor(requestContext);
    const agency = principal.agencyCode!;
    const environment = environmentOf(principal);
    const counted = await Promise.all(
      touched.map(async (service): Promise<CountedQuota> => {
        const quota = quotas.get(service)!;
        const count = await options.counter.consume(options.keys.counter(environment, agency, service), quota);
        options.metric.inc({ agency, service, outcome: count.allowed ? 'allowed' : 'limited' });
        return { service, quota, count };
      }),
    );
    countedFor.set(context, counted);
    const refused = counted.filter((c) => !c.count.allowed);
    if (refused.length === 0) return executor(requestContext);
    context.logger.debug({ event: 'quota.exceeded', agency, environment, services: refused.map((c) => c.service) }, 'quota used up');
    return { errors: refused.map((c) => rateLimitedError(agency, c)) };
  };
}

/** Puts the RateLimit headers (and Retry-After on a refusal) on the HTTP response of a counted operation. */
export function quotaHeadersPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const counted = countedFor.get(contextValue);
          if (counted === undefined) return;
          for (const [name, value] of Object.entries(rateLimitHeaders(counted))) response.http.headers.set(name, value);
        },
      };
    },
  };
}

/** The quota step as the gateway runs it, and what it opened. */
export interface Quotas {
  step: PipelineStep;
  close(): Promise<void>;
}

/**
 * Builds the quota step: off (GATEWAY_QUOTAS=off) it is an empty step; on, it reads quotas from `grants`, counts in
 * Redis when `redis` is given (`<keyPrefix>quotas:…`, shared by every replica) or in memory.
 */
export async function startQuotas(
  config: QuotasConfig,
  deps: {
    grants: GrantStore;
    redis: RedisClient | undefined;
    keyPrefix: string;
    cacheTtlMs: number;
    supergraph: () => LoadedSupergraph;
    registry: Registry;
  },
): Promise<Quotas> {
  if (!config.enabled) return { step: { name: 'quotas' }, close: async () => undefined };
  const book = new QuotaBook(deps.grants, { cacheTtlMs: deps.cacheTtlMs });
  await book.start();
  const keys = quotaKeys(deps.keyPrefix);
  const counter = createQuotaCounter({ redis: deps.redis, keyPrefix: keys.limiterPrefix });
  const options: QuotaStepOptions = { book, counter, keys, services: new TouchedServices(deps.supergraph), metric: createQuotaMetric(deps.registry) };
  return {
    step: { name: 'quotas', executorStage: quotaStage(options), plugin: quotaHeadersPlugin() },
    close: () => book.close(),
  };
}
