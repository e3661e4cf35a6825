/**
 * Maintenance windows at the gateway (DL:12.6), as one step of the request pipeline (both transports), and a guard of
 * new WebSocket connections:
 *
 * - **Before a window** (from MAINTENANCE_NOTICE_DAYS before its start), every GraphQL response carries
 *   `extensions.maintenance: { id, startsAt, endsAt, summary, emergency, affectedServices, inProgress: false }` — the
 *   soonest window; over HTTP and graphql-ws (single results, and each event of a subscription, with the notice in
 *   force when the event is sent). During a window that does not block the operation (it names other services),
 *   the same with `inProgress: true`.
 * - **During a window** an operation it blocks is refused before anything is planned or sent to a subgraph: over
 *   HTTP status **503**, `Retry-After: <seconds until the window ends>` and one error with `extensions.code`
 *   `UNDER_MAINTENANCE` (`startsAt`, `endsAt`, `summary`, `retryAfterSeconds`, `windowId`); over graphql-ws the same
 *   error in an `error` message. A window without `affectedServices` blocks every operation; a window naming services
 *   blocks only the operations whose query plan touches one of their subgraphs (quotas/touched-services.ts), so the
 *   rest of the platform keeps serving. Callers with the `lgsp-operator` role are let through (they check the
 *   platform before the window is ended) and see `inProgress: true`.
 * - **New WebSocket connections** during a window that blocks everything are accepted and closed at once with
 *   **1013 Try Again Later** (RFC 6455 §7.4.1, IANA registry; graphql-transport-ws leaves 1000–3999 to the transport,
 *   and graphql-ws clients retry after 1013) and the reason `UNDER_MAINTENANCE: retry after <n> s`. Connections
 *   already open when such a window starts are closed the same way (`watchWindowStarts`, within a second of the
 *   start), operators' excepted; during a window naming services they stay, and their new `subscribe` messages that
 *   touch those services get the error above.
 * - `/health/live`, `/health/ready`, `/metrics`, `/.well-known/jwks.json` are routes of their own and never pass here.
 *
 * Decided from the windows' times and the gateway's clock alone: a window starts and ends on time even when the
 * registry (the source of the windows) is the part under maintenance.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, Role, type Principal } from '@lgsp/kit';
import { GraphQLError } from 'graphql';
import { handleProtocols } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import type { MaintenanceSchedule, ScheduledWindow } from './schedule.ts';

/** WebSocket close code for a connection refused during maintenance (RFC 6455 registry: Try Again Later). */
export const MAINTENANCE_CLOSE_CODE = 1013;

/** What responses carry in `extensions.maintenance`. */
export interface MaintenanceNotice {
  id: string;
  startsAt: string;
  endsAt: string;
  summary: string;
  emergency: boolean;
  affectedServices: string[];
  inProgress: boolean;
}

const isActive = (w: ScheduledWindow, now: number) => Date.parse(w.startsAt) <= now && now < Date.parse(w.endsAt);
/** A window that names no service takes the whole gateway down. */
export const blocksEverything = (w: ScheduledWindow) => w.affectedServices.length === 0;

/** The windows in progress that block an operation touching `touched` subgraphs (computed only when needed). */
export function blockingWindows(windows: readonly ScheduledWindow[], now: number, touched: () => readonly string[]): ScheduledWindow[] {
  const active = windows.filter((w) => isActive(w, now));
  if (active.length === 0) return [];
  let subgraphs: readonly string[] | undefined;
  return active.filter((w) => {
    if (blocksEverything(w)) return true;
    if (w.affectedSubgraphs.length === 0) return false;
    subgraphs ??= touched();
    return w.affectedSubgraphs.some((s) => subgraphs!.includes(s));
  });
}

/** Whole seconds until the last of `windows` ends (at least 1). */
export function retryAfterSeconds(windows: readonly ScheduledWindow[], now: number): number {
  return Math.max(1, Math.ceil((Math.max(...windows.map((w) => Date.parse(w.endsAt))) - now) / 1000));
}

/** The notice for a response at `now`: the soonest window in progress (not blocking it) or starting within `noticeMs`. */
export function noticeFor(windows: readonly ScheduledWindow[], now: number, noticeMs: number): MaintenanceNotice | undefined {
  const relevant = windows
    .filter((w) => isActive(w, now) || (Date.parse(w.startsAt) > now && Date.parse(w.startsAt) - now <= noticeMs))
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const w = relevant[0];
  if (w === undefined) return undefined;
  return {
    id: w.id,
    startsAt: w.startsAt,
    endsAt: w.endsAt,
    summary: w.summary,
    emergency: w.emergency,
    affectedServices: w.affectedServices,
    inProgress: isActive(w, now),
  };
}

/** The UNDER_MAINTENANCE error (HTTP 503 with Retry-After through Apollo's `extensions.http`). */
export function underMaintenanceError(windows: readonly ScheduledWindow[], now: number): GraphQLError {
  const seconds = retryAfterSeconds(windows, now);
  const first = [...windows].sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt))[0]!;
  const what = blocksEverything(first) ? 'The platform is' : `Services ${first.affectedServices.join(', ')} are`;
  return new GraphQLError(`${what} under maintenance until ${first.endsAt} (${first.summary}); retry after ${seconds} s`, {
    extensions: {
      code: ErrorCode.UNDER_MAINTENANCE,
      windowId: first.id,
      startsAt: first.startsAt,
      endsAt: first.endsAt,
      summary: first.summary,
      affectedServices: first.affectedServices,
      retryAfterSeconds: seconds,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(seconds)]]) },
    },
  });
}

