/** Translates GraphQL to the registry's domain and back; the rules live in domain/. */
import { ErrorCode, LgspError, type BaseContext, type Environment } from '@lgsp/kit';
import { readsAgencySide, type Caller } from './domain/caller.ts';
import type { StoredAgency } from './domain/agencies.ts';
import type { AccessRequestState, AgencyStatus, ProviderRegistration, RegistrationState, Service, ServiceProposal } from './domain/model.ts';
import type { AccessAction, RegistrationAction } from './domain/onboarding-port.ts';
import type { Registry } from './domain/registry.ts';
import type { AccessRequestAmendment, NewAccessRequest } from './domain/access-requests.ts';
import type { NewSystem, SystemPatch, CredentialRequest } from './domain/systems.ts';
import type { IssuedCredential } from './ports/credentials.ts';
import type { NewAgencyApplication } from './domain/applications.ts';
import { maintenanceResolvers } from './maintenance-resolvers.ts';
import type { FieldDocIndex } from './field-docs.ts';
import { listGrants, type GrantView } from './domain/grant-views.ts';
import type { AccessRequest, OfferedFieldSet } from './domain/model.ts';
import { AWAITING_ANSWER } from './domain/environments.ts';
import { workingDaysLeft } from './domain/working-days/index.ts';

export interface RegistryContext extends BaseContext {
  registry: Registry;
  caller: Caller;
  /** Which fields each field set covers, from the composed supergraph (default: none). */
  fieldDocs?: FieldDocIndex;
}

type Party = 'CONSUMER' | 'PROVIDER' | 'OPERATOR' | 'SYSTEM';

