/**
 * Reading catalogs: versions come from the CatalogStore (the source of truth); each version is immutable, so
 * a process builds its in-memory indexes once per version and keeps them (a few versions at most). The current
 * pointer is re-read at most every `versionCheckIntervalMs`. A request pins the current version of each catalog
 * the first time it needs it (`CatalogSession`), so one response never mixes two versions.
 */
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';
import type { CatalogStore } from '../store/catalog-store.ts';
import { AdminUnitIndex, type AdminUnitsPayload } from './admin-units.ts';
import { applyAdminUnitsImport, diffAdminUnits, parseAdminUnitsFile, type AdminUnitChanges, type ParsedAdminUnitsFile } from './admin-import.ts';
import { CATALOG_NAMES, type CatalogName, type CatalogVersionInfo, type NewCatalogVersion } from './catalog.ts';
import type { CatalogEvents } from './catalog-events.ts';
import { CodeIndex, withLifecycle, type AgencyRow, type CountryRow, type EthnicGroupRow, type ReligionRow } from './reference-catalogs.ts';
import { diffAgencies, sameAgencies, type AgencyChanges } from './registry-agencies.ts';

export interface CatalogIndexes {
  ADMINISTRATIVE_UNITS: AdminUnitIndex;
  ETHNIC_GROUPS: CodeIndex<EthnicGroupRow>;
  RELIGIONS: CodeIndex<ReligionRow>;
  COUNTRIES: CodeIndex<CountryRow>;
  AGENCIES: CodeIndex<AgencyRow>;
}

function buildIndex<C extends CatalogName>(catalog: C, payload: unknown, version: number): CatalogIndexes[C] {
  const index: CatalogIndexes[CatalogName] = (() => {
    switch (catalog) {
      case 'ADMINISTRATIVE_UNITS':
        return new AdminUnitIndex(payload as AdminUnitsPayload, version);
      case 'ETHNIC_GROUPS':
        return new CodeIndex(payload as EthnicGroupRow[], version);
      case 'RELIGIONS':
        return new CodeIndex(payload as ReligionRow[], version, { searchable: (r) => [r.name, r.englishName] });
      case 'COUNTRIES':
        return new CodeIndex(payload as CountryRow[], version, { altKeys: (r) => [r.alpha3, r.numeric], searchable: (r) => [r.name, r.englishName] });
      case 'AGENCIES':
        return new CodeIndex((payload as AgencyRow[]).map(withLifecycle), version, {
          searchable: (r) => [r.name, r.shortName ?? '', r.englishName ?? ''],
          parentOf: (r) => r.parentCode,
        });
      default:
        throw new Error(`unknown catalog ${String(catalog)}`);
    }
  })();
  return index as CatalogIndexes[C];
}

export interface CatalogsOptions {
  store: CatalogStore;
  /**
   * Where a newly published version is announced (`catalog-changed`). Seeding an empty catalog is not announced:
   * no one can have read a catalog that had no version.
   */
  events: CatalogEvents;
  /** How long a read of the current-version pointer is reused (0: every request reads it). */
  versionCheckIntervalMs: number;
  /** Indexes kept per process (each administrative-unit version is tens of MB once indexed). */
  maxCachedVersions?: number;
  logger?: Logger | undefined;
}

export interface ImportResult {
  format: ParsedAdminUnitsFile['format'];
  tier: ParsedAdminUnitsFile['tier'];
  previous: CatalogVersionInfo;
  changes: AdminUnitChanges;
  /** The version published, or null (dry run, or nothing changed). */
  published: CatalogVersionInfo | null;
  /** The id of the `catalog-changed` event announcing `published`; null when nothing was published or announced. */
  eventId: string | null;
}

/**
 * A version was published (stored and made current) but announcing it failed. The version stays published:
 * storing and announcing are two writes that cannot be one transaction, and a stored version is what every
 * service reads (within CATALOGS_VERSION_CHECK_MS) — only `catalogChanged` subscribers were not told. The caller
 * must say so; `result` is the import's outcome as if it had succeeded, with `eventId` null.
 */
