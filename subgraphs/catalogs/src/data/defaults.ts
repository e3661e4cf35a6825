/**
 * The data every catalog starts with when the store has no version of it yet: npm packages where a well-kept
 * one exists, the project's own data files (each naming its legal source) otherwise.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import { checkAgencyCode } from '../domain/agency-code.ts';
import type { CatalogName, NewCatalogVersion } from '../domain/catalog.ts';
import type { AgencyRow, CountryRow, EthnicGroupRow, ReligionRow } from '../domain/reference-catalogs.ts';
import { defaultAdminUnitsVersion, packageVersion } from './admin-units-default.ts';

const require = createRequire(import.meta.url);

interface DataFile<T> {
  catalog: CatalogName;
  source: string;
  note?: string;
  items: T[];
}

function readDataFile<T>(name: string): DataFile<T> {
  return JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as DataFile<T>;
}

export function defaultEthnicGroups(): NewCatalogVersion<EthnicGroupRow[]> {
  const file = readDataFile<EthnicGroupRow>('ethnic-groups.json');
  return { source: file.source, itemCount: file.items.length, label: 'QĐ 121-TCTK/PPCĐ', payload: file.items };
}

export function defaultReligions(): NewCatalogVersion<ReligionRow[]> {
  const file = readDataFile<ReligionRow>('religions.json');
  return { source: file.source, itemCount: file.items.length, label: 'default', payload: file.items };
}

/**
 * ISO 3166-1 from i18n-iso-countries with Vietnamese (`vi`) and English names. XK (Kosovo) is left out: the
 * package lists it but it is a user-assigned code, not an official ISO 3166-1 one.
 */
export function defaultCountries(): NewCatalogVersion<CountryRow[]> {
  countries.registerLocale(require('i18n-iso-countries/langs/vi.json'));
  countries.registerLocale(require('i18n-iso-countries/langs/en.json'));
  const vi = countries.getNames('vi', { select: 'official' });
  const en = countries.getNames('en', { select: 'official' });
  const rows: CountryRow[] = Object.keys(countries.getAlpha2Codes())
    .filter((code) => code !== 'XK')
    .sort()
    .map((code) => ({
      code,
      alpha3: countries.alpha2ToAlpha3(code) ?? '',
      numeric: countries.alpha2ToNumeric(code) ?? '',
      name: vi[code] ?? en[code] ?? code,
      englishName: en[code] ?? code,
    }));
  return {
    source: `npm i18n-iso-countries@${packageVersion('i18n-iso-countries')} (ISO 3166-1; names: vi, en)`,
    itemCount: rows.length,
    label: 'default',
    payload: rows,
  };
}

/** Development agencies; every code is checked against QCVN 102:2016 and its parent must exist. */
export function defaultAgencies(): NewCatalogVersion<AgencyRow[]> {
  const file = readDataFile<AgencyRow>('agencies.development.json');
  const codes = new Set(file.items.map((a) => a.code));
  for (const agency of file.items) {
    const check = checkAgencyCode(agency.code);
    if (!check.valid) throw new Error(`agencies.development.json: ${agency.code}: ${check.reason}`);
    if (check.parts.parentCode !== agency.parentCode)
      throw new Error(`agencies.development.json: ${agency.code}: parentCode must be ${check.parts.parentCode}`);
    if (agency.parentCode !== null && !codes.has(agency.parentCode))
      throw new Error(`agencies.development.json: ${agency.code}: parent ${agency.parentCode} is missing`);
  }
  return { source: file.source, itemCount: file.items.length, label: 'development', payload: file.items };
}

/** Builds the default version of one catalog. */
export async function defaultVersion(catalog: CatalogName): Promise<NewCatalogVersion> {
  switch (catalog) {
    case 'ADMINISTRATIVE_UNITS':
      return defaultAdminUnitsVersion();
    case 'ETHNIC_GROUPS':
      return defaultEthnicGroups();
    case 'RELIGIONS':
      return defaultReligions();
    case 'COUNTRIES':
      return defaultCountries();
    case 'AGENCIES':
      return defaultAgencies();
  }
}
