/**
 * Administrative units (đơn vị hành chính) of both models:
 * - TWO_TIER, in force since 2025-07-01 (Resolution 202/2025/QH15 and the NQ-UBTVQH15 resolutions of 2025):
 *   province (tỉnh, thành phố) → commune (xã, phường, đặc khu);
 * - THREE_TIER, in force until 2025-06-30: province → district (quận, huyện, thị xã, thành phố thuộc tỉnh) →
 *   commune (xã, phường, thị trấn).
 * Codes are the GSO codes (mã đơn vị hành chính, Decision 124/2004/QĐ-TTg and its updates) as strings.
 */
import { searchKey, nameKey } from './text.ts';

export type AdministrativeTier = 'TWO_TIER' | 'THREE_TIER';
export type AdministrativeLevel = 'PROVINCE' | 'DISTRICT' | 'COMMUNE';
export const TIERS: readonly AdministrativeTier[] = ['TWO_TIER', 'THREE_TIER'];

/** One unit as stored in a catalog version. */
export interface AdminUnitRow {
  code: string;
  level: AdministrativeLevel;
  /** Kind of unit as written in its name: "Tỉnh", "Thành phố", "Quận", "Huyện", "Thị xã", "Xã", "Phường", "Thị trấn", "Đặc khu". */
  type: string;
  /** Name without the kind: "Hà Nội". */
  name: string;
  /** Name with the kind: "Thành phố Hà Nội". */
  fullName: string;
  parentCode: string | null;
  englishName?: string | undefined;
  /** Set when this unit started later than its tier (e.g. created or renamed by a later import). */
  validFrom?: string | undefined;
}

export interface AdminTierList {
  /** First day the list is in force (ISO date), or null when not recorded. */
  validFrom: string | null;
  /** Last day the list was in force (ISO date), or null while it is current. */
  validTo: string | null;
  units: AdminUnitRow[];
}

/** The payload of one version of the ADMINISTRATIVE_UNITS catalog: both lists and the old → new mapping. */
export interface AdminUnitsPayload {
  twoTier: AdminTierList;
  threeTier: AdminTierList;
  /** [three-tier commune code, two-tier commune code] pairs: the old commune became (part of) the new one. */
  successions: Array<[string, string]>;
}

/** A unit as served: a row plus where it sits. */
export interface AdminUnit extends Omit<AdminUnitRow, 'validFrom'> {
  tier: AdministrativeTier;
  provinceCode: string;
  /** District (three-tier communes only). */
  districtCode: string | null;
  validFrom: string | null;
  validTo: string | null;
  /** Catalog version this unit was read from; related units are read from the same version. */
  version: number;
}

export const LEVEL_ORDER: Record<AdministrativeLevel, number> = { PROVINCE: 0, DISTRICT: 1, COMMUNE: 2 };

/** Unit kinds, longest first so that "Thành phố" wins over a shorter prefix. */
const UNIT_TYPES = ['Thành phố', 'Thị trấn', 'Thị xã', 'Đặc khu', 'Phường', 'Huyện', 'Quận', 'Tỉnh', 'Xã'];

/** Splits "Thị Xã Sơn Tây" into { type: "Thị xã", name: "Sơn Tây" }; a name without a known kind keeps type "". */
export function splitUnitType(fullName: string): { type: string; name: string } {
  const text = fullName.normalize('NFC').trim().replace(/\s+/g, ' ');
  const key = nameKey(text);
  for (const type of UNIT_TYPES) {
    const typeKey = nameKey(type);
    if (key === typeKey) return { type, name: text };
    if (key.startsWith(`${typeKey} `)) return { type, name: text.split(' ').slice(type.split(' ').length).join(' ') };
  }
  return { type: '', name: text };
}

export interface AdminUnitFilter {
  tier: AdministrativeTier;
  level?: AdministrativeLevel | undefined;
  /** Direct parent or any ancestor (province, or district for three-tier communes). */
  parentCode?: string | undefined;
  search?: string | undefined;
}

interface Indexed {
  unit: AdminUnit;
  nameKey: string;
  fullNameKey: string;
}

/**
 * In-memory indexes over one immutable catalog version: lookups by code, children, ancestors, accent-insensitive
 * search and successions. Built once per version and kept by the process.
 */
export class AdminUnitIndex {
  readonly version: number;
  readonly counts: Record<AdministrativeTier, Record<AdministrativeLevel, number>>;
  private readonly byCode = new Map<AdministrativeTier, Map<string, Indexed>>();
  private readonly ordered = new Map<AdministrativeTier, Indexed[]>();
  private readonly childrenOf = new Map<string, AdminUnit[]>();
  private readonly successorsOf = new Map<string, string[]>();
  private readonly predecessorsOf = new Map<string, string[]>();

  constructor(payload: AdminUnitsPayload, version: number) {
    this.version = version;
    this.counts = { TWO_TIER: { PROVINCE: 0, DISTRICT: 0, COMMUNE: 0 }, THREE_TIER: { PROVINCE: 0, DISTRICT: 0, COMMUNE: 0 } };
    this.indexTier('TWO_TIER', payload.twoTier);
    this.indexTier('THREE_TIER', payload.threeTier);
    this.indexSuccessions(payload.successions);
  }

  get(tier: AdministrativeTier, code: string): AdminUnit | null {
    return this.byCode.get(tier)?.get(code)?.unit ?? null;
  }

  has(tier: AdministrativeTier, code: string): boolean {
    return this.byCode.get(tier)?.has(code) ?? false;
  }

  parent(unit: AdminUnit): AdminUnit | null {
    return unit.parentCode === null ? null : this.get(unit.tier, unit.parentCode);
  }

