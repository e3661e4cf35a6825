/** The grants as a plain-text table for an operator's terminal (`npm run grants -- list`). */
import { grantEnvironment, isActive, type Grant } from '../grant.ts';

export type GrantStatus = 'active' | 'NOT YET VALID' | 'EXPIRED';

/** Whether the grant is in force at `now`; the two other states are upper-case so they stand out in the table. */
export function grantStatus(grant: Grant, now: number): GrantStatus {
  if (isActive(grant, now)) return 'active';
  return Date.parse(grant.validFrom) > now ? 'NOT YET VALID' : 'EXPIRED';
}

const COLUMNS: Array<{ title: string; value: (grant: Grant, now: number) => string }> = [
  { title: 'ID', value: (g) => g.id },
  { title: 'PROVIDER → CONSUMER', value: (g) => `${g.provider} → ${g.consumer}` },
  { title: 'SERVICE', value: (g) => g.service },
  { title: 'FIELD SETS', value: (g) => g.fieldSets.join(', ') },
  { title: 'PURPOSES', value: (g) => g.purposes.join(', ') },
  { title: 'VALID FROM', value: (g) => g.validFrom },
  { title: 'VALID TO', value: (g) => g.validTo ?? '-' },
  {
    title: 'ROW CONDITION',
    value: (g) =>
      g.rowCondition === undefined
        ? '-'
        : Object.entries(g.rowCondition)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', '),
  },
  { title: 'ENVIRONMENT', value: (g) => grantEnvironment(g) },
  { title: 'QUOTA', value: (g) => (g.quota === undefined ? '-' : `${g.quota.requests}/${g.quota.perSeconds}s`) },
  { title: 'STATUS', value: (g, now) => grantStatus(g, now) },
];

export function formatGrantsTable(grants: Grant[], now: number): string {
  const rows = [COLUMNS.map((c) => c.title), ...grants.map((g) => COLUMNS.map((c) => c.value(g, now)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => [...row[i]!].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  ')).join('\n');
}
