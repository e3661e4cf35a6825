/**
 * The audit trail's queries, without GraphQL: check the input, turn the caller into the slices of the log it may
 * read (authorization.table.ts), read one page newest first across the slices, and record that the caller looked
 * (kind `operation`: who searched for whom is itself personal-data processing, and reviewed like any other).
 */
import type { AuditLog, AuditQuery, AuditRecord, AuditWriter, SubjectHasher, SubjectKind, AuditKind, AuditOutcome } from '@lgsp/audit';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from '../caller.ts';
import { parseInstant } from '../time.ts';
import { scopeOf, type Slice } from './authorization.table.ts';

const PERSONAL_ID = /^\d{12}$/;
const ENTERPRISE_CODE = /^\d{10}(-\d{3})?$/;
export const MAX_PAGE = 100;

export interface AuditPageResult {
  records: AuditRecord[];
  /** The cursor after the last record; null at the end. */
  endCursor: string | null;
}

export interface AuditFilter {
  from: string;
  to: string;
  agency?: string | undefined;
  counterpartAgency?: string | undefined;
  purpose?: string | undefined;
  outcome?: AuditOutcome | undefined;
  kind?: AuditKind | undefined;
  requestId?: string | undefined;
}

/** Checks a subject as its kind requires (trimmed); throws INVALID_PERSONAL_ID / INVALID_ENTERPRISE_CODE. */
export function checkSubject(subject: string, kind: SubjectKind): string {
  const value = subject.trim();
  if (kind === 'personal-id' && !PERSONAL_ID.test(value))
    throw new LgspError(ErrorCode.INVALID_PERSONAL_ID, 'subject must be a personal identification number of 12 digits', { argument: 'subject' });
  if (kind === 'enterprise-code' && !ENTERPRISE_CODE.test(value))
    throw new LgspError(ErrorCode.INVALID_ENTERPRISE_CODE, 'subject must be an enterprise code of 10 digits, optionally followed by -NNN', {
      argument: 'subject',
    });
  return value;
}

function checkPeriod(from: string, to: string): { from: string; to: string } {
  const start = parseInstant(from, 'from');
  const end = parseInstant(to, 'to');
  if (end <= start) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'to must be after from', { argument: 'to' });
  return { from: start.toISOString(), to: end.toISOString() };
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE)
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `first must be from 0 to ${MAX_PAGE}`, { argument: 'first' });
  return first;
}

/**
 * The cursor of a page read across slices: each slice's own cursor (null: from its start, `false`: exhausted),
 * base64url JSON. Checked on the way in: a cursor that is not one of ours is INVALID_CURSOR.
 */
type SliceCursors = Array<string | null | false>;
const encodeCursor = (cursors: SliceCursors): string => Buffer.from(JSON.stringify(cursors)).toString('base64url');
function decodeCursor(cursor: string | null | undefined, slices: number): SliceCursors {
  if (cursor === null || cursor === undefined) return new Array<null>(slices).fill(null);
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === slices && value.every((c) => c === null || c === false || (typeof c === 'string' && c.length <= 512)))
      return value as SliceCursors;
  } catch {
    /* falls through */
  }
  throw new LgspError(ErrorCode.INVALID_CURSOR, 'after is not a cursor of this query', { argument: 'after' });
}

/**
 * One page of `first` records, newest first, over the union of the slices (a record in two slices counts once).
 * Each slice is read from its cursor; the records consumed of each decide its next cursor (read again with that
 * count when a page was consumed only in part, so the adapter's own cursor says where to resume).
 */
async function readSlices(log: AuditLog, base: AuditQuery, slices: Slice[], first: number, after: string | null | undefined): Promise<AuditPageResult> {
  const cursors = decodeCursor(after, slices.length);
  if (first === 0) return { records: [], endCursor: cursors.every((c) => c === false) ? null : encodeCursor(cursors) };
  const pages = await Promise.all(
    slices.map((slice, i) =>
      cursors[i] === false
        ? Promise.resolve({ records: [] as AuditRecord[], next: null })
        : log.query({ ...base, ...slice, limit: first, ...(cursors[i] === null ? {} : { cursor: cursors[i] as string }) }),
    ),
  );
  const heads = pages.map(() => 0);
  const records: AuditRecord[] = [];
  while (records.length < first) {
    let best = -1;
    for (let i = 0; i < pages.length; i += 1) {
      const candidate = pages[i]!.records[heads[i]!];
      if (candidate !== undefined && (best < 0 || candidate.seq > pages[best]!.records[heads[best]!]!.seq)) best = i;
    }
    if (best < 0) break;
    const record = pages[best]!.records[heads[best]!]!;
    records.push(record);
    for (let i = 0; i < pages.length; i += 1) if (pages[i]!.records[heads[i]!]?.seq === record.seq) heads[i]! += 1;
  }
  const next: SliceCursors = await Promise.all(
    pages.map(async (page, i) => {
      if (cursors[i] === false) return false;
      const consumed = heads[i]!;
      if (consumed === page.records.length) return page.next ?? false;
      if (consumed === 0) return cursors[i]!;
      const partial = await log.query({ ...base, ...slices[i], limit: consumed, ...(cursors[i] === null ? {} : { cursor: cursors[i] as string }) });
      return partial.next ?? false;
    }),
  );
  return { records, endCursor: next.every((c) => c === false) ? null : encodeCursor(next) };
}