  children(unit: AdminUnit): readonly AdminUnit[] {
    return this.childrenOf.get(`${unit.tier}:${unit.code}`) ?? [];
  }

  /**
   * The units that took over this unit's territory in the other model. Three-tier commune → the two-tier
   * communes it went into; three-tier district → the two-tier communes its communes went into; three-tier
   * province → the two-tier provinces of those communes. Two-tier units have none.
   */
  successors(unit: AdminUnit): AdminUnit[] {
    if (unit.tier !== 'THREE_TIER') return [];
    const codes = this.successorsOf.get(unit.code) ?? [];
    return codes.map((code) => this.get('TWO_TIER', code)).filter((u): u is AdminUnit => u !== null);
  }

  /** The three-tier units of the same level whose territory this two-tier unit took over. */
  predecessors(unit: AdminUnit): AdminUnit[] {
    if (unit.tier !== 'TWO_TIER') return [];
    const codes = this.predecessorsOf.get(unit.code) ?? [];
    return codes.map((code) => this.get('THREE_TIER', code)).filter((u): u is AdminUnit => u !== null);
  }

  /** Units matching the filter, best search matches first, then by level and code. Deterministic per version. */
  list(filter: AdminUnitFilter): AdminUnit[] {
    const all = this.ordered.get(filter.tier) ?? [];
    const query = filter.search === undefined ? '' : searchKey(filter.search);
    const matches: Array<{ entry: Indexed; score: number }> = [];
    for (const entry of all) {
      const { unit } = entry;
      if (filter.level !== undefined && unit.level !== filter.level) continue;
      if (
        filter.parentCode !== undefined &&
        unit.parentCode !== filter.parentCode &&
        unit.provinceCode !== filter.parentCode &&
        unit.districtCode !== filter.parentCode
      )
        continue;
      if (filter.parentCode !== undefined && unit.code === filter.parentCode) continue;
      const score = query === '' ? 0 : searchScore(entry, query);
      if (score < 0) continue;
      matches.push({ entry, score });
    }
    if (query !== '') matches.sort((a, b) => a.score - b.score); // stable: keeps level/code order within a score
    return matches.map((m) => m.entry.unit);
  }

  private indexTier(tier: AdministrativeTier, list: AdminTierList): void {
    const rows = new Map(list.units.map((row) => [row.code, row]));
    const codes = new Map<string, Indexed>();
    const ancestorsOf = (row: AdminUnitRow): { provinceCode: string; districtCode: string | null } => {
      if (row.level === 'PROVINCE') return { provinceCode: row.code, districtCode: null };
      const parent = row.parentCode === null ? undefined : rows.get(row.parentCode);
      if (parent === undefined) return { provinceCode: row.parentCode ?? '', districtCode: null };
      if (parent.level === 'DISTRICT') return { provinceCode: parent.parentCode ?? '', districtCode: parent.code };
      return { provinceCode: parent.code, districtCode: null };
    };
    for (const row of list.units) {
      const unit: AdminUnit = Object.freeze({
        ...row,
        tier,
        ...ancestorsOf(row),
        validFrom: row.validFrom ?? list.validFrom,
        validTo: list.validTo,
        version: this.version,
      });
      codes.set(row.code, { unit, nameKey: searchKey(row.name), fullNameKey: searchKey(row.fullName) });
      this.counts[tier][row.level] += 1;
    }
    const ordered = [...codes.values()].sort((a, b) => LEVEL_ORDER[a.unit.level] - LEVEL_ORDER[b.unit.level] || compareCodes(a.unit.code, b.unit.code));
    for (const { unit } of ordered) {
      if (unit.parentCode === null) continue;
      const key = `${tier}:${unit.parentCode}`;
      const siblings = this.childrenOf.get(key);
      if (siblings === undefined) this.childrenOf.set(key, [unit]);
      else siblings.push(unit);
    }
    this.byCode.set(tier, codes);
    this.ordered.set(tier, ordered);
  }

  private indexSuccessions(pairs: Array<[string, string]>): void {
    const add = (map: Map<string, string[]>, from: string, to: string) => {
      const list = map.get(from);
      if (list === undefined) map.set(from, [to]);
      else if (!list.includes(to)) list.push(to);
    };
    for (const [oldCode, newCode] of pairs) {
      const oldUnit = this.get('THREE_TIER', oldCode);
      const newUnit = this.get('TWO_TIER', newCode);
      if (oldUnit === null || newUnit === null) continue;
      add(this.successorsOf, oldCode, newCode);
      add(this.predecessorsOf, newCode, oldCode);
      // Districts and provinces: derived from their communes.
      // A district has no counterpart level; its successors are the communes that took its communes over.
      if (oldUnit.districtCode !== null) add(this.successorsOf, oldUnit.districtCode, newCode);
      add(this.successorsOf, oldUnit.provinceCode, newUnit.provinceCode);
      add(this.predecessorsOf, newUnit.provinceCode, oldUnit.provinceCode);
    }
    for (const list of [...this.successorsOf.values(), ...this.predecessorsOf.values()]) list.sort(compareCodes);
  }
}

function compareCodes(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** 0 exact name, 1 exact full name, 2 name starts with, 3 a word starts with, 4 contains; -1 no match. */
function searchScore(entry: Indexed, query: string): number {
  if (entry.nameKey === query) return 0;
  if (entry.fullNameKey === query) return 1;
  if (entry.nameKey.startsWith(query)) return 2;
  if (entry.fullNameKey.startsWith(query) || entry.fullNameKey.includes(` ${query}`)) return 3;
  if (entry.fullNameKey.includes(query)) return 4;
  return -1;
}
