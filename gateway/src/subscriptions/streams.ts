/**
 * Identical subscriptions share one upstream stream. Two client subscriptions are identical when, after
 * authorization, they plan the same operation document with the same variables for the same principal (the
 * access token's `jti` aside, so a system that renews its token still shares): the subgraph would answer both
 * with the same events, and the per-event fetches would be made with the same internal token. The stream is
 * refcounted: opened by the first subscriber, closed (upstream `complete`) when the last one leaves.
 *
 * Per event, once for all subscribers: the query plan's `rest` (entity fetches) runs with the native executor's
 * plan walk and the result is shaped by the native result shaper; each subscriber then finishes its own copy
 * (authorization's null completion for the fields it was denied). Events are processed one after the other, so
 * every subscriber sees them in the subgraph's order.
 */
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { ErrorCode, principalKey, type InternalTokenIssuer, type Logger, type Principal } from '@lgsp/kit';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { createHash, randomUUID } from 'node:crypto';
import { PlanRun } from '../federation/executor/plan-executor.ts';
import type { SubgraphCallDeps } from '../federation/subgraph-data-source.ts';
import type { SubscriptionMetrics } from './metrics.ts';
import type { PlannedSubscription } from './planner.ts';
import { openUpstream, subgraphError } from './upstream.ts';

/** Events a subscriber may hold unread before it is dropped (a client that does not read its socket). */
export const MAX_PENDING_EVENTS = 1_000;

/** One event as computed for every subscriber of a stream (never modified by a subscriber). */
export type SharedEvent = ExecutionResult;

type Delivery = { kind: 'next'; event: SharedEvent } | { kind: 'error'; errors: GraphQLError[] } | { kind: 'complete' };

/** Thrown out of a subscriber's iterator: graphql-ws turns it into the `error` message with these errors. */
export class StreamFailure extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors[0]?.message ?? 'subscription failed');
    this.name = 'StreamFailure';
  }
}

/**
 * A client subscription: the async generator graphql-ws iterates (one `next` message per value), fed by the
 * shared stream. It ends on `return()` (client `complete`, socket closed), or with the stream.
 */
