/**
 * One request pipeline for GraphQL over HTTP and over graphql-ws. Whatever the transport, every operation runs the
 * same steps, in this order:
 *
 * 1. authentication: auth/authenticate.ts' `principalFor`, per request (HTTP `Authorization`) or per connection
 *    (graphql-ws `connection_init`), revoked credentials refused (auth/revocations/); the principal, with its
 *    environment, enters the context before anything below runs;
 * 2. parse, with GATEWAY_MAX_TOKENS; a parsed and validated document is kept by query hash (Apollo Server's document
 *    store), so a repeated operation skips steps 2–4 on either transport;
 * 3. limits: depth, fields, aliases and introspection answer size (limits/operation-limits.ts);
 * 4. validation: graphql-js' rules; when introspection is off, no schema names in error messages;
 * 5. operation resolution (http/graphql-over-http.ts: an unknown operation name is the caller's error);
 * 5b. deprecation: notes the deprecated fields the operation selects, for the Deprecation and Sunset headers
 *    (deprecation/deprecation-step.ts);
 * 6. authorization: filter, reject or dry-run (authorization/authorizing-gateway.ts), an executor stage;
 * 6b. quotas: the caller agency's quota per service the plan touches, 429 RATE_LIMITED beyond it
 *    (quotas/quota-step.ts);
 * 7. planning and execution: a subscription starts a shared stream (subscriptions/subscription-stage.ts), any other
 *    operation runs on the native executor or Apollo Gateway's.
 *
 * The engine is Apollo Server's request pipeline (its `processGraphQLRequest`): HTTP enters it through the Express
 * integration, graphql-ws through `execute` below (Apollo's `executeOperation`), as Hive Gateway runs graphql-ws
 * through envelop's plugin chain. A cross-cutting concern is a `PipelineStep` (docs/conventions.md: cross-cutting concerns are pipeline steps): it contributes parse
 * options, validation rules, lifecycle hooks (an Apollo Server plugin) or an executor stage, and plugs in with one
 * line in server.ts — audit is the next one.
 */
import type { ApolloServer, ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import type { FormattedExecutionResult, ParseOptions, ValidationRule } from 'graphql';
import type { GatewayContext } from '../context.ts';

/** Wraps the executor that comes after it (outermost first in the step list). */
export type ExecutorStage = (next: GatewayExecutor) => GatewayExecutor;

/** One cross-cutting concern of the pipeline. Every part is optional; `name` shows in errors and diagnostics. */
export interface PipelineStep {
  readonly name: string;
  /** Options for step 2 (later steps' options win on the same key). */
  readonly parseOptions?: ParseOptions;
  /** Rules for steps 3–4, run with graphql-js' specified rules; their result is cached with the document. */
  readonly validationRules?: readonly ValidationRule[];
  /** Lifecycle hooks (request start, operation resolved, response about to be sent, …). */
  readonly plugin?: ApolloServerPlugin<GatewayContext>;
  /** Steps 6–7: wraps the executor; stages run in step order, the last one nearest the subgraphs. */
  readonly executorStage?: ExecutorStage;
}

/** What Apollo Server is built with: the assembled steps in front of `gateway` (which plans and executes). */
export interface AssembledPipeline {
  gateway: GatewayInterface;
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<GatewayContext>[];
}

export function assemblePipeline(steps: readonly PipelineStep[], gateway: GatewayInterface): AssembledPipeline {
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) throw new Error(`pipeline step "${step.name}" is listed twice`);
    names.add(step.name);
  }
  const stages = steps.flatMap((s) => (s.executorStage === undefined ? [] : [s.executorStage]));
  return {
    gateway: stages.length === 0 ? gateway : stagedGateway(gateway, stages),
    parseOptions: Object.assign({}, ...steps.map((s) => s.parseOptions ?? {})) as ParseOptions,
    validationRules: steps.flatMap((s) => s.validationRules ?? []),
    plugins: steps.flatMap((s) => (s.plugin === undefined ? [] : [s.plugin])),
  };
}

/** A gateway whose executor is `inner`'s wrapped by `stages` (composed once per schema load, not per request). */
function stagedGateway(inner: GatewayInterface, stages: readonly ExecutorStage[]): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    stop: () => inner.stop(),
    async load(options) {
      const loaded = await inner.load(options);
      if (loaded.executor === null) throw new Error('the gateway loaded without an executor');
      return { executor: stages.reduceRight<GatewayExecutor>((next, stage) => stage(next), loaded.executor) };
    },
  };
}

/** Runs one operation through the pipeline for a transport other than HTTP (graphql-ws). */
export interface RequestPipeline {
  execute(request: GraphQLRequest, context: GatewayContext): Promise<FormattedExecutionResult>;
}

export function requestPipeline(server: ApolloServer<GatewayContext>): RequestPipeline {
  return {
    async execute(request, context) {
      const response = await server.executeOperation(request, { contextValue: context });
      // Incremental delivery (@defer) is not enabled on the gateway: every answer is a single result.
      if (response.body.kind !== 'single') throw new Error('the gateway answered with an incremental result');
      return response.body.singleResult;
    },
  };
}
