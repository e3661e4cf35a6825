/**
 * Loading a new administrative-unit list from a file and saying what changed. Formats:
 * - the thanglequoc/vietnamese-provinces-database "full JSON" of the two-tier list (provinces with `Wards`);
 * - its simplified three-tier JSON (provinces with `District` → `Ward`, `Code` and `FullName`).
 * Names are compared with `nameKey`, so "Hoà"/"Hòa", NFC/NFD and "’"/"'" are not reported as renames.
 */
import { z } from 'zod';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { splitUnitType, type AdminUnitRow, type AdminUnitsPayload, type AdministrativeTier } from './admin-units.ts';
import { nameKey } from './text.ts';

const code = (digits: number[]) =>
  z.string().regex(new RegExp(`^(${digits.map((d) => `\\d{${d}}`).join('|')})$`), `must be a GSO code of ${digits.join(' or ')} digits`);

const twoTierFile = z
  .array(
    z.object({
      Code: code([2]),
      Name: z.string().min(1),
      FullName: z.string().min(1),
      NameEn: z.string().optional(),
      AdministrativeUnitShortName: z.string().optional(),
      Wards: z.array(
        z.object({
          Code: code([5]),
          Name: z.string().min(1),
          FullName: z.string().min(1),
          NameEn: z.string().optional(),
          ProvinceCode: code([2]),
          AdministrativeUnitShortName: z.string().optional(),
        }),
      ),
    }),
  )
  .min(1);

const threeTierFile = z
  .array(
    z.object({
      Code: code([2]),
      FullName: z.string().min(1),
      District: z.array(
        z.object({
          Code: code([3]),
          FullName: z.string().min(1),
          Ward: z.array(z.object({ Code: code([5]), FullName: z.string().min(1) })).nullish(),
        }),
      ),
    }),
  )
  .min(1);

export interface ParsedAdminUnitsFile {
  tier: AdministrativeTier;
  format: 'thanglequoc-two-tier-full' | 'thanglequoc-three-tier-simplified';
  units: AdminUnitRow[];
}

/** Recognises the format, validates it and returns rows; BAD_USER_INPUT names the first problems. */
export function parseAdminUnitsFile(data: unknown): ParsedAdminUnitsFile {
  const first = Array.isArray(data) ? (data[0] as Record<string, unknown> | undefined) : undefined;
  if (first !== undefined && typeof first === 'object' && first !== null && 'Wards' in first) {
    const provinces = validate(twoTierFile, data);
    const units: AdminUnitRow[] = [];
    for (const p of provinces) {
      units.push({
        code: p.Code,
        level: 'PROVINCE',
        type: typeOf(p.FullName, p.AdministrativeUnitShortName),
        name: nfc(p.Name),
        fullName: nfc(p.FullName),
        parentCode: null,
        englishName: p.NameEn,
      });
      for (const w of p.Wards) {
        if (w.ProvinceCode !== p.Code) fail([`ward ${w.Code} is listed under province ${p.Code} but says ProvinceCode ${w.ProvinceCode}`]);
        units.push({
          code: w.Code,
          level: 'COMMUNE',
          type: typeOf(w.FullName, w.AdministrativeUnitShortName),
          name: nfc(w.Name),
          fullName: nfc(w.FullName),
          parentCode: p.Code,
          englishName: w.NameEn,
        });
      }
    }
    checkUnique(units);
    return { tier: 'TWO_TIER', format: 'thanglequoc-two-tier-full', units };
  }
  if (first !== undefined && typeof first === 'object' && first !== null && 'District' in first) {
    const provinces = validate(threeTierFile, data);
    const units: AdminUnitRow[] = [];
    const row = (c: string, level: AdminUnitRow['level'], fullName: string, parentCode: string | null): AdminUnitRow => {
      const { type, name } = splitUnitType(fullName);
      return { code: c, level, type, name, fullName: nfc(fullName), parentCode };
    };
    for (const p of provinces) {
      units.push(row(p.Code, 'PROVINCE', p.FullName, null));
      for (const d of p.District) {
        units.push(row(d.Code, 'DISTRICT', d.FullName, p.Code));
        for (const w of d.Ward ?? []) units.push(row(w.Code, 'COMMUNE', w.FullName, d.Code));
      }
    }
    checkUnique(units);
    return { tier: 'THREE_TIER', format: 'thanglequoc-three-tier-simplified', units };
  }
  return fail(['not a recognised administrative-unit file: expected a JSON array of provinces with "Wards" (two-tier) or "District" (three-tier)']);
}

function nfc(text: string): string {
  return text.normalize('NFC').trim();
}

function typeOf(fullName: string, shortName: string | undefined): string {
  return shortName !== undefined && shortName !== '' ? nfc(shortName) : splitUnitType(fullName).type;
}

