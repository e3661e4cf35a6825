/**
 * The audit trail's queries, without GraphQL: check the input, turn the caller into the slices of the log it may
 * read (authorization.table.ts), read one page newest first across the slices, and record that the caller looked
 * (kind `operation`: who searched for whom is itself personal-data processing, and reviewed like any other).
 *
 * `myDataAccesses` (a citizen's right to know, Law 91/2025): the records naming the caller's own personal ID, or the
 * enterprise code they represent, newest first — every record an agency wrote about them, and their own self-access
 * reads (marked `byViewer`). Two things are not listed, both decided here: a provider's `served` record of a request
 * whose gateway `graphql` record names the same subject (the same read, seen from the provider: listed once, by the
 * gateway's record, which marks the personal-data fields), and the caller's own `myDataAccesses` look-ups (recorded,
 * but listing them would add a line at every visit). In what a citizen is shown, other people never appear: the
 * acting person's login only when it is the citizen's own, subjects only the citizen's own hashes.
 */
import type { AuditLog, AuditQuery, AuditRecord, AuditWriter, SubjectHasher, SubjectKind, SubjectRef, AuditKind, AuditOutcome } from '@lgsp/audit';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { AgencyNames } from '../reports/agency-names.ts';
import type { Caller } from '../caller.ts';
import { parseInstant } from '../time.ts';
import { citizenSubjects, requireOperator, scopeOf, type Slice } from './authorization.table.ts';
import type { ChainStatus, ChainVerifier } from './chain-verifier.ts';

const PERSONAL_ID = /^\d{12}$/;
const ENTERPRISE_CODE = /^\d{10}(-\d{3})?$/;
export const MAX_PAGE = 100;
/** How far apart in time a gateway record and a provider's `served` record of one request may be. */
const FOLD_WINDOW_MS = 10 * 60_000;

/** A citizen's own subjects for the record of their look-up (none when the caller is not a citizen). */
function partyOwnSubjects(caller: Caller): SubjectRef[] {
  try {
    return citizenSubjects(caller);
  } catch {
    return [];
  }
}

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

/** Most rounds of reading a page that `keep` thinned: past it, a shorter page with a cursor (the log's own rule). */
const MAX_ROUNDS = 20;

/** As `readSlices`, leaving out the records `keep` refuses (and reading on until the page is full). */
async function readKept(
  log: AuditLog,
  base: AuditQuery,
  slices: Slice[],
  first: number,
  after: string | null | undefined,
  keep: (records: AuditRecord[]) => Promise<AuditRecord[]>,
): Promise<AuditPageResult> {
  const records: AuditRecord[] = [];
  let cursor = after;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const page = await readSlices(log, base, slices, first - records.length, cursor);
    records.push(...(await keep(page.records)));
    if (page.endCursor === null || records.length >= first) return { records, endCursor: page.endCursor };
    cursor = page.endCursor;
  }
  return { records, endCursor: cursor ?? null };
}

/** A record as a citizen sees it: their own subjects only; the acting person's login only when it is theirs. */
function citizenView(record: AuditRecord, own: readonly string[], viewerName: string | null): AuditRecord {
  return {
    ...record,
    subjects: record.subjects.filter((s) => own.includes(s)),
    user: record.user !== null && record.user === viewerName ? record.user : null,
  };
}

/** The login an audit record names for this caller (as every writer does: username, else the subject). */
export const recordedUserOf = (caller: Caller): string | null =>
  caller.principal.kind === 'user' ? (caller.principal.username ?? caller.principal.userId ?? null) : null;

/** Did the caller act in this record themself (a person with no other agency than theirs)? */
export const isViewerRecord = (record: AuditRecord, caller: Caller): boolean =>
  record.user !== null && record.user === recordedUserOf(caller) && record.system === null && record.agency === caller.agencyCode;

export interface AuditQueriesOptions {
  log: AuditLog;
  hasher: SubjectHasher;
  audit: AuditWriter;
  now: () => Date;
  /** The chain's verification, kept running (chain-verifier.ts). */
  verifier: ChainVerifier;
  /** Agency names by code (`AuditRecord.agencyName`, `counterpartName`). */
  names: AgencyNames;
}

