/** Translates GraphQL ↔ domain: argument checks, loader calls, entity stubs for the catalogs subgraph. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, LgspError, type BaseContext } from '@lgsp/kit';
import type { Address, Citizen, Household, HouseholdMember } from './domain/citizen.ts';
import type { Enterprise, LegalRepresentative } from './domain/enterprise.ts';
import { assertPersonalId, isPersonalId } from './domain/personal-id.ts';
import { assertEnterpriseCode } from './domain/enterprise.ts';
import type { Loaders } from './loaders.ts';

export interface NationalDataContext extends BaseContext {
  loaders: Loaders;
}

/** Most personal IDs one `citizens` field may ask for (the platform's batch limit). */
export const CITIZENS_LIMIT = 100;

/** Administrative units of current addresses belong to the two-tier list (since 2025-07-01). */
const unit = (code: string) => ({ code, tier: 'TWO_TIER' as const });

/**
 * The `served` audit record names the citizens and enterprises actually returned: each record is noted when it is
 * handed to GraphQL (one that fails to load, or does not exist, is not noted).
 */
function servedCitizen(ctx: NationalDataContext, loading: Promise<Citizen>): Promise<Citizen> {
  if (ctx.served === undefined) return loading;
  const bag = ctx.served;
  return loading.then((citizen) => {
    bag.subjects.push({ kind: 'personal-id', value: citizen.personalId });
    return citizen;
  });
}

function servedEnterprise(ctx: NationalDataContext, loading: Promise<Enterprise>): Promise<Enterprise> {
  if (ctx.served === undefined) return loading;
  const bag = ctx.served;
  return loading.then((enterprise) => {
    bag.subjects.push({ kind: 'enterprise-code', value: enterprise.code });
    return enterprise;
  });
}

/** A personal ID returned as a value (a household member's, a legal representative's). */
function servedId(ctx: NationalDataContext, personalId: string | null): string | null {
  if (personalId !== null) ctx.served?.subjects.push({ kind: 'personal-id', value: personalId });
  return personalId;
}

function loadCitizen(personalId: string, ctx: NationalDataContext): Promise<Citizen> {
  assertPersonalId(personalId);
  return servedCitizen(ctx, ctx.loaders.citizen.load(personalId));
}

function loadEnterprise(code: string, ctx: NationalDataContext): Promise<Enterprise> {
  assertEnterpriseCode(code);
  return servedEnterprise(ctx, ctx.loaders.enterprise.load(code));
}

export const resolvers: GraphQLResolverMap<NationalDataContext> = {
  Query: {
    citizen: (_: unknown, args: { personalId: string }, ctx: NationalDataContext) => loadCitizen(args.personalId, ctx),
    citizens: (_: unknown, args: { personalIds: string[] }, ctx: NationalDataContext) => {
      if (args.personalIds.length > CITIZENS_LIMIT) {
        throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `At most ${CITIZENS_LIMIT} personal IDs per citizens() call (got ${args.personalIds.length})`);
      }
      // Each item resolves or fails on its own: a bad or unknown id is null with an error at its index.
      return args.personalIds.map((id) =>
        isPersonalId(id) ? servedCitizen(ctx, ctx.loaders.citizen.load(id)) : Promise.resolve().then(() => loadCitizen(id, ctx)),
      );
    },
    enterprise: (_: unknown, args: { code: string }, ctx: NationalDataContext) => loadEnterprise(args.code, ctx),
  },
  Citizen: {
    __resolveReference: (ref: { personalId: string }, ctx: NationalDataContext) => loadCitizen(ref.personalId, ctx),
    ethnicity: (c: Citizen) => ({ code: c.ethnicCode }),
    religion: (c: Citizen) => (c.religionCode === null ? null : { code: c.religionCode }),
    nationality: (c: Citizen) => ({ code: c.nationalityCode }),
  },
  Address: {
    ward: (a: Address) => unit(a.wardCode),
    province: (a: Address) => unit(a.provinceCode),
  },
  Household: {
    head: (h: Household, _: unknown, ctx: NationalDataContext) => loadCitizen(h.headPersonalId, ctx),
  },
  HouseholdMember: {
    // A member's personal ID is served even when the member's own record is not asked for.
    personalId: (m: HouseholdMember, _: unknown, ctx: NationalDataContext) => servedId(ctx, m.personalId),
    citizen: (m: HouseholdMember, _: unknown, ctx: NationalDataContext) => loadCitizen(m.personalId, ctx),
  },
  Enterprise: {
    __resolveReference: (ref: { code: string }, ctx: NationalDataContext) => loadEnterprise(ref.code, ctx),
    legalRepresentative: (e: Enterprise) => e.legalRepresentatives[0] ?? null,
  },
  LegalRepresentative: {
    personalId: (r: LegalRepresentative, _: unknown, ctx: NationalDataContext) => servedId(ctx, r.personalId),
    citizen: (r: LegalRepresentative, _: unknown, ctx: NationalDataContext) => (r.personalId === null ? null : loadCitizen(r.personalId, ctx)),
  },
};
