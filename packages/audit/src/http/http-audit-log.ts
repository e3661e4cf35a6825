/**
 * The audit log over HTTP: the audit API of the process that holds the log (monitoring's `/internal/v1/audit`,
 * router.ts), for processes without Redis. A 400 answer is thrown again as the server's `AuditInputError` (same code,
 * same message); an append carries a batch id, the same for every call with the same entries array, so the writer's
 * retry of an append whose answer was lost is not stored twice.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@lgsp/kit';
import type { AuditLog, AuditPage } from '../audit-log.ts';
import type { Checkpoint } from '../checkpoint.ts';
import { AuditInputError } from '../entry-schema.ts';
import type { AuditRecord, ChainHead } from '../record.ts';
import type { StatisticsRow } from '../statistics.ts';

/** Where the audit API is mounted. */
export const AUDIT_API_PATH = '/internal/v1/audit';

export interface HttpAuditLogOptions {
  /** The monitoring origin (MONITORING_URL, e.g. http://127.0.0.1:4106); the API is at its `/internal/v1/audit`. */
  baseUrl: string;
  /** MONITORING_INTERNAL_TOKEN. */
  token: string;
  /** Longest one request may take (default 10,000 ms). */
  timeoutMs?: number;
}

/** The audit API answered with an unexpected status (not 400). */
export class AuditHttpError extends Error {
  override name = 'AuditHttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export function createHttpAuditLog(options: HttpAuditLogOptions): AuditLog {
  const root = `${options.baseUrl.replace(/\/+$/, '')}${AUDIT_API_PATH}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const batchIds = new WeakMap<readonly unknown[], string>();

  const send = async <T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> => {
    const url = `${root}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: { message?: unknown } }).cause?.message;
      throw new Error(`${method} ${url} failed: ${(error as Error).message}${typeof cause === 'string' ? ` (${cause})` : ''}`);
    }
    const text = await response.text();
    let answer: Record<string, unknown> = {};
    try {
      answer = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      /* not JSON: the status says what happened */
    }
    if (response.status === expect) return answer as T;
    const first = Array.isArray(answer.errors) ? (answer.errors[0] as { message?: string; extensions?: { code?: string } }) : undefined;
    if ((response.status === 400 || response.status === 413) && first?.message !== undefined)
      throw new AuditInputError((first.extensions?.code as ErrorCode | undefined) ?? ErrorCode.BAD_USER_INPUT, first.message);
    throw new AuditHttpError(
      `${method} ${url} failed: HTTP ${response.status}${first?.message === undefined ? '' : ` (${first.message})`}`,
      response.status,
      first?.extensions?.code,
    );
  };

  return {
    async append(entries) {
      if (Array.isArray(entries) && entries.length === 0) return [];
      let batchId = batchIds.get(entries);
      if (batchId === undefined) {
        batchId = randomUUID();
        batchIds.set(entries, batchId);
      }
      return (await send<{ records: AuditRecord[] }>('POST', '/append', { entries, batchId }, 201)).records;
    },
    head: async () => (await send<{ head: ChainHead | null }>('GET', '/head')).head,
    async range(fromSeq, count) {
      const params = new URLSearchParams({ from: String(fromSeq), count: String(count) });
      return (await send<{ records: AuditRecord[] }>('GET', `/range?${params}`)).records;
    },
    firstSeq: async () => (await send<{ firstSeq: number | null }>('GET', '/first-seq')).firstSeq,
    query: (query) => send<AuditPage>('POST', '/query', query),
    statistics: async (query) => (await send<{ rows: StatisticsRow[] }>('POST', '/statistics', query)).rows,
    async putCheckpoint(checkpoint) {
      await send('POST', '/checkpoints', checkpoint, 204);
    },
    checkpoints: async () => (await send<{ checkpoints: Checkpoint[] }>('GET', '/checkpoints')).checkpoints,
    trim: async (throughSeq) => (await send<{ removed: number }>('POST', '/trim', { throughSeq })).removed,
    async close() {},
  };
}