export class AuditQueries {
  constructor(private readonly options: AuditQueriesOptions) {}

  /** The chain's verifier (tests run it). */
  get verifier(): ChainVerifier {
    return this.options.verifier;
  }

  /** An agency's name (tên cơ quan), or null when unknown. */
  async agencyName(code: string | null): Promise<string | null> {
    if (code === null) return null;
    return (await this.options.names([code])).get(code) ?? null;
  }

  async personalDataAccesses(
    caller: Caller,
    args: { subject: string; subjectKind: SubjectKind; from: string; to: string; first: number; after?: string | null | undefined },
    requestId: string | null,
  ): Promise<AuditPageResult> {
    const named = [{ kind: args.subjectKind, value: args.subject.trim() }];
    return this.recorded(caller, 'personalDataAccesses', requestId, named, async () => {
      const value = checkSubject(args.subject, args.subjectKind);
      const period = checkPeriod(args.from, args.to);
      const first = checkFirst(args.first);
      const slices = scopeOf(caller, {});
      const subject = this.options.hasher({ kind: args.subjectKind, value });
      return readSlices(this.options.log, { ...period, subject }, slices, first, args.after);
    });
  }

  /** The records naming the calling citizen (or the enterprise they represent), newest first (see the top). */
  async myDataAccesses(
    caller: Caller,
    args: { from: string; to: string; first: number; after?: string | null | undefined },
    requestId: string | null,
  ): Promise<AuditPageResult> {
    const own = partyOwnSubjects(caller);
    return this.recorded(caller, 'myDataAccesses', requestId, own, async () => {
      const subjects = citizenSubjects(caller);
      const period = checkPeriod(args.from, args.to);
      const first = checkFirst(args.first);
      const hashes = subjects.map((s) => this.options.hasher(s));
      const slices: Slice[] = hashes.map((subject) => ({ subject }));
      const viewer = recordedUserOf(caller);
      const page = await readKept(this.options.log, period, slices, first, args.after, async (records) => {
        const shown = records.filter((r) => !(r.source === 'monitoring' && r.action === 'myDataAccesses'));
        const folded = await Promise.all(shown.map((r) => this.servedOfListedRead(r, hashes, period)));
        return shown.filter((_, i) => !folded[i]);
      });
      return { records: page.records.map((r) => citizenView(r, hashes, viewer)), endCursor: page.endCursor };
    });
  }

  /** The chain's verification status (operator only): the verifier's latest run, or one run now when none has. */
  async auditChainStatus(caller: Caller): Promise<ChainStatus> {
    requireOperator(caller);
    return this.options.verifier.status();
  }

  /**
   * Is this a provider's `served` record of a read the gateway recorded too, naming one of the same subjects (then the
   * gateway's record is listed, not both)? Looked up by request id around its time, within the period asked.
   */
  private async servedOfListedRead(record: AuditRecord, hashes: readonly string[], period: { from: string; to: string }): Promise<boolean> {
    if (record.kind !== 'served' || record.requestId === null) return false;
    const at = Date.parse(record.at);
    const from = new Date(Math.max(at - FOLD_WINDOW_MS, Date.parse(period.from))).toISOString();
    const to = new Date(Math.min(at + FOLD_WINDOW_MS, Date.parse(period.to))).toISOString();
    for (const subject of hashes.filter((h) => record.subjects.includes(h))) {
      const match = await this.options.log.query({ from, to, subject, requestId: record.requestId, kind: 'graphql', limit: 1 });
      if (match.records.length > 0) return true;
    }
    return false;
  }

  async auditRecords(
    caller: Caller,
    args: { filter: AuditFilter; first: number; after?: string | null | undefined },
    requestId: string | null,
  ): Promise<AuditPageResult> {
    return this.recorded(caller, 'auditRecords', requestId, [], async () => {
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
    named: SubjectRef[],
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
      const subjects = outcome !== 'rejected' ? named : [];
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
