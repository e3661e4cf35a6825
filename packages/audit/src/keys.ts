/**
 * Every Redis key of `@lgsp/audit`, and only here (prefix `lgsp:` in deployment, `REDIS_KEY_PREFIX`). The hash tag
 * `{audit}` keeps every key in one Redis Cluster slot: the append script writes the stream, the head, the rollups and
 * the indexes together.
 *
 * | key | type | what |
 * | --- | --- | --- |
 * | `<prefix>audit:{audit}:log` | stream | one entry per record, id `<seq>-0`, field `record` = the record's canonical JSON |
 * | `<prefix>audit:{audit}:head` | hash | `seq`, `hash` of the last record appended (kept when records are trimmed) |
 * | `<prefix>audit:{audit}:checkpoints` | list | signed checkpoints (JSON), oldest first |
 * | `<prefix>audit:{audit}:stats:<day>` | hash | rollup counters of a Vietnam day: field `[environment,agency,system,service,metric]` (JSON) → count |
 * | `<prefix>audit:{audit}:idx:day:<day>` | sorted set | every record of a Vietnam day: score = `at` in ms, member = 10^14 + seq |
 * | `<prefix>audit:{audit}:idx:agency:<day>:<agency>` | sorted set | the records an agency made that day (same score and member) |
 * | `<prefix>audit:{audit}:idx:counterpart:<day>:<agency>` | sorted set | the records an agency was the counterpart of that day |
 * | `<prefix>audit:{audit}:idx:subject:<subject>` | sorted set | the records naming a subject (its keyed hash), all days |
 * | `<prefix>audit:{audit}:batch:<id>` | string | `<firstSeq>:<count>` of an append already committed (1 hour), so a retried append is not stored twice |
 */

export interface AuditKeys {
  log: string;
  head: string;
  checkpoints: string;
  stats(day: string): string;
  dayIndex(day: string): string;
  agencyIndex(day: string, agency: string): string;
  counterpartIndex(day: string, agency: string): string;
  subjectIndex(subject: string): string;
  batch(id: string): string;
}

export function auditKeys(prefix: string): AuditKeys {
  const base = `${prefix}audit:{audit}`;
  return {
    log: `${base}:log`,
    head: `${base}:head`,
    checkpoints: `${base}:checkpoints`,
    stats: (day) => `${base}:stats:${day}`,
    dayIndex: (day) => `${base}:idx:day:${day}`,
    agencyIndex: (day, agency) => `${base}:idx:agency:${day}:${agency}`,
    counterpartIndex: (day, agency) => `${base}:idx:counterpart:${day}:${agency}`,
    subjectIndex: (subject) => `${base}:idx:subject:${subject}`,
    batch: (id) => `${base}:batch:${id}`,
  };
}

/** Every key of the audit log under a prefix (cleaning up after tests and benches). */
export function auditKeyPattern(prefix: string): string {
  return `${prefix}audit:*`;
}

/** The member of a record in an index sorted set: fixed width (15 digits), so ties order by seq, and integer-encoded. */
export function indexMember(seq: number): string {
  return String(1e14 + seq);
}

export function seqOfMember(member: string): number {
  return Number(member) - 1e14;
}
