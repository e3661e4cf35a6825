/**
 * The change log: who changed what, when, and what it was before and after — every registry change, and every change
 * an operator makes with `npm run grants` (issue 16; the next issue chains these records). Append-only: a record is
 * never changed or deleted. Three adapters with one behaviour (change-log.contract.ts): memory, Redis (a stream,
 * `<prefix>registry:changes`) and HTTP (the registry's `/internal/v1/access/changes`).
 */
import { z } from 'zod';

/** Who made a change. */
export const changeActorSchema = z
  .object({
    /**
     * What kind of actor: `user` (a person through the GraphQL API: an operator, an agency administrator, a provider's
     * or a consumer's staff), `operator` (a person at an operator's command line, e.g. `npm run grants`), `system`
     * (the platform itself, e.g. a service version retired on its date). Lower-case letters and `-`.
     */
    kind: z.string().regex(/^[a-z][a-z-]{0,31}$/, 'must be lower-case letters and - (at most 32), e.g. user, operator, system'),
    /** The person's login (`preferred_username`), or the name an operator gave with `--by`. */
    username: z.string().min(1).max(200).optional(),
    /** The actor's agency code, when it acts for an agency. */
    agencyCode: z.string().min(1).max(64).optional(),
  })
  .strict();

export type ChangeActor = z.infer<typeof changeActorSchema>;

const isoInstant = z.string().refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v), 'must be an ISO 8601 date-time');
/** Entity kinds, actions: short machine names (`grant`, `access-request`; `put`, `APPROVE`). */
const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** What `append` takes: a record without its id (the log assigns it); `at` defaults to the time of the append. */
export const changeInputSchema = z
  .object({
    /** When the change happened (ISO 8601); default: now. */
    at: isoInstant.optional(),
    actor: changeActorSchema,
    /** The kind of thing changed: `grant`, `credential-revocation`, `agency`, `access-request`, … */
    entity: z.string().regex(NAME, 'must be a name of letters, digits, _ . : - (at most 64)'),
    /** Its identifier (a grant id, an agency code, an access request id). */
    entityId: z.string().min(1).max(256),
    /** What was done: `put`, `revoke`, `APPROVE`, `CANCEL`, … */
    action: z.string().regex(NAME, 'must be a name of letters, digits, _ . : - (at most 64)'),
    /** The entity before the change (null when it did not exist). */
    before: z.unknown(),
    /** The entity after the change (null when it no longer exists). */
    after: z.unknown(),
  })
  .strict();

export type ChangeInput = z.infer<typeof changeInputSchema>;

/** A stored change. */
export interface ChangeRecord {
  /** Assigned by the log, unique and increasing in the order of appends: `<ms>-<seq>` (a Redis stream id). */
  id: string;
  /** When the change happened (ISO 8601). */
  at: string;
  actor: ChangeActor;
  entity: string;
  entityId: string;
  action: string;
  /** The entity before (null when created). */
  before: unknown;
  /** The entity after (null when removed). */
  after: unknown;
}

/** What `list` selects. */
export interface ChangeQuery {
  /** Only changes of this entity kind. */
  entity?: string;
  /** Only changes of the entity with this id (`entityId`). */
  id?: string;
  /** At most this many records (1 to 1000). */
  limit: number;
  /** Only records older than this record id (paging: the id of the last record of the previous page). */
  before?: string;
}

/** The most records one `list` answers. */
export const MAX_CHANGES_PER_LIST = 1000;

/** Largest `before`/`after` JSON of one record (bytes): a record describes one entity, not a data set. */
export const MAX_CHANGE_BYTES = 256 * 1024;

export interface ChangeLog {
  /**
   * Appends a record (validated: a bad record throws an Error naming each problem, nothing stored) and answers it as
   * stored, with its id.
   */
  append(record: ChangeInput): Promise<ChangeRecord>;
  /** The records selected, newest first. */
  list(query: ChangeQuery): Promise<ChangeRecord[]>;
  /** Releases what the log opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}

/** Checks a record to append; throws an Error whose message lists every problem. */
export function parseChangeInput(value: unknown): ChangeInput & { at: string } {
  const result = changeInputSchema.safeParse(value);
  if (!result.success)
    throw new Error(`invalid change record: ${result.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ')}`);
  const record = { ...result.data, before: result.data.before ?? null, after: result.data.after ?? null, at: result.data.at ?? new Date().toISOString() };
  const size = Buffer.byteLength(JSON.stringify([record.before, record.after]));
  if (size > MAX_CHANGE_BYTES) throw new Error(`invalid change record: before and after take ${size} bytes as JSON, more than ${MAX_CHANGE_BYTES}`);
  return record;
}

/** Checks a query; throws an Error naming the problem. */
export function checkChangeQuery(query: ChangeQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_CHANGES_PER_LIST) {
    throw new Error(`invalid change query: limit must be an integer from 1 to ${MAX_CHANGES_PER_LIST}`);
  }
  if (query.before !== undefined && !CHANGE_ID.test(query.before)) throw new Error('invalid change query: before must be a record id (<ms>-<seq>)');
}

/** A record id: `<ms>-<seq>`. */
export const CHANGE_ID = /^\d{1,20}-\d{1,20}$/;

/** Whether record id `a` is older than `b`. */
export function isOlderChangeId(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am < bm || (am === bm && as < bs);
}

/** Whether a record matches the query's filters. */
export function changeMatches(record: ChangeRecord, query: ChangeQuery): boolean {
  return (query.entity === undefined || record.entity === query.entity) && (query.id === undefined || record.entityId === query.id);
}
