/**
 * One log line and one set of metrics per GraphQL request, whether it was executed, refused by Apollo Server's
 * request pipeline, or refused earlier by the HTTP layer (413, 415, malformed JSON). The Apollo plugin fills in
 * what only GraphQL knows (operation name and type, error codes); the HTTP `finish` event writes the line.
 * Variables' values and tokens are never logged.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@lgsp/kit';
import type { RequestHandler } from 'express';
import type { GatewayMetrics } from './metrics.ts';

/**
 * - `success`: no errors;
 * - `partial`: data with errors (some fields failed, e.g. one subgraph down);
 * - `error`: executed, but `data` is null;
 * - `rejected`: never executed (malformed request, parse or validation failure, refused body).
 */
export type OperationOutcome = 'success' | 'partial' | 'error' | 'rejected';

export interface OperationRecord {
  name?: string | undefined;
  type?: string | undefined;
  outcome?: OperationOutcome | undefined;
  errorCodes: string[];
}

/** The record of the current HTTP request; the Apollo context carries the same object. */
export function operationRecordOf(locals: Record<string, unknown>): OperationRecord {
  let record = locals.operation as OperationRecord | undefined;
  if (record === undefined) {
    record = { errorCodes: [] };
    locals.operation = record;
  }
  return record;
}

/** Express middleware for the GraphQL endpoint: logs and measures each request when its response is sent. */
export function observeOperations(metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const record = operationRecordOf(res.locals);
    res.on('finish', () => {
      const contentType = String(res.getHeader('content-type') ?? '');
      if (req.method === 'OPTIONS' || contentType.startsWith('text/html')) return; // landing page, CORS preflight
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const type = record.type ?? 'unknown';
      const outcome = record.outcome ?? (res.statusCode >= 400 ? 'rejected' : 'success');
      metrics.operations.inc({ type, outcome });
      metrics.operationDuration.observe({ type }, seconds);
      const logger = res.locals.logger as Logger;
      const line = {
        operationName: record.name ?? null,
        type,
        outcome,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        errorCodes: record.errorCodes,
      };
      if (outcome === 'success') logger.info(line, 'operation');
      else logger.warn(line, 'operation');
    });
    next();
  };
}

/** Apollo plugin: copies the operation's name, type, outcome and error codes into the request's record. */
export function operationRecordPlugin<TContext extends { operation: OperationRecord }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, operationName, response }) {
          const record = contextValue.operation;
          record.name = operationName ?? undefined;
          record.type = operation?.operation;
          if (response.body.kind !== 'single') {
            record.outcome = 'success';
            return;
          }
          const result = response.body.singleResult;
          const errors = result.errors ?? [];
          record.errorCodes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
          if (!('data' in result)) record.outcome = errors.length > 0 ? 'rejected' : 'success';
          else if (errors.length === 0) record.outcome = 'success';
          else record.outcome = result.data === null || result.data === undefined ? 'error' : 'partial';
        },
      };
    },
  };
}