export interface AuditQueriesOptions {
  log: AuditLog;
  hasher: SubjectHasher;
  audit: AuditWriter;
  now: () => Date;
}

export class AuditQueries {
  constructor(private readonly options: AuditQueriesOptions) {}

  async personalDataAccesses(
    caller: Caller,
    args: { subject: string; subjectKind: SubjectKind; from: string; to: string; first: number; after?: string | null | undefined },
    requestId: string | null,
  ): Promise<AuditPageResult> {
    return this.recorded(caller, 'personalDataAccesses', requestId, args.subject, args.subjectKind, async () => {
      const value = checkSubject(args.subject, args.subjectKind);
      const period = checkPeriod(args.from, args.to);
      const first = checkFirst(args.first);
      const slices = scopeOf(caller, {});
      const subject = this.options.hasher({ kind: args.subjectKind, value });
      return readSlices(this.options.log, { ...period, subject }, slices, first, args.after);
    });
  }

  async auditRecords(
    caller: Caller,
    args: { filter: AuditFilter; first: number; after?: string | null | undefined },
    requestId: string | null,
  ): Promise<AuditPageResult> {
    return this.recorded(caller, 'auditRecords', requestId, null, null, async () => {
      const { filter } = args;
      const period = checkPeriod(filter.from, filter.to);
      const first = checkFirst(args.first);
      const slices = scopeOf(caller, { agency: filter.agency, counterpartAgency: filter.counterpartAgency });
      const base: AuditQuery = {
        ...period,
        ...(filter.purpose === undefined ? {} : { purpose: filter.purpose }),
        ...(filter.outcome === undefined ? {} : { outcome: filter.outcome }),
        ...(filter.kind === undefined ? {} : { kind: filter.kind }),
        ...(filter.requestId === undefined ? {} : { requestId: filter.requestId }),
      };
      return readSlices(this.options.log, base, slices, first, args.after);
    });
  }

  /** Runs a query and records who asked, what for and how it ended (refusals too). */
  private async recorded(
    caller: Caller,
    action: string,
    requestId: string | null,
    subject: string | null,
    subjectKind: SubjectKind | null,
    run: () => Promise<AuditPageResult>,
  ): Promise<AuditPageResult> {
    let outcome: AuditOutcome = 'success';
    let errorCodes: string[] = [];
    let result: AuditPageResult | null = null;
    try {
      result = await run();
      return result;
    } catch (error) {
      const code = error instanceof LgspError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
      outcome = code === ErrorCode.FORBIDDEN ? 'denied' : error instanceof LgspError ? 'rejected' : 'error';
      errorCodes = [code];
      throw error;
    } finally {
      const p = caller.principal;
      // A subject that is not a valid identifier is not recorded as one (it may be anything a caller typed).
      const subjects = subject !== null && subjectKind !== null && outcome !== 'rejected' ? [{ kind: subjectKind, value: subject.trim() }] : [];
      this.options.audit.write({
        kind: 'operation',
        at: this.options.now().toISOString(),
        requestId,
        source: 'monitoring',
        environment: p.environment ?? 'production',
        agency: caller.agencyCode,
        system: caller.systemId,
        user: p.kind === 'user' ? (p.username ?? p.userId ?? null) : null,
        purpose: p.purpose ?? null,
        action,
        operationType: 'query',
        documentHash: null,
        fields: [],
        personalFields: [],
        counterpartAgency: null,
        service: 'monitoring',
        entityId: null,
        outcome,
        errorCodes,
        durationMs: null,
        bytesIn: null,
        bytesOut: null,
        details: { results: result?.records.length ?? 0 },
        subjects,
      });
    }
  }
}
