/**
 * Access requests (đề nghị khai thác dữ liệu, App02 forms 02–03) and their approval flow: the onboarding machine
 * says which party may take which step and what it sets off (grants written or removed in the GrantStore the gateway
 * enforces, credentials disabled or enabled, the working-day clock started or stopped); this module does it all or
 * nothing, records it and announces it to the consumer and the provider agency (`access-request-changed:<agency>`).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, LgspError, type Environment } from '@lgsp/kit';
import { registryEventFields } from '@lgsp/events/topics';
import { registryGrantId, type Grant } from '../ports/grants.ts';
import { DEVELOPER_CONSUMER_ACTIONS, isConsumerOf, isDeveloperOnly, isProviderOf, type Caller } from './caller.ts';
import { AWAITING_ANSWER, FINAL_STATES, servesEnvironment } from './environments.ts';
import type { AccessRequest, AccessRequestState, InformationSystem, Party, Quota, Service, ServiceVersion } from './model.ts';
import { isIllegal, nextState, type AccessRequestEffect } from './onboarding/index.ts';
import { accessPartiesFor, dueFor, type AccessAction } from './onboarding-port.ts';
import { isOverdue } from './working-days/index.ts';
import { stamped, type Announcement, type ChangeNote, type DoneEffect, type RegistryCore } from './registry-core.ts';
import { withCredentialEnabled, type Systems } from './systems.ts';
import { badInput, checkInstant, checkPositiveInt, checkPurpose, checkText } from './validation.ts';

export interface NewAccessRequest {
  consumerSystem: string;
  serviceCode: string;
  /** Absent = the service's current version. */
  serviceVersion?: number | null;
  fieldSets: string[];
  purposes: string[];
  legalBasis: string;
  expectedRequestsPerDay: number;
  quota?: Quota | null;
  validTo?: string | null;
  /** Form 03: who signs the security commitment for the consumer agency, and its text. */
  securityCommitment: { signedBy: string; text: string };
}

/** Steps that grant access (a grant written or credentials enabled). */
const GRANTING: ReadonlySet<AccessAction> = new Set(['APPROVE', 'CONFIRM_INTEGRATION', 'RESUME']);
const PARTY_ORDER: readonly Party[] = ['OPERATOR', 'PROVIDER', 'CONSUMER'];
const ENVIRONMENTS: readonly Environment[] = ['test', 'production'];

/** A transition worked out but not yet done: the effects to run and the records to write. */
export interface TransitionPlan {
  effects: Array<() => Promise<DoneEffect | null>>;
  after: AccessRequest;
  /** Systems whose credentials' `enabled` flags change with it. */
  systems: InformationSystem[];
  notes: ChangeNote[];
  announcements: Announcement[];
}

export class AccessRequests {
  constructor(
    private readonly core: RegistryCore,
    private readonly systems: Systems,
  ) {}

  /** The requests the caller may see: all for the operator, else those of its agency as consumer or provider. */
  async list(caller: Caller, filter: { state?: AccessRequestState | null; overdue?: boolean | null } = {}): Promise<AccessRequest[]> {
    const all = await this.core.store.list('accessRequests');
    return all.filter(
      (r) =>
        (caller.operator || r.consumerAgency === caller.agencyCode || r.providerAgency === caller.agencyCode) &&
        (filter.state == null || r.state === filter.state) &&
        (filter.overdue == null || r.overdue === filter.overdue),
    );
  }

  async get(caller: Caller, id: string): Promise<AccessRequest | null> {
    const request = await this.core.store.get('accessRequests', id);
    if (request === null) return null;
    if (!caller.operator && request.consumerAgency !== caller.agencyCode && request.providerAgency !== caller.agencyCode) {
      throw new LgspError(ErrorCode.FORBIDDEN, `access request ${id} is between other agencies`);
    }
    return request;
  }