function validate<T>(schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  return fail(result.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`));
}

function checkUnique(units: AdminUnitRow[]): void {
  const seen = new Set<string>();
  const duplicates = units.filter((u) => (seen.has(u.code) ? true : (seen.add(u.code), false))).map((u) => u.code);
  if (duplicates.length > 0) fail([`duplicate codes: ${duplicates.slice(0, 10).join(', ')}`]);
}

function fail(problems: string[]): never {
  throw new LgspError(ErrorCode.BAD_USER_INPUT, `Invalid administrative-unit file: ${problems.join('; ')}`);
}

export interface UnitRef {
  code: string;
  level: AdminUnitRow['level'];
  fullName: string;
  parentCode: string | null;
}

export interface AdminUnitChanges {
  tier: AdministrativeTier;
  added: UnitRef[];
  removed: UnitRef[];
  renamed: Array<{ code: string; level: AdminUnitRow['level']; from: string; to: string }>;
  reparented: Array<{
    code: string;
    fullName: string;
    from: { code: string | null; fullName: string | null };
    to: { code: string | null; fullName: string | null };
  }>;
  /** Same name written differently (tone placement, Unicode form, apostrophe, case): not a change of name. */
  respelled: Array<{ code: string; from: string; to: string }>;
  /** A removed and an added unit with the same name under the same parent: probably a corrected code. */
  possibleRecodes: Array<{ from: string; to: string; fullName: string }>;
  /** True when nothing but spelling changed. */
  unchanged: boolean;
}

const ref = (u: AdminUnitRow): UnitRef => ({ code: u.code, level: u.level, fullName: u.fullName, parentCode: u.parentCode });

/** What changed from `before` to `after` (two lists of the same tier). Lists are sorted by code. */
export function diffAdminUnits(tier: AdministrativeTier, before: readonly AdminUnitRow[], after: readonly AdminUnitRow[]): AdminUnitChanges {
  const old = new Map(before.map((u) => [u.code, u]));
  const next = new Map(after.map((u) => [u.code, u]));
  const byCode = (a: { code: string }, b: { code: string }) => a.code.length - b.code.length || a.code.localeCompare(b.code);
  const added = after
    .filter((u) => !old.has(u.code))
    .map(ref)
    .sort(byCode);
  const removed = before
    .filter((u) => !next.has(u.code))
    .map(ref)
    .sort(byCode);
  const renamed: AdminUnitChanges['renamed'] = [];
  const respelled: AdminUnitChanges['respelled'] = [];
  const reparented: AdminUnitChanges['reparented'] = [];
  for (const u of after) {
    const previous = old.get(u.code);
    if (previous === undefined) continue;
    if (nameKey(previous.fullName) !== nameKey(u.fullName)) renamed.push({ code: u.code, level: u.level, from: previous.fullName, to: u.fullName });
    else if (previous.fullName !== u.fullName) respelled.push({ code: u.code, from: previous.fullName, to: u.fullName });
    if (previous.parentCode !== u.parentCode) {
      const name = (map: Map<string, AdminUnitRow>, c: string | null) => (c === null ? null : (map.get(c)?.fullName ?? null));
      reparented.push({
        code: u.code,
        fullName: u.fullName,
        from: { code: previous.parentCode, fullName: name(old, previous.parentCode) },
        to: { code: u.parentCode, fullName: name(next, u.parentCode) },
      });
    }
  }
  const possibleRecodes = removed.flatMap((r) =>
    added
      .filter((a) => a.level === r.level && a.parentCode === r.parentCode && nameKey(a.fullName) === nameKey(r.fullName))
      .map((a) => ({ from: r.code, to: a.code, fullName: a.fullName })),
  );
  return {
    tier,
    added,
    removed,
    renamed: renamed.sort(byCode),
    reparented: reparented.sort(byCode),
    respelled: respelled.sort(byCode),
    possibleRecodes,
    unchanged: added.length === 0 && removed.length === 0 && renamed.length === 0 && reparented.length === 0,
  };
}

/**
 * The next payload: the imported tier replaced, the other kept. Units added, renamed or re-parented get
 * `validFrom = effectiveFrom` when given. Old → new successions that pointed at a code the file corrected
 * (a possible recode) follow it to the new code.
 */
export function applyAdminUnitsImport(
  current: AdminUnitsPayload,
  file: ParsedAdminUnitsFile,
  changes: AdminUnitChanges,
  options: { effectiveFrom?: string | undefined } = {},
): AdminUnitsPayload {
  const touched = new Set([...changes.added.map((u) => u.code), ...changes.renamed.map((u) => u.code), ...changes.reparented.map((u) => u.code)]);
  const previous = new Map((file.tier === 'TWO_TIER' ? current.twoTier : current.threeTier).units.map((u) => [u.code, u]));
  const units = file.units.map((u) => {
    const validFrom = options.effectiveFrom !== undefined && touched.has(u.code) ? options.effectiveFrom : previous.get(u.code)?.validFrom;
    return validFrom === undefined ? u : { ...u, validFrom };
  });
  if (file.tier === 'TWO_TIER') {
    const recoded = new Map(changes.possibleRecodes.map((r) => [r.from, r.to]));
    const successions = current.successions.map(([o, n]): [string, string] => [o, recoded.get(n) ?? n]);
    return { twoTier: { ...current.twoTier, units }, threeTier: current.threeTier, successions };
  }
  const recoded = new Map(changes.possibleRecodes.map((r) => [r.from, r.to]));
  const successions = current.successions.map(([o, n]): [string, string] => [recoded.get(o) ?? o, n]);
  return { twoTier: current.twoTier, threeTier: { ...current.threeTier, units }, successions };
}
