/**
 * The hash chain: each record's hash covers the previous record's hash and the canonical JSON of the record itself
 * (keys sorted, no whitespace), so an edit, a removal or a reordering breaks every hash after it.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord, ChainHead } from './record.ts';
import { GENESIS_HASH } from './record.ts';

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash of a record given its entry, number and predecessor's hash. */
export function recordHash(entry: AuditEntry, seq: number, prevHash: string): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ ...entry, seq }))
    .digest('hex');
}

/** Chains entries after `head` (null: an empty log). */
export function chainEntries(entries: readonly AuditEntry[], head: ChainHead | null): AuditRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return entries.map((entry) => {
    seq += 1;
    const hash = recordHash(entry, seq, prevHash);
    const record: AuditRecord = { ...entry, seq, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

/** Strips the chain fields off a record. */
export function entryOf(record: AuditRecord): AuditEntry {
  const { seq: _seq, prevHash: _prev, hash: _hash, ...entry } = record;
  return entry;
}
