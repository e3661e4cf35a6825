/** Translates GraphQL ↔ domain: argument checks, loader calls, entity stubs for the catalogs subgraph. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, LgspError, type BaseContext } from '@lgsp/kit';
import type { Address, Citizen, Household, HouseholdMember } from './domain/citizen.ts';
import type { Enterprise, LegalRepresentative } from './domain/enterprise.ts';
import { assertPersonalId, isPersonalId } from './domain/personal-id.ts';
import { assertEnterpriseCode } from './domain/enterprise.ts';
import type { Loaders } from './loaders.ts';
import { assertOwnCitizen, assertOwnEnterpriseCode, assertRepresentative, selfAccessOf } from './self-access.ts';

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

/** Every citizen record is loaded here: a self-access caller's only when it is their own (self-access.ts). */
function loadCitizen(personalId: string, ctx: NationalDataContext): Promise<Citizen> {
  assertPersonalId(personalId);
  assertOwnCitizen(ctx.principal, personalId);
  return servedCitizen(ctx, ctx.loaders.citizen.load(personalId));
}

/**
 * Every enterprise is loaded here: a self-access caller's only when it is the one of their token and the register
 * names them its legal representative (checked before it is served or noted as served).
 */
function loadEnterprise(code: string, ctx: NationalDataContext): Promise<Enterprise> {
  assertEnterpriseCode(code);
  assertOwnEnterpriseCode(ctx.principal, code);
  const loading = ctx.loaders.enterprise.load(code);
  return servedEnterprise(
    ctx,
    selfAccessOf(ctx.principal) === undefined
      ? loading
      : loading.then((enterprise) => {
          assertRepresentative(ctx.principal, enterprise);
          return enterprise;
        }),
  );
}

/** The refusal of a self-access field to a caller that is not a citizen (the gateway refuses it first). */
function citizensOnly(): LgspError {
  return new LgspError(
    ErrorCode.FORBIDDEN,
    'Chỉ công dân đăng nhập qua VDXP mới xem được hồ sơ của chính mình. Only a citizen signed in through VDXP (role citizen) reads their own record.',
    { reason: 'NOT_A_CITIZEN' },
  );
}

export const resolvers: GraphQLResolverMap<NationalDataContext> = {
  Query: {
    citizen: (_: unknown, args: { personalId: string }, ctx: NationalDataContext) => loadCitizen(args.personalId, ctx),
    citizens: (_: unknown, args: { personalIds: string[] }, ctx: NationalDataContext) => {
      if (args.personalIds.length > CITIZENS_LIMIT) {
        throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `At most ${CITIZENS_LIMIT} personal IDs per citizens() call (got ${args.personalIds.length})`);
      }
      // Each item resolves or fails on its own: a bad or unknown id (or, under self-access, someone else's) is null
      // with an error at its index.
      const selfAccess = selfAccessOf(ctx.principal) !== undefined;
      return args.personalIds.map((id) =>
        isPersonalId(id) && !selfAccess ? servedCitizen(ctx, ctx.loaders.citizen.load(id)) : Promise.resolve().then(() => loadCitizen(id, ctx)),
      );
    },
    enterprise: (_: unknown, args: { code: string }, ctx: NationalDataContext) => loadEnterprise(args.code, ctx),
    myCitizenRecord: (_: unknown, __: unknown, ctx: NationalDataContext) => {
      const self = selfAccessOf(ctx.principal);
      if (self === undefined) throw citizensOnly();
      return loadCitizen(self.personalId, ctx);
    },
    myEnterprise: (_: unknown, __: unknown, ctx: NationalDataContext) => {
      const self = selfAccessOf(ctx.principal);
      if (self === undefined) throw citizensOnly();
      // A citizen who represents no enterprise (no enterprise_code claim): nothing to show, and nothing wrong.
      if (self.enterpriseCode === undefined) return null;
      return loadEnterprise(self.enterpriseCode, ctx);
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
