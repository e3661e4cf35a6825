/** Translates GraphQL to the catalog domain and back; no domain logic lives here. */
import { ErrorCode, LgspError, type BaseContext } from '@lgsp/kit';
import type { AdminUnit, AdministrativeLevel, AdministrativeTier } from './domain/admin-units.ts';
import { checkAgencyCode, parseAgencyCode } from './domain/agency-code.ts';
import type { CatalogName, CatalogVersionInfo } from './domain/catalog.ts';
import type { CatalogSession } from './domain/catalogs.ts';
import type { CursorCodec } from './domain/cursor.ts';
import { checkPageSize, startOf, toConnection } from './domain/pagination.ts';
import type { AgencyRow, AgencyStatus, Versioned } from './domain/reference-catalogs.ts';
import { searchKey } from './domain/text.ts';

export interface CatalogsContext extends BaseContext {
  catalogs: CatalogSession;
  cursors: CursorCodec;
}

type Args<T> = T;
const MAX_SEARCH_LENGTH = 100;
const ADMIN = 'ADMINISTRATIVE_UNITS';

function checkUnitCode(code: string): void {
  if (!/^(\d{2}|\d{3}|\d{5})$/.test(code)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `"${code}" is not a GSO administrative-unit code (2, 3 or 5 digits)`, { argument: 'code' });
  }
}

function checkSearch(search: string | null | undefined): string | undefined {
  if (search === null || search === undefined) return undefined;
  if (search.length > MAX_SEARCH_LENGTH)
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `search must be at most ${MAX_SEARCH_LENGTH} characters`, { argument: 'search' });
  return search;
}

/** A page of a list read from one version: the cursor (if any) decides the version, and must match `version`. */
async function pageVersion(ctx: CatalogsContext, catalog: CatalogName, scope: string, after: string | null | undefined, version: number | null | undefined) {
  const resumed = startOf(ctx.cursors, scope, after);
  if (resumed === null) return { version: await ctx.catalogs.version(catalog, version), start: 0 };
  if (version !== undefined && version !== null && version !== resumed.version) {
    throw new LgspError(ErrorCode.INVALID_CURSOR, `The cursor was issued for version ${resumed.version}, not ${version}`, { argument: 'after' });
  }
  return resumed;
}

/** @apollo/subgraph writes `__typename` into what __resolveReference returns: hand it a copy, not the cached, frozen item. */
const copyOf = <T extends object>(item: T | null): T | null => (item === null ? null : { ...item });

const adminIndexOf = (ctx: CatalogsContext, unit: { version: number }) => ctx.catalogs.catalogs.index(ADMIN, unit.version);

