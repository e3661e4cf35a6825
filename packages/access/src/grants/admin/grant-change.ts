/** What putting a grant changes, field by field, and how an operator reads it. */
import { grantSchema, type Grant } from '../grant.ts';

/** The grant's fields in the order the schema declares them. */
const FIELDS = Object.keys(grantSchema.shape) as Array<keyof Grant>;

export interface FieldChange {
  field: keyof Grant;
  /** Absent when the field was not set. */
  before: unknown;
  after: unknown;
}

export type GrantChange =
  { kind: 'created'; after: Grant } | { kind: 'replaced'; before: Grant; after: Grant; fields: FieldChange[] } | { kind: 'unchanged'; grant: Grant };

/** Compares the stored grant (or null) with the one about to be put. */
export function compareGrant(before: Grant | null, after: Grant): GrantChange {
  if (before === null) return { kind: 'created', after };
  const fields = FIELDS.filter((field) => canonical(before[field]) !== canonical(after[field])).map((field) => ({
    field,
    before: before[field],
    after: after[field],
  }));
  return fields.length === 0 ? { kind: 'unchanged', grant: after } : { kind: 'replaced', before, after, fields };
}

/** `purposes: +education -residence-management`, `validTo: (none) → 2026-07-01T00:00:00+07:00`. */
export function describeFieldChange(change: FieldChange): string {
  const { before, after } = change;
  if (isStringList(before) && isStringList(after)) {
    const added = after.filter((v) => !before.includes(v)).map((v) => `+${v}`);
    const removed = before.filter((v) => !after.includes(v)).map((v) => `-${v}`);
    // Same members in another order: only the order changed.
    return `${change.field}: ${added.length + removed.length === 0 ? `${JSON.stringify(before)} → ${JSON.stringify(after)}` : [...added, ...removed].join(' ')}`;
  }
  return `${change.field}: ${show(before)} → ${show(after)}`;
}

/** One line (or a few) per grant for the operator: what was (or, in a dry run, would be) done. */
export function describeChange(change: GrantChange, dryRun: boolean): string {
  switch (change.kind) {
    case 'created':
      return `${dryRun ? 'would create' : 'created'} ${change.after.id}: ${summary(change.after)}`;
    case 'replaced':
      return [`${dryRun ? 'would replace' : 'replaced'} ${change.after.id}:`, ...change.fields.map((f) => `    ${describeFieldChange(f)}`)].join('\n');
    case 'unchanged':
      return `unchanged ${change.grant.id} (${dryRun ? 'would not be written' : 'not written'})`;
  }
}

/**
 * `000.00.02.H41 → 000.01.06.H41 national-data [national-data.citizen.basic] for education`, then `, test environment`
 * for a test grant and `, quota 10 per 60 s` for a grant with a quota.
 */
export function summary(grant: Grant): string {
  return (
    `${grant.provider} → ${grant.consumer} ${grant.service} [${grant.fieldSets.join(', ')}] for ${grant.purposes.join(', ')}` +
    (grant.environment === 'test' ? ', test environment' : '') +
    (grant.quota === undefined ? '' : `, quota ${grant.quota.requests} per ${grant.quota.perSeconds} s`)
  );
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** JSON with object keys sorted, so two equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    ) ?? 'undefined'
  );
}
