/**
 * The agencies of the registry as AGENCIES catalog rows. The registry (`GET /internal/v1/agencies`) is the source of
 * the province's agency identifier codes (issue 16); it gives code, names, parent, lifecycle status, successors and
 * the date the status took effect. What it does not hold — English name, kind, governed administrative unit — is
 * taken from the record itself when it carries them, else kept from the current catalog version for the same code,
 * else left empty (`kind` OTHER).
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { checkAgencyCode } from './agency-code.ts';
import { AGENCY_STATUSES, withLifecycle, type AgencyKind, type AgencyRow, type AgencyStatus } from './reference-catalogs.ts';

/** One item of the registry's `GET /internal/v1/agencies` (`AgencyRecord` of the registry's internal API). */
export interface RegistryAgencyRecord {
  code: string;
  name: string;
  shortName: string | null;
  parentCode: string | null;
  status: AgencyStatus;
  successorCodes: string[];
  effectiveFrom: string | null;
  /** Not in the registry's contract; read when present. */
  englishName?: string | null;
  kind?: AgencyKind;
  administrativeUnitCode?: string | null;
}

/** What an import changes, by agency code. */
export interface AgencyChanges {
  added: string[];
  removed: string[];
  /** Codes whose row differs (name, parent, status, successors, …). */
  changed: string[];
}

/**
 * Rows for the catalog, sorted by code. Throws BAD_USER_INPUT (INVALID_AGENCY_CODE for a malformed code) naming the
 * record when the list is not one the catalog can serve: a code twice, a status the catalog does not know. The
 * whole list is refused, so that a broken answer never replaces
 * the current version.
 */
export function agencyRowsFromRegistry(records: readonly RegistryAgencyRecord[], previous: readonly AgencyRow[]): AgencyRow[] {
  const known = new Map(previous.map((row) => [row.code, row]));
  const codes = new Set<string>();
  for (const record of records) {
    const check = checkAgencyCode(record.code);
    if (!check.valid) throw new LgspError(ErrorCode.INVALID_AGENCY_CODE, `registry agency ${record.code}: ${check.reason}`);
    if (codes.has(record.code)) throw new LgspError(ErrorCode.BAD_USER_INPUT, `registry agency ${record.code} is listed twice`);
    if (!AGENCY_STATUSES.includes(record.status))
      throw new LgspError(ErrorCode.BAD_USER_INPUT, `registry agency ${record.code}: unknown status ${record.status}`);
    codes.add(record.code);
  }
  // Parents and successors are not required to be listed: they may be agencies outside the province (a ministry);
  // the catalog then answers them as null.
  return records
    .map((record): AgencyRow => {
      const before = known.get(record.code);
      return {
        code: record.code,
        name: record.name,
        shortName: record.shortName,
        englishName: record.englishName !== undefined ? record.englishName : (before?.englishName ?? null),
        kind: record.kind ?? before?.kind ?? 'OTHER',
        parentCode: record.parentCode,
        administrativeUnitCode: record.administrativeUnitCode !== undefined ? record.administrativeUnitCode : (before?.administrativeUnitCode ?? null),
        status: record.status,
        successorCodes: [...record.successorCodes],
        effectiveFrom: record.effectiveFrom,
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** Added, removed and changed codes from `before` to `after` (rows compared with their lifecycle defaults). */
export function diffAgencies(before: readonly AgencyRow[], after: readonly AgencyRow[]): AgencyChanges {
  const old = new Map(before.map((row) => [row.code, canonical(row)]));
  const next = new Map(after.map((row) => [row.code, canonical(row)]));
  return {
    added: [...next.keys()].filter((code) => !old.has(code)).sort(),
    removed: [...old.keys()].filter((code) => !next.has(code)).sort(),
    changed: [...next.entries()]
      .filter(([code, row]) => old.has(code) && old.get(code) !== row)
      .map(([code]) => code)
      .sort(),
  };
}

/** True when both lists hold the same rows (in any order; a row without lifecycle fields equals an ACTIVE one). */
export function sameAgencies(before: readonly AgencyRow[], after: readonly AgencyRow[]): boolean {
  const changes = diffAgencies(before, after);
  return changes.added.length === 0 && changes.removed.length === 0 && changes.changed.length === 0;
}

function canonical(row: AgencyRow): string {
  const full = withLifecycle(row);
  return JSON.stringify([
    full.code,
    full.name,
    full.shortName,
    full.englishName,
    full.kind,
    full.parentCode,
    full.administrativeUnitCode,
    full.status,
    full.successorCodes,
    full.effectiveFrom,
  ]);
}
