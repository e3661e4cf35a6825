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

function loadCitizen(personalId: string, ctx: NationalDataContext): Promise<Citizen> {
  assertPersonalId(personalId);
  return ctx.loaders.citizen.load(personalId);
}

export const resolvers: GraphQLResolverMap<NationalDataContext> = {
  Query: {
    citizen: (_: unknown, args: { personalId: string }, ctx: NationalDataContext) => loadCitizen(args.personalId, ctx),
    citizens: (_: unknown, args: { personalIds: string[] }, ctx: NationalDataContext) => {
      if (args.personalIds.length > CITIZENS_LIMIT) {
        throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `At most ${CITIZENS_LIMIT} personal IDs per citizens() call (got ${args.personalIds.length})`);
      }
      // Each item resolves or fails on its own: a bad or unknown id is null with an error at its index.
      return args.personalIds.map((id) => (isPersonalId(id) ? ctx.loaders.citizen.load(id) : Promise.resolve().then(() => loadCitizen(id, ctx))));
    },
    enterprise: (_: unknown, args: { code: string }, ctx: NationalDataContext) => {
      assertEnterpriseCode(args.code);
      return ctx.loaders.enterprise.load(args.code);
    },
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
    citizen: (m: HouseholdMember, _: unknown, ctx: NationalDataContext) => loadCitizen(m.personalId, ctx),
  },
  Enterprise: {
    __resolveReference: (ref: { code: string }, ctx: NationalDataContext) => {
      assertEnterpriseCode(ref.code);
      return ctx.loaders.enterprise.load(ref.code);
    },
    legalRepresentative: (e: Enterprise) => e.legalRepresentatives[0] ?? null,
  },
  LegalRepresentative: {
    citizen: (r: LegalRepresentative, _: unknown, ctx: NationalDataContext) => (r.personalId === null ? null : loadCitizen(r.personalId, ctx)),
  },
};
