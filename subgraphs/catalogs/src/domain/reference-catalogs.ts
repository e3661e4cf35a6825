/** The small code tables: ethnic groups, religions, countries and agencies, each served from one catalog version. */
import { searchKey } from './text.ts';

export interface EthnicGroupRow {
  code: string;
  name: string;
}

export interface ReligionRow {
  code: string;
  name: string;
  englishName: string;
}

export interface CountryRow {
  /** ISO 3166-1 alpha-2. */
  code: string;
  alpha3: string;
  /** ISO 3166-1 numeric, three digits. */
  numeric: string;
  /** Vietnamese name. */
  name: string;
  englishName: string;
}

export type AgencyKind = 'PEOPLES_COMMITTEE' | 'OFFICE' | 'DEPARTMENT' | 'POLICE' | 'HOSPITAL' | 'SCHOOL' | 'OTHER';

/**
 * Where an agency is in its lifecycle (the registry's Agency status): active, or renamed, split, merged or dissolved
 * as of `effectiveFrom`, with the agencies that took over its work in `successorCodes`.
 */
export type AgencyStatus = 'ACTIVE' | 'RENAMED' | 'SPLIT' | 'MERGED' | 'DISSOLVED';
export const AGENCY_STATUSES: readonly AgencyStatus[] = ['ACTIVE', 'RENAMED', 'SPLIT', 'MERGED', 'DISSOLVED'];

export interface AgencyRow {
  /** QCVN 102:2016 identifier code AAA.BB.CC.XNN. */
  code: string;
  name: string;
  shortName: string | null;
  englishName: string | null;
  kind: AgencyKind;
  parentCode: string | null;
  /** GSO code of the two-tier administrative unit the agency governs (People's Committees). */
  administrativeUnitCode: string | null;
  /** Lifecycle status; absent in versions published before the registry (development file): ACTIVE. */
  status?: AgencyStatus;
  /** Agencies that took over (renamed, split, merged); absent: none. */
  successorCodes?: string[];
  /** Date (ISO 8601) the status took effect; absent or null: not known. */
  effectiveFrom?: string | null;
}

/** An agency row with its lifecycle fields filled (ACTIVE, no successors) where the stored version has none. */
export function withLifecycle(row: AgencyRow): Required<AgencyRow> {
  return { ...row, status: row.status ?? 'ACTIVE', successorCodes: row.successorCodes ?? [], effectiveFrom: row.effectiveFrom ?? null };
}

/** Every served item carries the catalog version it was read from. */
export type Versioned<T> = T & { version: number };

export interface ReferenceItem {
  code: string;
  name: string;
}

/** Lookups by code (and by alternative keys), accent-insensitive search, children by parent code. */
export class CodeIndex<T extends ReferenceItem> {
  readonly version: number;
  readonly items: ReadonlyArray<Versioned<T>>;
  private readonly byKey = new Map<string, Versioned<T>>();
  private readonly keysOf: Map<Versioned<T>, string[]>;
  private readonly childrenOf = new Map<string, Array<Versioned<T>>>();

  /**
   * `altKeys`: other codes that find the same item (e.g. alpha-3 for a country); `searchable`: texts search looks in;
   * `parentOf`: the parent's code for hierarchical tables.
   */
  constructor(
    rows: readonly T[],
    version: number,
    options: { altKeys?: (row: T) => string[]; searchable?: (row: T) => string[]; parentOf?: (row: T) => string | null } = {},
  ) {
    this.version = version;
    this.items = rows.map((row) => Object.freeze({ ...row, version }));
    this.keysOf = new Map();
    for (const item of this.items) {
      this.byKey.set(item.code.toUpperCase(), item);
      for (const alt of options.altKeys?.(item) ?? []) this.byKey.set(alt.toUpperCase(), item);
      this.keysOf.set(item, (options.searchable?.(item) ?? [item.name]).map(searchKey));
      const parent = options.parentOf?.(item) ?? null;
      if (parent !== null) {
        const siblings = this.childrenOf.get(parent);
        if (siblings === undefined) this.childrenOf.set(parent, [item]);
        else siblings.push(item);
      }
    }
  }

  get(code: string): Versioned<T> | null {
    return this.byKey.get(code.trim().toUpperCase()) ?? null;
  }

  children(code: string): ReadonlyArray<Versioned<T>> {
    return this.childrenOf.get(code) ?? [];
  }

  /** Items whose code equals the query or whose name contains it (accent-insensitive); all items without a query. */
  search(query: string | null | undefined): Array<Versioned<T>> {
    if (query === undefined || query === null || query.trim() === '') return [...this.items];
    const key = searchKey(query);
    const exact = this.get(query);
    return this.items.filter((item) => item === exact || (this.keysOf.get(item) ?? []).some((k) => k.includes(key)));
  }
}