export const resolvers = {
  Query: {
    async administrativeUnit(_: unknown, args: Args<{ code: string; tier: AdministrativeTier; version?: number | null }>, ctx: CatalogsContext) {
      checkUnitCode(args.code);
      const index = await ctx.catalogs.index(ADMIN, args.version);
      return index.get(args.tier, args.code);
    },

    async administrativeUnits(
      _: unknown,
      args: Args<{
        level?: AdministrativeLevel | null;
        tier: AdministrativeTier;
        parentCode?: string | null;
        search?: string | null;
        first?: number | null;
        after?: string | null;
        version?: number | null;
      }>,
      ctx: CatalogsContext,
    ) {
      const first = checkPageSize(args.first, 20);
      const search = checkSearch(args.search);
      if (args.level === 'DISTRICT' && args.tier === 'TWO_TIER') {
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'The two-tier list has no districts; use tier: THREE_TIER', { argument: 'level' });
      }
      if (args.parentCode !== undefined && args.parentCode !== null) checkUnitCode(args.parentCode);
      const scope = JSON.stringify([
        'administrativeUnits',
        args.tier,
        args.level ?? null,
        args.parentCode ?? null,
        search === undefined ? null : searchKey(search),
      ]);
      const { version, start } = await pageVersion(ctx, ADMIN, scope, args.after, args.version);
      const index = await ctx.catalogs.catalogs.index(ADMIN, version);
      if (args.parentCode !== undefined && args.parentCode !== null && !index.has(args.tier, args.parentCode)) {
        throw new LgspError(ErrorCode.NOT_FOUND, `No ${args.tier} administrative unit has code ${args.parentCode} in version ${version}`, {
          argument: 'parentCode',
        });
      }
      const units = index.list({ tier: args.tier, level: args.level ?? undefined, parentCode: args.parentCode ?? undefined, search });
      return toConnection(units, { codec: ctx.cursors, scope, version, start, first });
    },

    async ethnicGroup(_: unknown, args: Args<{ code: string; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('ETHNIC_GROUPS', args.version)).get(args.code);
    },
    async ethnicGroups(_: unknown, args: Args<{ search?: string | null; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('ETHNIC_GROUPS', args.version)).search(checkSearch(args.search));
    },
    async religion(_: unknown, args: Args<{ code: string; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('RELIGIONS', args.version)).get(args.code);
    },
    async religions(_: unknown, args: Args<{ search?: string | null; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('RELIGIONS', args.version)).search(checkSearch(args.search));
    },
    async country(_: unknown, args: Args<{ code: string; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('COUNTRIES', args.version)).get(args.code);
    },
    async countries(_: unknown, args: Args<{ search?: string | null; version?: number | null }>, ctx: CatalogsContext) {
      return (await ctx.catalogs.index('COUNTRIES', args.version)).search(checkSearch(args.search));
    },
    async agency(_: unknown, args: Args<{ code: string; version?: number | null }>, ctx: CatalogsContext) {
      parseAgencyCode(args.code);
      return (await ctx.catalogs.index('AGENCIES', args.version)).get(args.code);
    },
    async agencies(
      _: unknown,
      args: Args<{ parentCode?: string | null; search?: string | null; status?: AgencyStatus[] | null; version?: number | null }>,
      ctx: CatalogsContext,
    ) {
      const index = await ctx.catalogs.index('AGENCIES', args.version);
      const statuses = args.status === undefined || args.status === null ? null : new Set(args.status);
      const matching = index.search(checkSearch(args.search)).filter((a) => statuses === null || statuses.has(a.status ?? 'ACTIVE'));
      if (args.parentCode === undefined || args.parentCode === null) return matching;
      parseAgencyCode(args.parentCode);
      const children = new Set(index.children(args.parentCode));
      return matching.filter((a) => children.has(a));
    },
    agencyCodeCheck(_: unknown, args: Args<{ code: string }>) {
      const check = checkAgencyCode(args.code);
      return check.valid
        ? { code: args.code, valid: true, reason: null, level: check.parts.level, parentCode: check.parts.parentCode }
        : { code: args.code, valid: false, reason: check.reason, level: null, parentCode: null };
    },
    async catalogVersion(_: unknown, args: Args<{ catalog: CatalogName; version?: number | null }>, ctx: CatalogsContext) {
      return ctx.catalogs.catalogs.versionInfo(args.catalog, await ctx.catalogs.version(args.catalog, args.version));
    },
    async catalogVersions(_: unknown, args: Args<{ catalog: CatalogName }>, ctx: CatalogsContext) {
      return ctx.catalogs.catalogs.store.versions(args.catalog);
    },
  },

  CatalogVersion: {
    async current(info: CatalogVersionInfo, _: unknown, ctx: CatalogsContext) {
      return (await ctx.catalogs.version(info.catalog)) === info.version;
    },
  },

  AdministrativeUnit: {
    // Entity references from other subgraphs (e.g. a citizen's ward): all read one pinned version, whose
    // indexes are in memory, so a batch of 100 references costs at most one read of the current pointer.
    async __resolveReference(ref: { code: string; tier: AdministrativeTier }, ctx: CatalogsContext) {
      return copyOf((await ctx.catalogs.index(ADMIN)).get(ref.tier, ref.code));
    },
    catalogVersion: (unit: AdminUnit) => unit.version,
    englishName: (unit: AdminUnit) => unit.englishName ?? null,
    async parent(unit: AdminUnit, _: unknown, ctx: CatalogsContext) {
      return (await adminIndexOf(ctx, unit)).parent(unit);
    },
    async province(unit: AdminUnit, _: unknown, ctx: CatalogsContext) {
      return unit.level === 'PROVINCE' ? unit : (await adminIndexOf(ctx, unit)).get(unit.tier, unit.provinceCode);
    },
    async children(unit: AdminUnit, args: Args<{ first?: number | null; after?: string | null }>, ctx: CatalogsContext) {
      const first = checkPageSize(args.first, 100);
      const scope = JSON.stringify(['children', unit.tier, unit.code]);
      const resumed = startOf(ctx.cursors, scope, args.after);
      if (resumed !== null && resumed.version !== unit.version) {
        throw new LgspError(ErrorCode.INVALID_CURSOR, `The cursor was issued for version ${resumed.version}, not ${unit.version}`, { argument: 'after' });
      }
      const children = (await adminIndexOf(ctx, unit)).children(unit);
      return toConnection(children, { codec: ctx.cursors, scope, version: unit.version, start: resumed?.start ?? 0, first });
    },
    async successors(unit: AdminUnit, _: unknown, ctx: CatalogsContext) {
      return (await adminIndexOf(ctx, unit)).successors(unit);
    },
    async predecessors(unit: AdminUnit, _: unknown, ctx: CatalogsContext) {
      return (await adminIndexOf(ctx, unit)).predecessors(unit);
    },
  },

  EthnicGroup: {
    async __resolveReference(ref: { code: string }, ctx: CatalogsContext) {
      return copyOf((await ctx.catalogs.index('ETHNIC_GROUPS')).get(ref.code));
    },
    catalogVersion: (item: { version: number }) => item.version,
  },
  Religion: {
    async __resolveReference(ref: { code: string }, ctx: CatalogsContext) {
      return copyOf((await ctx.catalogs.index('RELIGIONS')).get(ref.code));
    },
    catalogVersion: (item: { version: number }) => item.version,
  },
  Country: {
    async __resolveReference(ref: { code: string }, ctx: CatalogsContext) {
      return copyOf((await ctx.catalogs.index('COUNTRIES')).get(ref.code));
    },
    catalogVersion: (item: { version: number }) => item.version,
  },
  Agency: {
    async __resolveReference(ref: { code: string }, ctx: CatalogsContext) {
      return copyOf((await ctx.catalogs.index('AGENCIES')).get(ref.code));
    },
    catalogVersion: (item: Versioned<AgencyRow>) => item.version,
    level: (item: Versioned<AgencyRow>) => parseAgencyCode(item.code).level,
    async parent(item: Versioned<AgencyRow>, _: unknown, ctx: CatalogsContext) {
      return item.parentCode === null ? null : (await ctx.catalogs.catalogs.index('AGENCIES', item.version)).get(item.parentCode);
    },
    async children(item: Versioned<AgencyRow>, _: unknown, ctx: CatalogsContext) {
      return (await ctx.catalogs.catalogs.index('AGENCIES', item.version)).children(item.code);
    },
    async successors(item: Versioned<AgencyRow>, _: unknown, ctx: CatalogsContext) {
      const index = await ctx.catalogs.catalogs.index('AGENCIES', item.version);
      return (item.successorCodes ?? []).map((code) => index.get(code)).filter((agency) => agency !== null);
    },
    status: (item: Versioned<AgencyRow>) => item.status ?? 'ACTIVE',
    effectiveFrom: (item: Versioned<AgencyRow>) => item.effectiveFrom ?? null,
    async administrativeUnit(item: Versioned<AgencyRow>, _: unknown, ctx: CatalogsContext) {
      if (item.administrativeUnitCode === null) return null;
      return (await ctx.catalogs.index(ADMIN)).get('TWO_TIER', item.administrativeUnitCode);
    },
  },
};