export class CatalogChangeNotAnnouncedError<R extends { published: CatalogVersionInfo } = ImportResult & { published: CatalogVersionInfo }> extends Error {
  constructor(
    readonly result: R,
    cause: unknown,
  ) {
    super(
      `${result.published.catalog} version ${result.published.version} was published and is current, but its catalog-changed event could not be published: ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'CatalogChangeNotAnnouncedError';
  }
}

/** The outcome of importing the agencies the registry lists. */
export interface AgencyImportResult {
  /** The current version before the import; null when the catalog had none. */
  previous: CatalogVersionInfo | null;
  changes: AgencyChanges;
  /**
   * The version published, or null: nothing changed, or another replica published the same change first (it
   * announces it).
   */
  published: CatalogVersionInfo | null;
  /** The id of the `catalog-changed` event announcing `published`; null when nothing was published or announced. */
  eventId: string | null;
}

export class Catalogs {
  readonly store: CatalogStore;
  private readonly events: CatalogEvents;
  private readonly interval: number;
  private readonly maxCached: number;
  private readonly logger: Logger | undefined;
  private readonly indexes = new Map<string, Promise<unknown>>();
  private readonly current = new Map<CatalogName, { version: Promise<number>; readAt: number }>();

  constructor(options: CatalogsOptions) {
    this.store = options.store;
    this.events = options.events;
    this.interval = options.versionCheckIntervalMs;
    this.maxCached = options.maxCachedVersions ?? 12;
    this.logger = options.logger;
  }

  /**
   * Publishes a default version of every catalog in `only` (default: all) that has none (concurrent replicas publish
   * it once).
   */
  async seed(
    defaults: (catalog: CatalogName) => Promise<NewCatalogVersion>,
    only: readonly CatalogName[] = CATALOG_NAMES,
  ): Promise<Partial<Record<CatalogName, CatalogVersionInfo>>> {
    const entries = await Promise.all(
      only.map(async (catalog) => {
        const existing = await this.store.currentVersion(catalog);
        if (existing !== null) return [catalog, (await this.store.versionInfo(catalog, existing))!] as const;
        const { info, published } = await this.store.publish(catalog, await defaults(catalog), { onlyIfEmpty: true });
        if (published) this.logger?.info({ catalog, version: info.version, itemCount: info.itemCount }, 'catalog seeded with default data');
        return [catalog, info] as const;
      }),
    );
    return Object.fromEntries(entries) as Partial<Record<CatalogName, CatalogVersionInfo>>;
  }

  /** The current version number (cached for `versionCheckIntervalMs`). */
  currentVersion(catalog: CatalogName): Promise<number> {
    const now = Date.now();
    const cached = this.current.get(catalog);
    if (cached !== undefined && now - cached.readAt < this.interval) return cached.version;
    const version = this.store.currentVersion(catalog).then((v) => {
      if (v === null) throw new LgspError(ErrorCode.NOT_FOUND, `The ${catalog} catalog has no published version`);
      return v;
    });
    this.current.set(catalog, { version, readAt: now });
    version.catch(() => this.current.delete(catalog));
    return version;
  }

  /** The indexes of one version; NOT_FOUND when the version does not exist. Loaded once per process. */
  index<C extends CatalogName>(catalog: C, version: number): Promise<CatalogIndexes[C]> {
    const key = `${catalog}:${version}`;
    let found = this.indexes.get(key) as Promise<CatalogIndexes[C]> | undefined;
    if (found !== undefined) {
      this.indexes.delete(key); // refresh its place in the LRU order
      this.indexes.set(key, found);
      return found;
    }
    found = this.store.readPayload(catalog, version).then((payload) => {
      if (payload === null) throw new LgspError(ErrorCode.NOT_FOUND, `The ${catalog} catalog has no version ${version}`, { argument: 'version' });
      return buildIndex(catalog, payload, version);
    });
    this.indexes.set(key, found);
    found.catch(() => this.indexes.delete(key));
    while (this.indexes.size > this.maxCached) this.indexes.delete(this.indexes.keys().next().value!);
    return found;
  }

  async versionInfo(catalog: CatalogName, version: number): Promise<CatalogVersionInfo> {
    const info = await this.store.versionInfo(catalog, version);
    if (info === null) throw new LgspError(ErrorCode.NOT_FOUND, `The ${catalog} catalog has no version ${version}`, { argument: 'version' });
    return info;
  }

  /** A per-request view that pins the current version of each catalog at first use. */
  session(): CatalogSession {
    return new CatalogSession(this);
  }

  /**
   * Compares a file with the current administrative-unit version and, unless `dryRun` or nothing changed,
   * publishes the result as a new version (made current) and announces it through `events`. Throws
   * CatalogChangeNotAnnouncedError when the version was published but the announcement failed.
   */
  async importAdministrativeUnits(
    data: unknown,
    options: { source: string; label?: string; effectiveFrom?: string; dryRun?: boolean; force?: boolean },
  ): Promise<ImportResult> {
    const file = parseAdminUnitsFile(data);
    const currentVersion = await this.store.currentVersion('ADMINISTRATIVE_UNITS');
    if (currentVersion === null)
      throw new LgspError(ErrorCode.NOT_FOUND, 'The ADMINISTRATIVE_UNITS catalog has no version to compare with; start the service once (or seed) first');
    const previous = await this.versionInfo('ADMINISTRATIVE_UNITS', currentVersion);
    const payload = (await this.store.readPayload('ADMINISTRATIVE_UNITS', currentVersion)) as AdminUnitsPayload;
    const before = file.tier === 'TWO_TIER' ? payload.twoTier.units : payload.threeTier.units;
    const changes = diffAdminUnits(file.tier, before, file.units);
    if (options.dryRun === true || (changes.unchanged && changes.respelled.length === 0 && options.force !== true)) {
      return { format: file.format, tier: file.tier, previous, changes, published: null, eventId: null };
    }
    const next = applyAdminUnitsImport(payload, file, changes, { effectiveFrom: options.effectiveFrom });
    const { info } = await this.store.publish('ADMINISTRATIVE_UNITS', {
      source: options.source,
      label: options.label ?? null,
      itemCount: next.twoTier.units.length + next.threeTier.units.length,
      payload: next,
    });
    return this.announce({ format: file.format, tier: file.tier, previous, changes, published: info, eventId: null });
  }

  /**
   * Imports the agencies the registry lists (`agencyRowsFromRegistry`): when they differ from the current version,
   * publishes them as a new version, made current, and announces it through `events` — the same path as
   * `importAdministrativeUnits`. Earlier versions stay readable (`agency(code, version)`), so an agency the registry
   * no longer lists keeps its history there. The publication is conditional on the current version read here, so
   * replicas seeing the same change publish it once. Throws CatalogChangeNotAnnouncedError when the version was
   * published but the announcement failed.
   */
  async importAgencies(rows: readonly AgencyRow[], options: { source: string; label?: string | null }): Promise<AgencyImportResult> {
    const currentVersion = await this.store.currentVersion('AGENCIES');
    const previous = currentVersion === null ? null : await this.versionInfo('AGENCIES', currentVersion);
    const before = currentVersion === null ? [] : ((await this.store.readPayload('AGENCIES', currentVersion)) as AgencyRow[]);
    const changes = diffAgencies(before, rows);
    if (currentVersion !== null && sameAgencies(before, rows)) return { previous, changes, published: null, eventId: null };
    const sorted = [...rows].sort((a, b) => a.code.localeCompare(b.code));
    const { info, published } = await this.store.publish(
      'AGENCIES',
      { source: options.source, label: options.label ?? null, itemCount: sorted.length, payload: sorted },
      { ifCurrentIs: currentVersion },
    );
    if (!published) return { previous, changes, published: null, eventId: null };
    return this.announce({ previous, changes, published: info, eventId: null });
  }

  /** Forgets the cached current version of what was just published, then announces it. */
  private async announce<R extends { published: CatalogVersionInfo; eventId: string | null }>(result: R): Promise<R> {
    const info = result.published;
    this.current.delete(info.catalog);
    try {
      return { ...result, eventId: await this.events.versionPublished(info) };
    } catch (error) {
      this.logger?.error({ catalog: info.catalog, version: info.version, err: error }, 'catalog version published but not announced');
      throw new CatalogChangeNotAnnouncedError(result, error);
    }
  }
}

export class CatalogSession {
  private readonly pinned = new Map<CatalogName, Promise<number>>();
  constructor(readonly catalogs: Catalogs) {}

  /** The version to read: the one asked for, or the current one (the same for the whole request). */
  version(catalog: CatalogName, requested?: number | null): Promise<number> {
    if (requested !== undefined && requested !== null) {
      if (!Number.isSafeInteger(requested) || requested < 1) {
        return Promise.reject(new LgspError(ErrorCode.BAD_USER_INPUT, `version must be a positive integer (got ${requested})`, { argument: 'version' }));
      }
      return Promise.resolve(requested);
    }
    let version = this.pinned.get(catalog);
    if (version === undefined) {
      version = this.catalogs.currentVersion(catalog);
      this.pinned.set(catalog, version);
    }
    return version;
  }

  async index<C extends CatalogName>(catalog: C, requested?: number | null): Promise<CatalogIndexes[C]> {
    return this.catalogs.index(catalog, await this.version(catalog, requested));
  }
}