/** Every field here needs a signed-in caller (the gateway enforces `@authenticated`; this keeps direct calls honest). */
function signedIn(ctx: RegistryContext): Caller {
  if (ctx.principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in to use the registry');
  return ctx.caller;
}

/** A signed-in caller of the agency side (the operator, or a caller of an agency): not a citizen. */
function agencySide(ctx: RegistryContext): Caller {
  const caller = signedIn(ctx);
  if (!readsAgencySide(caller)) {
    throw new LgspError(
      ErrorCode.FORBIDDEN,
      'Chỉ cơ quan và đơn vị vận hành xem được mục này (only the operator and callers of an agency read the registry’s systems, services and requests)',
    );
  }
  return caller;
}

const issued = (c: IssuedCredential) => ({ ...c, secret: c.secret ?? null });

/** GraphQL's ServiceProposalInput (nullable fields) to the domain's proposal. */
const proposalOf = (input: ServiceProposal & { deprecatedFields?: ServiceProposal['deprecatedFields'] | null }): ServiceProposal => ({
  ...input,
  subgraph: input.subgraph ?? null,
  relayDataType: input.relayDataType ?? null,
  deprecatedFields: input.deprecatedFields ?? [],
});

export const resolvers = {
  Query: {
    ...maintenanceResolvers.Query,
    async registryAgencies(_: unknown, args: { status?: AgencyStatus | null }, ctx: RegistryContext) {
      signedIn(ctx);
      return ctx.registry.agencies.list({ status: args.status ?? null });
    },
    async registryAgency(_: unknown, args: { code: string }, ctx: RegistryContext) {
      signedIn(ctx);
      return ctx.registry.agencies.get(args.code);
    },
    async informationSystems(_: unknown, args: { agencyCode?: string | null }, ctx: RegistryContext) {
      const caller = agencySide(ctx);
      const all = await ctx.registry.systems.list({ agencyCode: args.agencyCode ?? null });
      return caller.operator ? all : all.filter((s) => s.agencyCode === caller.agencyCode);
    },
    async informationSystem(_: unknown, args: { id: string }, ctx: RegistryContext) {
      const caller = agencySide(ctx);
      const system = await ctx.registry.systems.get(args.id);
      if (system !== null) ctx.registry.systems.requireVisible(caller, system);
      return system;
    },
    async registryServices(_: unknown, args: { providerAgency?: string | null }, ctx: RegistryContext) {
      agencySide(ctx);
      return ctx.registry.services.list({ providerAgency: args.providerAgency ?? null });
    },
    async registryService(_: unknown, args: { code: string }, ctx: RegistryContext) {
      agencySide(ctx);
      return ctx.registry.services.get(args.code);
    },
    async accessRequests(_: unknown, args: { state?: AccessRequestState | null; overdue?: boolean | null }, ctx: RegistryContext) {
      return ctx.registry.accessRequests.list(agencySide(ctx), { state: args.state ?? null, overdue: args.overdue ?? null });
    },
    async accessRequest(_: unknown, args: { id: string }, ctx: RegistryContext) {
      return ctx.registry.accessRequests.get(agencySide(ctx), args.id);
    },
    async serviceRegistrations(_: unknown, args: { state?: RegistrationState | null }, ctx: RegistryContext) {
      return ctx.registry.services.registrations(agencySide(ctx), { state: args.state ?? null });
    },
    async serviceRegistration(_: unknown, args: { id: string }, ctx: RegistryContext) {
      return ctx.registry.services.registration(agencySide(ctx), args.id);
    },
    async registryChanges(_: unknown, args: { entity?: string | null; entityId?: string | null; limit: number }, ctx: RegistryContext) {
      const caller = signedIn(ctx);
      if (!caller.operator) throw new LgspError(ErrorCode.FORBIDDEN, 'only the platform operator reads the change log');
      if (!Number.isInteger(args.limit) || args.limit < 1) throw new LgspError(ErrorCode.BAD_USER_INPUT, 'limit must be at least 1', { argument: 'limit' });
      if (args.limit > 500) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, 'limit must be at most 500', { argument: 'limit' });
      const records = await ctx.registry.core.changes.list({
        ...(args.entity ? { entity: args.entity } : {}),
        ...(args.entityId ? { id: args.entityId } : {}),
        limit: args.limit,
      });
      const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
      return records.map((r) => ({ ...r, before: json(r.before), after: json(r.after) }));
    },
    async agencyApplications(_: unknown, args: { agencyCode?: string | null }, ctx: RegistryContext) {
      return ctx.registry.applications.list(signedIn(ctx), args.agencyCode ?? null);
    },
    async myApplications(_: unknown, _args: unknown, ctx: RegistryContext) {
      return ctx.registry.applications.mine(signedIn(ctx));
    },
    async grants(_: unknown, args: { providerAgency?: string | null; consumerAgency?: string | null }, ctx: RegistryContext) {
      return listGrants(ctx.registry.core, signedIn(ctx), { providerAgency: args.providerAgency ?? null, consumerAgency: args.consumerAgency ?? null });
    },
    async serviceNotices(_: unknown, _args: unknown, ctx: RegistryContext) {
      const caller = agencySide(ctx);
      const notices = await ctx.registry.services.notices();
      if (caller.operator) return notices;
      const services = await ctx.registry.services.list();
      const provided = new Set(services.filter((s) => s.providerAgency === caller.agencyCode).map((s) => s.code));
      const consumed = new Set(
        (await ctx.registry.accessRequests.list(caller))
          .filter((r) => r.consumerAgency === caller.agencyCode)
          .map((r) => `${r.serviceCode}@${r.serviceVersion}`),
      );
      return notices.filter((n) => provided.has(n.serviceCode) || consumed.has(`${n.serviceCode}@${n.version}`));
    },
  },

  Mutation: {
    ...maintenanceResolvers.Mutation,
    async registerAgency(_: unknown, args: { input: Parameters<Registry['agencies']['register']>[1] }, ctx: RegistryContext) {
      return ctx.registry.agencies.register(signedIn(ctx), args.input);
    },
    async updateAgency(_: unknown, args: { code: string; input: Parameters<Registry['agencies']['update']>[2] }, ctx: RegistryContext) {
      return ctx.registry.agencies.update(signedIn(ctx), args.code, args.input);
    },
    async changeAgencyLifecycle(
      _: unknown,
      args: { code: string; input: { status: Exclude<AgencyStatus, 'ACTIVE'> | 'ACTIVE'; successorCodes: string[]; effectiveFrom?: string | null } },
      ctx: RegistryContext,
    ) {
      const { status, successorCodes, effectiveFrom } = args.input;
      if (status === 'ACTIVE')
        throw new LgspError(ErrorCode.BAD_USER_INPUT, 'status: an agency cannot be made ACTIVE again; register its successor', { argument: 'status' });
      return ctx.registry.agencies.changeLifecycle(signedIn(ctx), args.code, { status, successorCodes, ...(effectiveFrom ? { effectiveFrom } : {}) });
    },
    async registerInformationSystem(_: unknown, args: { input: NewSystem }, ctx: RegistryContext) {
      return ctx.registry.systems.register(signedIn(ctx), args.input);
    },
    async updateInformationSystem(_: unknown, args: { id: string; input: SystemPatch }, ctx: RegistryContext) {
      return ctx.registry.systems.update(signedIn(ctx), args.id, args.input);
    },
    async issueCredential(_: unknown, args: { systemId: string; input: CredentialRequest }, ctx: RegistryContext) {
      const { issued: credential } = await ctx.registry.systems.issueCredential(signedIn(ctx), args.systemId, args.input);
      return issued(credential);
    },
    async rotateCredential(_: unknown, args: { clientId: string; publicKeyPem?: string | null; jwksUrl?: string | null }, ctx: RegistryContext) {
      return issued(await ctx.registry.systems.rotateCredential(signedIn(ctx), args.clientId, { publicKeyPem: args.publicKeyPem, jwksUrl: args.jwksUrl }));
    },
    async setCredentialEnabled(_: unknown, args: { clientId: string; enabled: boolean; reason: string }, ctx: RegistryContext) {
      return ctx.registry.systems.setCredentialEnabled(signedIn(ctx), args.clientId, args.enabled, args.reason);
    },
    async deleteCredential(_: unknown, args: { clientId: string; reason: string }, ctx: RegistryContext) {
      return ctx.registry.systems.deleteCredential(signedIn(ctx), args.clientId, args.reason);
    },
    async submitServiceRegistration(_: unknown, args: { providerAgency: string; input: ServiceProposal }, ctx: RegistryContext) {
      return ctx.registry.services.submitRegistration(signedIn(ctx), args.providerAgency, proposalOf(args.input));
    },
    async actOnServiceRegistration(
      _: unknown,
      args: { id: string; action: RegistrationAction; reason?: string | null; proposal?: ServiceProposal | null },
      ctx: RegistryContext,
    ) {
      return ctx.registry.services.actOnRegistration(signedIn(ctx), args.id, args.action, {
        reason: args.reason ?? null,
        proposal: args.proposal ? proposalOf(args.proposal) : null,
      });
    },
    async announceServiceRetirement(_: unknown, args: { serviceCode: string; version: number; reason: string; sunsetAt: string }, ctx: RegistryContext) {
      return ctx.registry.services.announceRetirement(signedIn(ctx), args.serviceCode, args.version, { reason: args.reason, sunsetAt: args.sunsetAt });
    },
    async retireServiceVersion(_: unknown, args: { serviceCode: string; version: number }, ctx: RegistryContext) {
      return ctx.registry.services.retire(signedIn(ctx), args.serviceCode, args.version);
    },
    async registerAgencyApplication(_: unknown, args: { input: NewAgencyApplication }, ctx: RegistryContext) {
      return ctx.registry.applications.register(signedIn(ctx), args.input);
    },
    async removeAgencyApplication(_: unknown, args: { id: string; reason: string }, ctx: RegistryContext) {
      return ctx.registry.applications.remove(signedIn(ctx), args.id, args.reason);
    },
    async submitAccessRequest(_: unknown, args: { input: NewAccessRequest }, ctx: RegistryContext) {
      return ctx.registry.accessRequests.submit(signedIn(ctx), args.input);
    },
    async amendAccessRequest(_: unknown, args: { id: string; input: AccessRequestAmendment }, ctx: RegistryContext) {
      return ctx.registry.accessRequests.amend(signedIn(ctx), args.id, args.input);
    },
    async actOnAccessRequest(
      _: unknown,
      args: { id: string; action: AccessAction; reason?: string | null; as?: Party | null; fieldSets?: string[] | null },
      ctx: RegistryContext,
    ) {
      return ctx.registry.accessRequests.act(signedIn(ctx), args.id, args.action, {
        reason: args.reason ?? null,
        as: args.as ?? null,
        fieldSets: args.fieldSets ?? null,
      });
    },
  },

  RegistryAgency: {
    __resolveReference: (ref: { code: string }, ctx: RegistryContext) => ctx.registry.agencies.get(ref.code),
    scheduledChange: (agency: StoredAgency) => agency.scheduled ?? null,
  },
  InformationSystem: {
    async __resolveReference(ref: { id: string }, ctx: RegistryContext) {
      const system = await ctx.registry.systems.get(ref.id);
      if (system !== null) ctx.registry.systems.requireVisible(signedIn(ctx), system);
      return system;
    },
  },
  RegistryService: {
    __resolveReference: (ref: { code: string }, ctx: RegistryContext) => ctx.registry.services.get(ref.code),
    versions: (service: Service, _: unknown, ctx: RegistryContext) => ctx.registry.services.versions(service.code),
  },
  AccessRequest: {
    __resolveReference: (ref: { id: string }, ctx: RegistryContext) => ctx.registry.accessRequests.get(signedIn(ctx), ref.id),
    approvedFieldSets: (r: AccessRequest) => r.approvedFieldSets ?? null,
    consumerAgencyName: async (r: AccessRequest, _: unknown, ctx: RegistryContext) => (await ctx.registry.agencies.get(r.consumerAgency))?.name ?? null,
    providerAgencyName: async (r: AccessRequest, _: unknown, ctx: RegistryContext) => (await ctx.registry.agencies.get(r.providerAgency))?.name ?? null,
    workingDaysLeft: (r: AccessRequest, _: unknown, ctx: RegistryContext) =>
      r.dueAt === null || !AWAITING_ANSWER.includes(r.state) ? null : workingDaysLeft(new Date(r.dueAt), ctx.registry.core.now(), ctx.registry.core.calendar),
  },
  OfferedFieldSet: {
    fields: (f: OfferedFieldSet, _: unknown, ctx: RegistryContext) => (ctx.fieldDocs?.fieldsOf(f.name) ?? []).map((d) => d.coordinate),
    fieldDocs: (f: OfferedFieldSet, _: unknown, ctx: RegistryContext) => ctx.fieldDocs?.fieldsOf(f.name) ?? [],
  },
  GrantView: {
    id: (v: GrantView) => v.grant.id,
    origin: (v: GrantView) => (v.accessRequestId === null ? 'CONFIGURED' : 'ACCESS_REQUEST'),
    providerAgency: (v: GrantView) => v.grant.provider,
    consumerAgency: (v: GrantView) => v.grant.consumer,
    providerAgencyName: async (v: GrantView, _: unknown, ctx: RegistryContext) => (await ctx.registry.agencies.get(v.grant.provider))?.name ?? null,
    consumerAgencyName: async (v: GrantView, _: unknown, ctx: RegistryContext) =>
      v.grant.consumer === '*' ? null : ((await ctx.registry.agencies.get(v.grant.consumer))?.name ?? null),
    service: (v: GrantView) => v.grant.service,
    fieldSets: (v: GrantView) => v.grant.fieldSets,
    purposes: (v: GrantView) => v.grant.purposes,
    validFrom: (v: GrantView) => v.grant.validFrom,
    validTo: (v: GrantView) => v.grant.validTo ?? null,
    environment: (v: GrantView) => v.grant.environment ?? 'production',
    quota: (v: GrantView) => v.grant.quota ?? null,
    basis: (v: GrantView) => v.grant.basis ?? null,
  },
  HistoryEntry: {
    fieldSets: (h: { fieldSets?: string[] | null }) => h.fieldSets ?? null,
  },
  ServiceRegistration: {
    serviceName: (r: ProviderRegistration) => r.proposal.name,
    fieldSets: (r: ProviderRegistration) => r.proposal.fieldSets,
    pendingUpdateFieldSets: (r: ProviderRegistration) => r.pendingUpdate?.fieldSets ?? null,
  },
  RegistryEnvironment: { TEST: 'test', PRODUCTION: 'production' } satisfies Record<string, Environment>,
  CredentialMethod: { CLIENT_SECRET_JWT: 'client-secret-jwt', CLIENT_JWT: 'client-jwt' },
};