const isOperator = (principal: Principal) => principal.roles.includes(Role.operator);

export interface MaintenanceStepOptions {
  schedule: MaintenanceSchedule;
  /** MAINTENANCE_NOTICE_DAYS in ms. */
  noticeMs: number;
  /** The subgraphs an operation's query plan touches (quotas/touched-services.ts `TouchedServices.of`). */
  touched(document: import('graphql').DocumentNode, operationName: string | undefined, cacheKey: string): readonly string[];
  /** The clock (tests move it). */
  now(): number;
}

/** The pipeline step (server.ts lists it before authorization: a refused operation costs no grant lookup or quota). */
export function maintenanceStep(options: MaintenanceStepOptions): PipelineStep {
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          // A subscription over graphql-ws: each event carries the notice in force when it is sent.
          const stream = contextValue.stream;
          if (stream === undefined || operation?.operation !== 'subscription') return;
          contextValue.stream = {
            start: (authorized) =>
              stream.start({
                ...authorized,
                complete: (event) => {
                  const completed = authorized.complete(event);
                  const notice = noticeFor(options.schedule.current(), options.now(), options.noticeMs);
                  return notice === undefined ? completed : { ...completed, extensions: { ...completed.extensions, maintenance: notice } };
                },
              }),
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          // A refused operation carries its window in the error already.
          if (result.errors?.some((e) => e.extensions?.code === ErrorCode.UNDER_MAINTENANCE)) return;
          const notice = noticeFor(options.schedule.current(), options.now(), options.noticeMs);
          if (notice !== undefined) response.body.singleResult = { ...result, extensions: { ...result.extensions, maintenance: notice } };
        },
      };
    },
  };
  return {
    name: 'maintenance',
    plugin,
    executorStage: (executor) => async (requestContext) => {
      const windows = options.schedule.current();
      if (windows.length === 0) return executor(requestContext);
      const context = requestContext.context as GatewayContext;
      if (isOperator(context.principal)) return executor(requestContext);
      const now = options.now();
      const operationName = requestContext.request.operationName ?? requestContext.operationName ?? undefined;
      const blocking = blockingWindows(windows, now, () => options.touched(requestContext.document, operationName, requestContext.queryHash));
      if (blocking.length === 0) return executor(requestContext);
      context.logger.debug({ event: 'maintenance.refused', windows: blocking.map((w) => w.id) }, 'operation refused: under maintenance');
      return { errors: [underMaintenanceError(blocking, now)] };
    },
  };
}

/**
 * For the HTTP server's `upgrade` event, before the graphql-ws server: during a window that blocks everything, a new
 * WebSocket on `path` is accepted and closed with 1013 (answers true: handled); otherwise false.
 */
export function maintenanceUpgradeGuard(options: { schedule: MaintenanceSchedule; now(): number; path: string }) {
  const refuser = new WebSocketServer({ noServer: true, handleProtocols });
  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      if ((request.url ?? '/').split('?')[0] !== options.path) return false;
      const now = options.now();
      const blocking = options.schedule.current().filter((w) => isActive(w, now) && blocksEverything(w));
      if (blocking.length === 0) return false;
      const reason = `UNDER_MAINTENANCE: retry after ${retryAfterSeconds(blocking, now)} s`;
      refuser.handleUpgrade(request, socket, head, (ws) => ws.close(MAINTENANCE_CLOSE_CODE, reason));
      return true;
    },
    close: () => new Promise<void>((resolve) => refuser.close(() => resolve())),
  };
}

/**
 * Calls `onStart` once for each window that blocks everything, as soon as it is in progress (checked every `everyMs`
 * against the gateway's clock, like the step): the gateway closes the WebSocket connections open then. A window
 * moved to start later counts again at its new start.
 */
export function watchWindowStarts(options: {
  schedule: MaintenanceSchedule;
  now(): number;
  everyMs: number;
  onStart(windows: readonly ScheduledWindow[], reason: string): void;
}): { close(): void } {
  const seen = new Set<string>();
  const check = () => {
    const now = options.now();
    const windows = options.schedule.current();
    const active = windows.filter((w) => isActive(w, now) && blocksEverything(w));
    const started = active.filter((w) => !seen.has(`${w.id}@${w.startsAt}`));
    // Forget windows no longer in progress (ended, cancelled or moved), so the set stays small.
    const current = new Set(active.map((w) => `${w.id}@${w.startsAt}`));
    for (const key of seen) if (!current.has(key)) seen.delete(key);
    if (started.length === 0) return;
    for (const w of started) seen.add(`${w.id}@${w.startsAt}`);
    options.onStart(started, `UNDER_MAINTENANCE: retry after ${retryAfterSeconds(active, now)} s`);
  };
  const timer = setInterval(check, options.everyMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
