/** In-memory CatalogStore for the embedded mode and tests. Payloads are kept as JSON text, as Redis keeps them. */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { CatalogName, CatalogVersionInfo, NewCatalogVersion } from '../domain/catalog.ts';
import { toInfo, type CatalogStore, type PublishOptions, type PublishResult, type StoredVersionMeta } from './catalog-store.ts';

interface CatalogState {
  sequence: number;
  current: number | null;
  versions: Map<number, { meta: StoredVersionMeta; payload: string }>;
}

export function createMemoryCatalogStore(): CatalogStore {
  const catalogs = new Map<CatalogName, CatalogState>();
  const state = (catalog: CatalogName): CatalogState => {
    let found = catalogs.get(catalog);
    if (found === undefined) {
      found = { sequence: 0, current: null, versions: new Map() };
      catalogs.set(catalog, found);
    }
    return found;
  };

  return {
    async currentVersion(catalog) {
      return state(catalog).current;
    },
    async versions(catalog) {
      return [...state(catalog).versions.entries()].sort(([a], [b]) => a - b).map(([version, { meta }]) => toInfo(catalog, version, meta));
    },
    async versionInfo(catalog, version) {
      const found = state(catalog).versions.get(version);
      return found === undefined ? null : toInfo(catalog, version, found.meta);
    },
    async readPayload(catalog, version) {
      const found = state(catalog).versions.get(version);
      return found === undefined ? null : (JSON.parse(found.payload) as unknown);
    },
    async publish(catalog: CatalogName, next: NewCatalogVersion, options: PublishOptions = {}): Promise<PublishResult> {
      const s = state(catalog);
      if (options.onlyIfEmpty === true && s.current !== null) {
        return { info: toInfo(catalog, s.current, s.versions.get(s.current)!.meta), published: false };
      }
      if (options.ifCurrentIs !== undefined && s.current !== options.ifCurrentIs) {
        if (s.current === null) throw new LgspError(ErrorCode.NOT_FOUND, `${catalog} has no current version (ifCurrentIs ${options.ifCurrentIs})`);
        return { info: toInfo(catalog, s.current, s.versions.get(s.current)!.meta), published: false };
      }
      const meta: StoredVersionMeta = { publishedAt: new Date().toISOString(), source: next.source, itemCount: next.itemCount, label: next.label ?? null };
      const payload = JSON.stringify(next.payload);
      s.sequence += 1;
      const version = s.sequence;
      s.versions.set(version, { meta, payload });
      if (options.makeCurrent !== false) s.current = version;
      return { info: toInfo(catalog, version, meta) satisfies CatalogVersionInfo, published: true };
    },
    async setCurrentVersion(catalog, version) {
      const s = state(catalog);
      if (!s.versions.has(version)) throw new LgspError(ErrorCode.NOT_FOUND, `${catalog} has no version ${version}`);
      s.current = version;
    },
  };
}
