/**
 * Who may be a recipient (REQUIREMENTS R4 step 2: "recipients exist and may receive from this source"), and the
 * smart search of destination units (BG:5.7). A port: the relay depends on this interface only.
 *
 * NOTE: `createFileAgencyDirectory` reads the catalogs subgraph's DEVELOPMENT agency list
 * (subgraphs/catalogs/src/data/agencies.development.json) and lets every listed agency exchange with every
 * other. When the registry subgraph (agencies, systems, grants) exists, an adapter over it replaces this one and
 * `mayReceive` checks the exchange grants.
 */
import { readFileSync } from 'node:fs';

export interface AgencyRecord {
  code: string;
  name: string;
  shortName: string | null;
  parentCode: string | null;
}

export interface AgencyDirectory {
  get(code: string): Promise<AgencyRecord | null>;
  /** Units directly under `parentCode`. */
  children(parentCode: string): Promise<AgencyRecord[]>;
  /** Units whose name, short name or code contains the text (accents and case ignored), best first. */
  search(text: string, limit: number): Promise<AgencyRecord[]>;
  /** Whether `recipient` accepts packets from `source`. */
  mayReceive(source: string, recipient: string): Promise<boolean>;
}

const DEV_FILE = new URL('../../../catalogs/src/data/agencies.development.json', import.meta.url);

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

export function createFileAgencyDirectory(file: URL | string = DEV_FILE): AgencyDirectory {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    items: Array<{ code: string; name: string; shortName?: string | null; parentCode?: string | null }>;
  };
  const agencies: AgencyRecord[] = data.items.map((i) => ({ code: i.code, name: i.name, shortName: i.shortName ?? null, parentCode: i.parentCode ?? null }));
  const byCode = new Map(agencies.map((a) => [a.code, a]));
  return createListAgencyDirectory(agencies, byCode);
}

/** A directory over a fixed list (the development file, or tests). */
export function createListAgencyDirectory(agencies: AgencyRecord[], byCode = new Map(agencies.map((a) => [a.code, a]))): AgencyDirectory {
  return {
    async get(code) {
      return byCode.get(code) ?? null;
    },
    async children(parentCode) {
      return agencies.filter((a) => a.parentCode === parentCode);
    },
    async search(text, limit) {
      const needle = fold(text.trim());
      if (needle === '') return [];
      const scored = agencies
        .map((a) => {
          const names = [a.name, a.shortName ?? '', a.code].map(fold);
          const score = names.some((n) => n === needle) ? 0 : names.some((n) => n.startsWith(needle)) ? 1 : names.some((n) => n.includes(needle)) ? 2 : -1;
          return { a, score };
        })
        .filter((s) => s.score >= 0)
        .sort((x, y) => x.score - y.score || x.a.code.localeCompare(y.a.code));
      return scored.slice(0, limit).map((s) => s.a);
    },
    async mayReceive(source, recipient) {
      return source !== recipient && byCode.has(source) && byCode.has(recipient);
    },
  };
}
