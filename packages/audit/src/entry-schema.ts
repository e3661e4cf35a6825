/**
 * What every adapter accepts, checked the same way by each (memory, Redis, and the HTTP router before it reaches
 * either): entries (`parseAuditEntries`), queries (`parseAuditQuery`, with the cursor), statistics queries and
 * checkpoints. A refusal is an `AuditInputError` with the platform's error code (`BAD_USER_INPUT`, `INVALID_DATE`,
 * `INVALID_CURSOR`, `LIMIT_EXCEEDED`), which the router answers as 400 and the HTTP adapter throws again.
 */
import { z } from 'zod';
import { ErrorCode } from '@lgsp/kit';
import type { AuditQuery } from './audit-log.ts';
import type { Checkpoint } from './checkpoint.ts';
import { AUDIT_KINDS, AUDIT_OUTCOMES, SUBJECT_KINDS, type AuditEntry } from './record.ts';
import type { StatisticsQuery } from './statistics.ts';

/** A caller's mistake: `code` is the platform's error code (HTTP 400, or 413 for LIMIT_EXCEEDED on a body). */
export class AuditInputError extends Error {
  override name = 'AuditInputError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Most entries one append takes. */
export const MAX_APPEND_ENTRIES = 1_000;
/** Most bytes of one entry's JSON (1 MiB: room for 10,000 subjects, the most one entry may name). */
export const MAX_ENTRY_BYTES = 1024 * 1024;
/** Most records one query page holds. */
export const MAX_QUERY_LIMIT = 1_000;
/** Longest period a query or a statistics query may span, in days (about ten years). */
export const MAX_PERIOD_DAYS = 3_700;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const instant = z
  .string()
  .regex(ISO_INSTANT, 'must be an ISO 8601 instant such as 2026-12-06T08:00:00.000Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'is not a date');
const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const nullableText = (max: number) => text(max).nullable();
const count = z.number().int('must be an integer').min(0, 'must be >= 0').nullable();
const SUBJECT = new RegExp(`^(${SUBJECT_KINDS.join('|')}):[0-9a-f]{64}$`);

/** An entry as the log receives it (subjects already hashed). Unknown keys are dropped. */
export const auditEntrySchema = z.object({
  kind: z.enum(AUDIT_KINDS),
  at: instant,
  requestId: nullableText(200),
  source: text(100).min(1, 'must not be empty'),
  environment: z.enum(['production', 'test']),
  agency: nullableText(100),
  system: nullableText(200),
  user: nullableText(200),
  purpose: nullableText(500),
  action: nullableText(200),
  operationType: z.enum(['query', 'mutation', 'subscription']).nullable(),
  documentHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex')
    .nullable(),
  fields: z.array(text(300)).max(2_000),
  personalFields: z.array(text(300)).max(2_000),
  counterpartAgency: nullableText(100),
  service: nullableText(200),
  entityId: nullableText(300),
  outcome: z.enum(AUDIT_OUTCOMES),
  errorCodes: z.array(text(100)).max(100),
  durationMs: z.number().min(0, 'must be >= 0').nullable(),
  bytesIn: count,
  bytesOut: count,
  details: z.record(z.string().max(100), z.union([text(2_000), z.number(), z.boolean(), z.null()])),
  subjects: z.array(z.string().regex(SUBJECT, 'must be a keyed subject hash <kind>:<64 hex> (SubjectHasher)')).max(10_000),
});

function problems(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${prefix}${i.path.map(String).join('.') || '(value)'}: ${i.message}`).join('; ');
}

/** Checks a batch of entries (all or none): an AuditInputError names each problem with the entry's index. */
export function parseAuditEntries(entries: unknown): AuditEntry[] {
  if (!Array.isArray(entries)) throw new AuditInputError(ErrorCode.BAD_USER_INPUT, 'invalid audit entries: must be an array');
  if (entries.length > MAX_APPEND_ENTRIES)
    throw new AuditInputError(ErrorCode.LIMIT_EXCEEDED, `invalid audit entries: at most ${MAX_APPEND_ENTRIES} per append (got ${entries.length})`);
  return entries.map((entry, index) => parseAuditEntry(entry, `entries.${index}.`));
}

/** Checks one entry. */
export function parseAuditEntry(entry: unknown, prefix = ''): AuditEntry {
  return checkAuditEntry(entry, prefix).entry;
}

/** Checks one entry and answers its size (bytes of its JSON), which the writer batches by. */
export function checkAuditEntry(entry: unknown, prefix = ''): { entry: AuditEntry; bytes: number } {
  const result = auditEntrySchema.safeParse(entry);
  if (!result.success) throw new AuditInputError(ErrorCode.BAD_USER_INPUT, `invalid audit entry: ${problems(result.error, prefix)}`);
  const bytes = Buffer.byteLength(JSON.stringify(result.data));
  if (bytes > MAX_ENTRY_BYTES)
    throw new AuditInputError(ErrorCode.LIMIT_EXCEEDED, `invalid audit entry: ${prefix}(value): ${bytes} bytes, more than ${MAX_ENTRY_BYTES}`);
  return { entry: result.data as AuditEntry, bytes };
}

/** Where a query page stopped: the last record looked at (newest-first order: `at` descending, then `seq`). */
export interface AuditCursor {
  atMs: number;
  seq: number;
}

export function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.atMs}.${cursor.seq}`;
}

export function decodeCursor(cursor: string): AuditCursor {
  const match = /^(\d{1,15})\.(\d{1,15})$/.exec(cursor);
  if (match === null) throw new AuditInputError(ErrorCode.INVALID_CURSOR, `cursor "${cursor.slice(0, 40)}" was not issued by the audit log`);
  return { atMs: Number(match[1]), seq: Number(match[2]) };
}

/** A checked query: times in ms, the limit applied, the cursor decoded. */
export interface ParsedAuditQuery extends AuditQuery {
  fromMs: number;
  toMs: number;
  pageLimit: number;
  after: AuditCursor | null;
}

const querySchema = z.object({
  from: instant,
  to: instant,
  kind: z.enum(AUDIT_KINDS).optional(),
  agency: text(100).min(1).optional(),
  counterpartAgency: text(100).min(1).optional(),
  purpose: text(500).min(1).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  subject: z.string().regex(SUBJECT, 'must be a keyed subject hash <kind>:<64 hex> (SubjectHasher)').optional(),
  requestId: text(200).min(1).optional(),
  limit: z.number().int('must be an integer').min(1, 'must be from 1 to 1000').optional(),
  cursor: z.string().optional(),
});

export function parseAuditQuery(query: unknown): ParsedAuditQuery {
  const stripped = Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined));
  const result = querySchema.safeParse(stripped);
  if (!result.success) {
    const dateIssue = result.error.issues.find((i) => i.path[0] === 'from' || i.path[0] === 'to');
    throw new AuditInputError(dateIssue ? ErrorCode.INVALID_DATE : ErrorCode.BAD_USER_INPUT, `invalid audit query: ${problems(result.error)}`);
  }
  const q = result.data;
  if (q.limit !== undefined && q.limit > MAX_QUERY_LIMIT)
    throw new AuditInputError(ErrorCode.LIMIT_EXCEEDED, `invalid audit query: limit: at most ${MAX_QUERY_LIMIT} (got ${q.limit})`);
  const fromMs = Date.parse(q.from);
  const toMs = Date.parse(q.to);
  if (toMs <= fromMs) throw new AuditInputError(ErrorCode.INVALID_DATE, 'invalid audit query: to must be after from');
  if (toMs - fromMs > MAX_PERIOD_DAYS * 86_400_000)
    throw new AuditInputError(ErrorCode.LIMIT_EXCEEDED, `invalid audit query: the period spans more than ${MAX_PERIOD_DAYS} days`);
  return { ...q, fromMs, toMs, pageLimit: q.limit ?? 100, after: q.cursor === undefined ? null : decodeCursor(q.cursor) } as ParsedAuditQuery;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => {
  if (!DAY.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
};

export function parseStatisticsQuery(query: unknown): StatisticsQuery {
  const q = (query ?? {}) as Partial<Record<keyof StatisticsQuery, unknown>>;
  for (const name of ['fromDay', 'toDay'] as const) {
    if (typeof q[name] !== 'string' || !isDay(q[name]))
      throw new AuditInputError(ErrorCode.INVALID_DATE, `invalid statistics query: ${name}: must be a day yyyy-mm-dd that exists`);
  }
  const fromDay = q.fromDay as string;
  const toDay = q.toDay as string;
  if (toDay < fromDay) throw new AuditInputError(ErrorCode.INVALID_DATE, 'invalid statistics query: toDay is before fromDay');
  if ((Date.parse(toDay) - Date.parse(fromDay)) / 86_400_000 > MAX_PERIOD_DAYS)
    throw new AuditInputError(ErrorCode.LIMIT_EXCEEDED, `invalid statistics query: the period spans more than ${MAX_PERIOD_DAYS} days`);
  if (q.agency !== undefined && (typeof q.agency !== 'string' || q.agency === '' || q.agency.length > 100))
    throw new AuditInputError(ErrorCode.BAD_USER_INPUT, 'invalid statistics query: agency: must be an agency code');
  if (q.environment !== undefined && q.environment !== 'production' && q.environment !== 'test')
    throw new AuditInputError(ErrorCode.BAD_USER_INPUT, 'invalid statistics query: environment: must be production or test');
  return {
    fromDay,
    toDay,
    ...(q.agency === undefined ? {} : { agency: q.agency as string }),
    ...(q.environment === undefined ? {} : { environment: q.environment as 'production' | 'test' }),
  };
}

/** Every day from `fromDay` to `toDay`, inclusive. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${fromDay}T00:00:00Z`); t <= Date.parse(`${toDay}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const checkpointSchema = z.object({
  seq: z.number().int().min(1, 'must be >= 1'),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex'),
  at: instant,
  keyId: text(200).min(1),
  signature: z
    .string()
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS')
    .max(4_000),
});

export function parseCheckpoint(checkpoint: unknown): Checkpoint {
  const result = checkpointSchema.safeParse(checkpoint);
  if (!result.success) throw new AuditInputError(ErrorCode.BAD_USER_INPUT, `invalid checkpoint: ${problems(result.error)}`);
  return result.data;
}

export function checkSeq(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new AuditInputError(ErrorCode.BAD_USER_INPUT, `${name} must be an integer >= ${min}`);
  return value;
}