  /** A consumer agency's administrator asks for field sets of a service version; the working-day clock starts. */
  async submit(caller: Caller, input: NewAccessRequest): Promise<AccessRequest> {
    const system = await this.core.get('systems', input.consumerSystem, 'system');
    if (!isConsumerOf(caller, system.agencyCode))
      throw new LgspError(ErrorCode.FORBIDDEN, `only an administrator or developer of ${system.agencyCode} may request access for its systems`);
    const agency = await this.core.get('agencies', system.agencyCode, 'agency');
    if (agency.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `agency ${agency.code} is ${agency.status}`);
    const service = await this.core.get('services', input.serviceCode, 'service');
    if (service.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `service ${service.code} is retired`);
    if (service.providerAgency === system.agencyCode) throw badInput('serviceCode', 'an agency does not request access to its own service');
    const versionNumber = input.serviceVersion ?? service.currentVersion;
    const version = await this.core.get('versions', `${service.code}@${versionNumber}`, 'service version');
    if (version.status !== 'PUBLISHED')
      throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `version ${version.id} is ${version.status}: request the current version ${service.currentVersion}`);
    const now = this.core.now();
    const { fieldSets, purposes, validTo, quota } = checkTerms(input, service, version, now);
    const open = (await this.core.store.list('accessRequests')).find(
      (r) => r.consumerSystem === system.id && r.serviceCode === service.code && !FINAL_STATES.includes(r.state),
    );
    if (open !== undefined)
      throw new LgspError(ErrorCode.ALREADY_EXISTS, `system ${system.id} already has request ${open.id} (${open.state}) to ${service.code}`);