export class Subscriber implements AsyncGenerator<ExecutionResult, undefined, unknown> {
  private readonly queue: Delivery[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private stream: SharedStream | undefined;

  constructor(
    /** This subscriber's copy of a shared event (authorization completion, extensions). */
    private readonly finishEvent: (event: SharedEvent) => ExecutionResult,
    /** Called once when the subscription ends, however it ends. */
    private readonly onEnd: (outcome: 'complete' | 'error' | 'cancelled') => void,
  ) {}

  get active(): boolean {
    return !this.ended;
  }

  /** The stream this subscriber receives from (set by `SharedStreams.join`). */
  attach(stream: SharedStream): void {
    this.stream = stream;
  }

  deliver(delivery: Delivery): void {
    if (this.ended) return;
    if (delivery.kind === 'next' && this.queue.length >= MAX_PENDING_EVENTS) {
      this.fail([
        new GraphQLError(`More than ${MAX_PENDING_EVENTS} events are waiting to be read: the subscription is dropped; subscribe again`, {
          extensions: { code: ErrorCode.LIMIT_EXCEEDED },
        }),
      ]);
      return;
    }
    this.queue.push(delivery);
    if (delivery.kind !== 'next') this.end(delivery.kind);
    this.wake();
  }

  /** Ends the subscription with an error now (ahead of queued events). */
  fail(errors: GraphQLError[]): void {
    if (this.ended) return;
    this.queue.length = 0;
    this.queue.push({ kind: 'error', errors });
    this.end('error');
    this.wake();
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      const delivery = this.queue.shift();
      if (delivery !== undefined) {
        if (delivery.kind === 'next') return { done: false, value: this.finishEvent(delivery.event) };
        if (delivery.kind === 'error') throw new StreamFailure(delivery.errors);
        return { done: true, value: undefined };
      }
      if (this.ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.queue.length = 0;
    this.end('cancelled');
    this.wake();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private end(outcome: 'complete' | 'error' | 'cancelled'): void {
    if (this.ended) return;
    this.ended = true;
    this.stream?.leave(this);
    this.stream = undefined;
    this.onEnd(outcome);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}

/** What identifies and runs one upstream stream. */
export interface StreamSpec {
  planned: PlannedSubscription;
  /** The variables of the client operation (the primary fetch takes those it uses). */
  variables: Record<string, unknown>;
  /** The principal the subgraphs see (row conditions from authorization included). */
  principal: Principal;
  /** The printed operation that was planned (the authorized rewrite of the client's operation). */
  plannedDocument: string;
  operationName: string | undefined;
}

/** The sharing key: same planned document, operation name, variables and principal (its token id aside). */
export function streamKey(spec: Pick<StreamSpec, 'plannedDocument' | 'operationName' | 'variables' | 'principal'>): string {
  return createHash('sha256')
    .update(JSON.stringify([spec.plannedDocument, spec.operationName ?? null, canonicalJson(spec.variables), principalKey(sharedPrincipal(spec.principal))]))
    .digest('base64url');
}

/** The principal a shared stream acts as: the caller's, without the token id (which changes at every renewal). */
export function sharedPrincipal(principal: Principal): Principal {
  const { tokenId: _tokenId, ...rest } = principal;
  return rest;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` share a stream. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface SharedStreamsDeps {
  call: SubgraphCallDeps;
  issuer: InternalTokenIssuer;
  metrics: SubscriptionMetrics;
  upstreamKeepAliveMs: number;
  logger: Logger;
}

class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  readonly id = randomUUID();
  private closeUpstream: (() => void) | undefined;
  private processing: Promise<void> = Promise.resolve();
  private finished = false;
  private readonly logger: Logger;
  private readonly principal: Principal;

  constructor(
    readonly key: string,
    private readonly spec: StreamSpec,
    private readonly deps: SharedStreamsDeps,
    private readonly forget: (stream: SharedStream) => void,
  ) {
    this.principal = sharedPrincipal(spec.principal);
    this.logger = deps.logger.child({ stream: this.id, subgraph: spec.planned.primary.serviceName });
  }

  open(): void {
    const { primary, primaryUrl } = this.spec.planned;
    const variables: Record<string, unknown> = {};
    for (const name of primary.variableUsages ?? []) {
      if (Object.hasOwn(this.spec.variables, name) && this.spec.variables[name] !== undefined) variables[name] = this.spec.variables[name];
    }
    this.deps.metrics.upstreamStreams.inc({ subgraph: primary.serviceName });
    this.logger.debug({ event: 'stream.opened' }, 'upstream subscription opened');
    this.closeUpstream = openUpstream(
      {
        subgraph: primary.serviceName,
        url: primaryUrl,
        request: { query: primary.operation, variables, operationName: primary.operationName },
        principal: this.principal,
        requestId: this.id,
        issuer: this.deps.issuer,
        keepAliveMs: this.deps.upstreamKeepAliveMs,
        logger: this.logger,
      },
      {
        next: (result) => {
          this.deps.metrics.upstreamEvents.inc({ subgraph: primary.serviceName });
          this.processing = this.processing.then(() => this.event(result));
        },
        // Terminal outcomes wait for the events received before them.
        error: (errors) => {
          this.processing = this.processing.then(() => this.end({ kind: 'error', errors }));
        },
        complete: () => {
          this.processing = this.processing.then(() => this.end({ kind: 'complete' }));
        },
      },
    );
  }

  leave(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
    // The last subscriber left: the subgraph stops sending.
    this.close();
  }

  /** Closes the upstream subscription; subscribers still attached are completed. */
  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.forget(this);
    this.closeUpstream?.();
    this.deps.metrics.upstreamStreams.dec({ subgraph: this.spec.planned.primary.serviceName });
    this.logger.debug({ event: 'stream.closed' }, 'upstream subscription closed');
    for (const subscriber of [...this.subscribers]) subscriber.deliver({ kind: 'complete' });
  }

  private end(delivery: Delivery): void {
    if (this.finished) return;
    this.finished = true;
    this.forget(this);
    this.deps.metrics.upstreamStreams.dec({ subgraph: this.spec.planned.primary.serviceName });
    for (const subscriber of [...this.subscribers]) subscriber.deliver(delivery);
  }

  private async event(result: FormattedExecutionResult): Promise<void> {
    if (this.finished) return;
    let shared: SharedEvent;
    try {
      shared = await this.execute(result);
    } catch (error) {
      this.logger.error({ err: error }, 'subscription event could not be executed');
      shared = {
        data: null,
        errors: [new GraphQLError('The event could not be completed; see the gateway logs', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } })],
      };
    }
    if (this.finished) return;
    for (const subscriber of [...this.subscribers]) subscriber.deliver({ kind: 'next', event: shared });
  }

  /** The query plan's `rest` for one event, and the shaping (as the native executor does for queries). */
  private async execute(result: FormattedExecutionResult): Promise<SharedEvent> {
    const { planned, variables } = this.spec;
    const serviceName = planned.primary.serviceName;
    const errors: GraphQLError[] = (result.errors ?? []).map((e) => subgraphError(e, serviceName));
    if (result.data === null || result.data === undefined) return { data: null, errors };
    const requestId = randomUUID();
    const context = { requestId, principal: this.principal, logger: this.logger.child({ requestId }) };
    const requestContext = { context, metrics: {} } as unknown as GatewayGraphQLRequestContext;
    const run = new PlanRun(planned.target, this.deps.call, requestContext, variables);
    Object.assign(run.data, result.data);
    if (planned.rest !== undefined) await run.execute(planned.rest);
    for (const error of run.errors) errors.push(withCode(error));
    const shaped = planned.shaper.shape(run.data, variables);
    // executeQueryPlan.js: value-completion errors are reported only when the fetches produced none.
    if (errors.length === 0 && shaped.errors.length > 0) return { data: shaped.data ?? null, extensions: { valueCompletion: shaped.errors } };
    return errors.length > 0 ? { data: shaped.data ?? null, errors } : { data: shaped.data ?? null };
  }
}

/** The live streams, by sharing key. */
export class SharedStreams {
  private readonly streams = new Map<string, SharedStream>();

  constructor(private readonly deps: SharedStreamsDeps) {}

  /** Adds the subscriber to the stream for `spec`, opening it if it is the first. */
  join(spec: StreamSpec, subscriber: Subscriber): void {
    const key = streamKey(spec);
    let stream = this.streams.get(key);
    const opening = stream === undefined;
    if (stream === undefined) {
      stream = new SharedStream(key, spec, this.deps, (s) => {
        if (this.streams.get(s.key) === s) this.streams.delete(s.key);
      });
      this.streams.set(key, stream);
    }
    stream.subscribers.add(subscriber);
    subscriber.attach(stream);
    if (opening) stream.open();
  }

  /** Open upstream streams. */
  get size(): number {
    return this.streams.size;
  }

  /** Closes every stream (gateway shutdown). */
  closeAll(): void {
    for (const stream of [...this.streams.values()]) stream.close();
  }
}

/** Every error a client receives carries a code (as Apollo Server gives errors without one INTERNAL_SERVER_ERROR). */
function withCode(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) {
    if (typeof error.extensions.code === 'string') return error;
    return new GraphQLError(error.message, {
      path: error.path,
      originalError: error,
      extensions: { ...error.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR },
    });
  }
  return new GraphQLError((error as Error).message ?? String(error), { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
}