    const request: AccessRequest = stamped(
      {
        id: `ar-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        consumerAgency: system.agencyCode,
        consumerSystem: system.id,
        serviceCode: service.code,
        serviceVersion: version.version,
        providerAgency: service.providerAgency,
        fieldSets,
        purposes,
        legalBasis: checkText(input.legalBasis, 'legalBasis', 1000),
        expectedRequestsPerDay: checkPositiveInt(input.expectedRequestsPerDay, 'expectedRequestsPerDay'),
        quota,
        validTo,
        securityCommitment: {
          signedBy: checkText(input.securityCommitment.signedBy, 'securityCommitment.signedBy', 200),
          text: checkText(input.securityCommitment.text, 'securityCommitment.text', 5000),
          signedAt: now.toISOString(),
        },
        state: 'PENDING_APPROVAL',
        providerApproved: false,
        operatorApproved: false,
        receivedAt: now.toISOString(),
        dueAt: dueFor(this.core.calendar, 'ACCESS_REQUEST', now).toISOString(),
        overdue: false,
        history: [{ at: now.toISOString(), action: 'SUBMIT', party: 'CONSUMER', by: caller.name, from: '-', to: 'PENDING_APPROVAL', reason: null }],
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      now,
      true,
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'accessRequests', record: request, expectedRevision: 0 }],
      notes: [{ entity: 'AccessRequest', entityId: request.id, action: 'SUBMIT', before: null, after: request }],
      announcements: changeAnnouncements(request, 'SUBMIT'),
    }));
    return (await this.core.store.get('accessRequests', request.id))!;
  }

  /**
   * The consumer changes its request while changes are asked for (CHANGES_REQUESTED), before it resubmits: field sets,
   * purposes, legal basis, volume, quota, validity — checked as at submission.
   */
  async amend(caller: Caller, id: string, changes: AccessRequestAmendment): Promise<AccessRequest> {
    const request = await this.core.get('accessRequests', id, 'access request');
    if (!isConsumerOf(caller, request.consumerAgency))
      throw new LgspError(ErrorCode.FORBIDDEN, `only an administrator or developer of ${request.consumerAgency} may change request ${id}`);
    if (request.state !== 'CHANGES_REQUESTED')
      throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `request ${id} is ${request.state}: it is changed only when changes are asked for`, {
        state: request.state,
      });
    const service = await this.core.get('services', request.serviceCode, 'service');
    const version = await this.core.get('versions', `${request.serviceCode}@${request.serviceVersion}`, 'service version');
    const now = this.core.now();
    const terms = checkTerms(
      {
        fieldSets: changes.fieldSets ?? request.fieldSets,
        purposes: changes.purposes ?? request.purposes,
        quota: changes.quota === undefined ? request.quota : changes.quota,
        validTo: changes.validTo === undefined ? request.validTo : changes.validTo,
      },
      service,
      version,
      now,
    );
    const after: AccessRequest = stamped(
      {
        ...request,
        ...terms,
        legalBasis: changes.legalBasis ? checkText(changes.legalBasis, 'legalBasis', 1000) : request.legalBasis,
        expectedRequestsPerDay: changes.expectedRequestsPerDay
          ? checkPositiveInt(changes.expectedRequestsPerDay, 'expectedRequestsPerDay')
          : request.expectedRequestsPerDay,
        history: [
          ...request.history,
          { at: now.toISOString(), action: 'AMEND', party: 'CONSUMER', by: caller.name, from: request.state, to: request.state, reason: null },
        ],
      },
      now,
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'accessRequests', record: after, expectedRevision: request.revision }],
      notes: [{ entity: 'AccessRequest', entityId: id, action: 'AMEND', before: request, after }],
      announcements: [],
    }));
    return (await this.core.store.get('accessRequests', id))!;
  }

  /** The parties the caller plays for this request. */
  partiesOf(caller: Caller, request: AccessRequest): Party[] {
    const parties: Party[] = [];
    if (caller.operator) parties.push('OPERATOR');
    if (isProviderOf(caller, request.providerAgency)) parties.push('PROVIDER');
    if (isConsumerOf(caller, request.consumerAgency)) parties.push('CONSUMER');
    return parties;
  }

  /** Takes one step of the machine for the caller (as `as`, or the first party it plays that may). */
  async act(
    caller: Caller,
    id: string,
    action: AccessAction,
    options: { reason?: string | null; as?: Party | null; fieldSets?: string[] | null } = {},
  ): Promise<AccessRequest> {
    const request = await this.core.get('accessRequests', id, 'access request');
    const plays = this.partiesOf(caller, request);
    if (plays.length === 0) throw new LgspError(ErrorCode.FORBIDDEN, `you are neither the consumer, the provider nor the operator of access request ${id}`);
    if (action === 'RETIRE') throw new LgspError(ErrorCode.FORBIDDEN, 'RETIRE is taken by the platform when a service version is retired');
    const allowed = accessPartiesFor(request.state, action);
    if (allowed.length === 0) {
      this.core.metrics.transition('access-request', action, 'refused');
      throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `${action} is not possible in state ${request.state}`, { state: request.state });
    }
    const party = options.as ?? PARTY_ORDER.find((p) => plays.includes(p) && allowed.includes(p));
    if (party === undefined || !plays.includes(party) || !allowed.includes(party)) {
      this.core.metrics.transition('access-request', action, 'refused');
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        `${action} in state ${request.state} is for ${allowed.join(' or ')}; you act as ${(options.as ? [options.as] : plays).join(' or ')}`,
      );
    }
    if (party === 'CONSUMER' && isDeveloperOnly(caller, request.consumerAgency) && !DEVELOPER_CONSUMER_ACTIONS.includes(action)) {
      this.core.metrics.transition('access-request', action, 'refused');
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        `${action} of request ${id} is for an administrator of ${request.consumerAgency}; a developer may ${DEVELOPER_CONSUMER_ACTIONS.join(' or ')}`,
      );
    }
    const reason = options.reason?.trim() || null;
    if (reason !== null) checkText(reason, 'reason', 2000);
    if (GRANTING.has(action)) {
      // Access is granted only between agencies in service (a merged or dissolved agency's code is no longer used).
      for (const code of [request.consumerAgency, request.providerAgency]) {
        const agency = await this.core.get('agencies', code, 'agency');
        if (agency.status !== 'ACTIVE')
          throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `agency ${code} is ${agency.status}: cancel the request instead`, { state: request.state });
      }
    }
    const approved = options.fieldSets == null ? null : checkApprovedFieldSets(request, action, party, options.fieldSets);
    const plan = await this.plan(request, action, party, caller.name, reason, approved);
    try {
      await this.core.apply(caller, plan.effects, () => ({
        writes: [
          { collection: 'accessRequests', record: plan.after, expectedRevision: request.revision },
          ...plan.systems.map((s) => ({ collection: 'systems' as const, record: s, expectedRevision: s.revision })),
        ],
        notes: plan.notes,
        announcements: plan.announcements,
      }));
    } catch (error) {
      this.core.metrics.transition('access-request', action, 'failed');
      throw error;
    }
    this.core.metrics.transition('access-request', action, 'done');
    return (await this.core.store.get('accessRequests', id))!;
  }

  /** Works out a transition: the new record, its effects with their undo, the credential flags, notes and events. */
  async plan(
    request: AccessRequest,
    action: AccessAction,
    party: Party,
    by: string,
    reason: string | null,
    /** APPROVE by the provider: the field sets it approves (checked); null = all those requested. */
    approvedFieldSets: string[] | null = null,
  ): Promise<TransitionPlan> {
    const step = nextState(request.state, action, party, { reason });
    if (isIllegal(step))
      throw new LgspError(step.code, step.message, { state: request.state, ...(step.kind === 'REASON_REQUIRED' ? { argument: 'reason' } : {}) });
    const now = this.core.now();
    const effects = new Set<AccessRequestEffect>(step.effects);
    const to = step.to;
    const providerApproves = action === 'APPROVE' && party === 'PROVIDER';
    const approved = providerApproves ? (approvedFieldSets ?? request.fieldSets) : null;
    // A production grant comes with the test one (LIVE serves both environments; SUSPEND removed both).
    if (effects.has('WRITE_PRODUCTION_GRANT') && servesEnvironment(to, 'test')) effects.add('WRITE_TEST_GRANT');
    const after: AccessRequest = stamped(
      {
        ...request,
        state: to,
        providerApproved: action === 'RESUBMIT' ? false : request.providerApproved || (action === 'APPROVE' && party === 'PROVIDER'),
        operatorApproved: action === 'RESUBMIT' ? false : request.operatorApproved || (action === 'APPROVE' && party === 'OPERATOR'),
        approvedFieldSets: action === 'RESUBMIT' ? null : (approved ?? request.approvedFieldSets ?? null),
        history: [
          ...request.history,
          { at: now.toISOString(), action, party, by, from: request.state, to, reason, ...(approved === null ? {} : { fieldSets: approved }) },
        ],
      },
      now,
    );
    if (effects.has('START_CLOCK')) {
      after.receivedAt = now.toISOString();
      after.dueAt = dueFor(this.core.calendar, 'ACCESS_REQUEST', now).toISOString();
      after.overdue = false;
    }
    if (effects.has('STOP_CLOCK')) {
      after.dueAt = null;
      after.overdue = false;
    }

    const service = await this.core.get('services', request.serviceCode, 'service');
    const run: TransitionPlan['effects'] = [];
    if (effects.has('REMOVE_GRANTS')) for (const env of ENVIRONMENTS) run.push(() => this.removeGrant(registryGrantId(request.id, env)));
    if (effects.has('WRITE_TEST_GRANT')) run.push(() => this.putGrant(service, after, 'test', now));
    if (effects.has('WRITE_PRODUCTION_GRANT')) run.push(() => this.putGrant(service, after, 'production', now));

    // Credentials belong to the consumer system, which may hold other requests: an environment's credentials are
    // disabled only when no request of the system is in force there any more, and enabled when one is again.
    const systems: InformationSystem[] = [];
    const credentialNotes: ChangeNote[] = [];
    if (effects.has('DISABLE_CREDENTIALS') || effects.has('ENABLE_CREDENTIALS')) {
      let system = await this.core.get('systems', request.consumerSystem, 'system');
      const others = (await this.core.store.list('accessRequests')).filter((r) => r.consumerSystem === system.id && r.id !== request.id);
      for (const env of ENVIRONMENTS) {
        const servedAfter = servesEnvironment(to, env) || others.some((r) => servesEnvironment(r.state, env));
        const enable = effects.has('ENABLE_CREDENTIALS') && servedAfter;
        const disable = effects.has('DISABLE_CREDENTIALS') && !servedAfter;
        for (const credential of system.credentials.filter((c) => c.environment === env)) {
          if (enable && !credential.enabled) {
            const why = `access request ${request.id} ${action}`;
            run.push(...this.systems.credentialEffects(credential.clientId, true, why, by));
            system = withCredentialEnabled(system, credential.clientId, true);
            credentialNotes.push(credentialSwitched(credential.clientId, true, why));
          } else if (disable && credential.enabled) {
            const why = `access request ${request.id} ${action}: ${reason ?? ''}`.trim();
            run.push(...this.systems.credentialEffects(credential.clientId, false, why, by));
            system = withCredentialEnabled(system, credential.clientId, false);
            credentialNotes.push(credentialSwitched(credential.clientId, false, why));
          }
        }
      }
      const original = await this.core.get('systems', request.consumerSystem, 'system');
      if (JSON.stringify(original.credentials) !== JSON.stringify(system.credentials)) systems.push(stamped(system, now));
    }
    return {
      effects: run,
      after,
      systems,
      notes: [{ entity: 'AccessRequest', entityId: request.id, action, before: request, after }, ...credentialNotes],
      announcements: changeAnnouncements(after, action, request.state),
    };
  }

  /** The grant an approved request writes for an environment (none for a relay data type: the relay asks `/relay/routes`). */
  grantFor(service: Service, request: AccessRequest, environment: Environment, now: Date): Grant | null {
    if (service.kind !== 'SUBGRAPH' || service.subgraph === null) return null;
    return {
      id: registryGrantId(request.id, environment),
      provider: service.providerAgency,
      consumer: request.consumerAgency,
      service: service.subgraph,
      fieldSets: grantedFieldSets(request),
      purposes: request.purposes,
      validFrom: now.toISOString(),
      ...(request.validTo === null ? {} : { validTo: request.validTo }),
      basis: `access request ${request.id}: ${request.legalBasis}`.slice(0, 500),
      environment,
      ...(request.quota === null ? {} : { quota: request.quota }),
    };
  }

  private async putGrant(service: Service, request: AccessRequest, environment: Environment, now: Date): Promise<DoneEffect | null> {
    const grant = this.grantFor(service, request, environment, now);
    if (grant === null) return null;
    const grants = this.core.grants;
    const before = await grants.get(grant.id);
    await retryOnVersion(async () => grants.putAll([grant], await grants.version()));
    return {
      what: `write grant ${grant.id}`,
      notes: [{ entity: 'grant', entityId: grant.id, action: 'put', before, after: grant }],
      undo: async () => {
        if (before !== null) await retryOnVersion(async () => grants.putAll([before], await grants.version()));
        else await retryOnVersion(async () => (await grants.removeIfVersion(grant.id, await grants.version())) !== 'stale');
      },
    };
  }

  private async removeGrant(id: string): Promise<DoneEffect | null> {
    const grants = this.core.grants;
    const before = await grants.get(id);
    if (before === null) return null;
    await retryOnVersion(async () => (await grants.removeIfVersion(id, await grants.version())) !== 'stale');
    return {
      what: `remove grant ${id}`,
      undo: () => retryOnVersion(async () => grants.putAll([before], await grants.version())),
      notes: [{ entity: 'grant', entityId: id, action: 'revoke', before, after: null }],
    };
  }

  /**
   * Flags the requests still awaiting an answer past their due date (once each), announces them and answers how many
   * wait overdue now (for the metric).
   */
  async flagOverdue(caller: Caller): Promise<{ flagged: number; overdueNow: number }> {
    const now = this.core.now();
    let flagged = 0;
    let overdueNow = 0;
    for (const request of await this.core.store.list('accessRequests')) {
      if (!AWAITING_ANSWER.includes(request.state) || request.dueAt === null || !isOverdue(new Date(request.dueAt), now)) continue;
      overdueNow += 1;
      if (request.overdue) continue;
      const after = stamped({ ...request, overdue: true }, now);
      try {
        await this.core.apply(caller, [], () => ({
          writes: [{ collection: 'accessRequests', record: after, expectedRevision: request.revision }],
          notes: [{ entity: 'AccessRequest', entityId: request.id, action: 'OVERDUE', before: request, after }],
          announcements: changeAnnouncements(after, 'OVERDUE'),
        }));
        flagged += 1;
        this.core.metrics.overdueFlagged('access-request');
      } catch (error) {
        this.core.logger.warn({ err: error, accessRequest: request.id }, 'an overdue request will be flagged at the next sweep');
      }
    }
    this.core.metrics.overdueNow('access-request', overdueNow);
    return { flagged, overdueNow };
  }
}

/** What a consumer may change in a request while changes are asked for (absent = unchanged). */
export interface AccessRequestAmendment {
  fieldSets?: string[] | null;
  purposes?: string[] | null;
  legalBasis?: string | null;
  expectedRequestsPerDay?: number | null;
  quota?: Quota | null;
  validTo?: string | null;
}

/** The field sets a request's grants name: those the provider approved (all requested before the choice existed). */
export function grantedFieldSets(request: AccessRequest): string[] {
  return request.approvedFieldSets ?? request.fieldSets;
}

/**
 * The field sets a provider approves: only with APPROVE by the provider, a non-empty subset of those requested
 * (`FIELD_SET_NOT_REQUESTED` names the others), in the request's order.
 */
function checkApprovedFieldSets(request: AccessRequest, action: AccessAction, party: Party, fieldSets: string[]): string[] {
  if (action !== 'APPROVE' || party !== 'PROVIDER')
    throw badInput('fieldSets', `fieldSets is chosen only by the provider when it APPROVEs (not with ${action} as ${party})`);
  const chosen = new Set(fieldSets.map((f) => f.trim()));
  if (chosen.size === 0 || request.fieldSets.length === 0)
    throw badInput(
      'fieldSets',
      `approve at least one of the field sets requested (${request.fieldSets.join(', ') || 'none'}), or leave fieldSets out to approve them all`,
    );
  const notRequested = [...chosen].filter((f) => !request.fieldSets.includes(f));
  if (notRequested.length > 0)
    throw new LgspError(
      ErrorCode.FIELD_SET_NOT_REQUESTED,
      `request ${request.id} does not ask for ${notRequested.join(', ')}: approve a subset of ${request.fieldSets.join(', ')}`,
      { argument: 'fieldSets', notRequested },
    );
  return request.fieldSets.filter((f) => chosen.has(f));
}

/** Checks the terms of a request against the service version: field sets offered, purposes, validity, quota. */
function checkTerms(
  input: { fieldSets: string[]; purposes: string[]; validTo?: string | null; quota?: Quota | null },
  service: Service,
  version: ServiceVersion,
  now: Date,
): { fieldSets: string[]; purposes: string[]; validTo: string | null; quota: Quota | null } {
  const fieldSets = [...new Set(input.fieldSets)];
  // A relay data type offers no field sets: the request is to send and receive it.
  if (fieldSets.length === 0 && service.kind === 'SUBGRAPH') throw badInput('fieldSets', 'request at least one field set');
  const offered = new Set(version.fieldSets.map((f) => f.name));
  const unknown = fieldSets.filter((f) => !offered.has(f));
  if (unknown.length > 0) {
    throw new LgspError(
      ErrorCode.UNKNOWN_FIELD_SET,
      `version ${version.id} does not offer ${unknown.join(', ')} (it offers ${[...offered].join(', ') || 'none'})`,
      {
        argument: 'fieldSets',
        unknown,
      },
    );
  }
  const purposes = [...new Set(input.purposes.map(checkPurpose))];
  if (purposes.length === 0) throw badInput('purposes', 'declare at least one purpose');
  const validTo = input.validTo ? checkInstant(input.validTo, 'validTo') : null;
  if (validTo !== null && validTo.getTime() <= now.getTime())
    throw new LgspError(ErrorCode.INVALID_DATE, 'validTo: must be in the future', { argument: 'validTo' });
  const quota = input.quota
    ? {
        requests: checkPositiveInt(input.quota.requests, 'quota.requests', 1_000_000),
        perSeconds: checkPositiveInt(input.quota.perSeconds, 'quota.perSeconds', 86_400),
      }
    : null;
  return { fieldSets, purposes, validTo: validTo?.toISOString() ?? null, quota };
}

/** `access-request-changed` to the consumer and the provider agency. */
export function changeAnnouncements(request: AccessRequest, action: string, previousState?: AccessRequestState): Announcement[] {
  const fields = registryEventFields.accessRequestChanged({
    accessRequestId: request.id,
    state: request.state,
    action,
    overdue: request.overdue,
    consumerAgency: request.consumerAgency,
    providerAgency: request.providerAgency,
    serviceCode: request.serviceCode,
    previousState: previousState ?? null,
    dueAt: request.dueAt,
    occurredAt: request.updatedAt,
  });
  const agencies = [...new Set([request.consumerAgency, request.providerAgency])];
  return agencies.map((agency) => ({ family: 'access-request-changed' as const, agency, fields }));
}

/** A write over the GrantStore's version, retried when another writer moved it meanwhile. */
async function retryOnVersion(write: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt += 1) if (await write()) return;
  throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, 'the grants kept changing while this change was made; retry');
}

/** The change note of a consumer's credential switched on or off by a request's transition (as `setCredentialEnabled` notes it). */
function credentialSwitched(clientId: string, enabled: boolean, reason: string): ChangeNote {
  return { entity: 'Credential', entityId: clientId, action: enabled ? 'ENABLE' : 'DISABLE', before: { enabled: !enabled }, after: { enabled, reason } };
}
