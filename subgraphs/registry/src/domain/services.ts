/**
 * Services and their versions (App01 §3.4–3.5). A provider registers a service or a new version (App02 form 01),
 * the operator approves within 7 (a new version: 5) working days (DL:17.3, DL:17.5). Publishing a version
 * deprecates the previous one, which is kept at least 180 days; a version's retirement is refused earlier than 60
 * days after its notice (and before its 180 days); retiring a version cancels its access requests and so removes
 * their grants. Notices reach consumer agencies on `service-notice:<agency>` and through `/internal/v1/notices`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { registryEventFields, type ServiceNoticeChange } from '@lgsp/events/topics';
import type { AccessRequests, TransitionPlan } from './access-requests.ts';
import { isProviderOf, type Caller } from './caller.ts';
import { FINAL_STATES } from './environments.ts';
import {
  RELAY_DATA_TYPES,
  type DeprecatedField,
  type InformationSystem,
  type ProviderRegistration,
  type RegistrationState,
  type Service,
  type ServiceDescription,
  type ServiceProposal,
  type ServiceVersion,
  type VersionNotice,
} from './model.ts';
import { isIllegal, nextRegistrationState, PROVIDER_REGISTRATION_SUBMITTED, registrationClock, type Party } from './onboarding/index.ts';
import { dueFor, registrationPartiesFor, type RegistrationAction } from './onboarding-port.ts';
import { isOverdue } from './working-days/index.ts';
import { stamped, type Announcement, type ChangeNote, type RegistryCore } from './registry-core.ts';
import type { Write } from '../store/registry-store.ts';
import { badInput, checkInstant, checkSlug, checkText } from './validation.ts';

const DAY_MS = 86_400_000;
/** App01 §3.5: the previous version stays available at least this long after its successor is published. */
export const KEEP_PREVIOUS_DAYS = 180;
/** App01 §3.5: a version is retired no earlier than this after its notice. */
export const RETIREMENT_NOTICE_DAYS = 60;

const COORDINATE = /^[A-Z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

function checkDescription(d: ServiceDescription): ServiceDescription {
  return {
    authentication: checkText(d.authentication, 'description.authentication'),
    method: checkText(d.method, 'description.method', 40),
    url: checkText(d.url, 'description.url', 500),
    requestFormat: checkText(d.requestFormat, 'description.requestFormat', 200),
    responseFormat: checkText(d.responseFormat, 'description.responseFormat', 200),
    headers: d.headers.map((h, i) => ({
      name: checkText(h.name, `description.headers[${i}].name`, 100),
      description: checkText(h.description, `description.headers[${i}].description`),
    })),
    requestSample: checkText(d.requestSample, 'description.requestSample', 20_000),
    responseSample: checkText(d.responseSample, 'description.responseSample', 20_000),
    purpose: checkText(d.purpose, 'description.purpose', 2000),
    states: d.states.map((s, i) => ({
      code: checkText(s.code, `description.states[${i}].code`, 40),
      meaning: checkText(s.meaning, `description.states[${i}].meaning`),
    })),
  };
}

function checkDeprecatedFields(fields: DeprecatedField[]): DeprecatedField[] {
  return fields.map((f, i) => {
    if (!COORDINATE.test(f.coordinate)) throw badInput(`deprecatedFields[${i}].coordinate`, `"${f.coordinate}" is not a schema coordinate Type.field`);
    return { coordinate: f.coordinate, reason: checkText(f.reason, `deprecatedFields[${i}].reason`) };
  });
}

export class Services {
  constructor(
    private readonly core: RegistryCore,
    private readonly requests: AccessRequests,
  ) {}

  async list(filter: { providerAgency?: string | null } = {}): Promise<Service[]> {
    const all = await this.core.store.list('services');
    return filter.providerAgency ? all.filter((s) => s.providerAgency === filter.providerAgency) : all;
  }

  async get(code: string): Promise<Service | null> {
    return this.core.store.get('services', code);
  }

  async versions(code: string): Promise<ServiceVersion[]> {
    return (await this.core.store.list('versions')).filter((v) => v.serviceCode === code).sort((a, b) => a.version - b.version);
  }

  async version(code: string, version: number): Promise<ServiceVersion | null> {
    return this.core.store.get('versions', `${code}@${version}`);
  }

  /** Every notice of a version not yet retired (what the gateway marks `@deprecated`). */
  async notices(): Promise<Array<VersionNotice & { serviceCode: string; version: number }>> {
    return (await this.core.store.list('versions'))
      .filter((v) => v.notice !== null && v.status !== 'RETIRED')
      .map((v) => ({ ...v.notice!, serviceCode: v.serviceCode, version: v.version }));
  }

  async registrations(caller: Caller, filter: { state?: RegistrationState | null } = {}): Promise<ProviderRegistration[]> {
    return (await this.core.store.list('registrations')).filter(
      (r) => (caller.operator || r.providerAgency === caller.agencyCode) && (filter.state == null || r.state === filter.state),
    );
  }

  async registration(caller: Caller, id: string): Promise<ProviderRegistration | null> {
    const found = await this.core.store.get('registrations', id);
    if (found !== null && !caller.operator && found.providerAgency !== caller.agencyCode)
      throw new LgspError(ErrorCode.FORBIDDEN, `registration ${id} is another agency's`);
    return found;
  }

  /**
   * A provider registers a new service (App02 form 01, 7 working days, DL:17.3), or an update of its registered
   * service (a new version, SUBMIT_UPDATE, 5 working days, DL:17.5) when the code exists. The proposal is checked
   * now; the operator approves it later.
   */
  async submitRegistration(caller: Caller, providerAgency: string, input: ServiceProposal): Promise<ProviderRegistration> {
    if (!isProviderOf(caller, providerAgency))
      throw new LgspError(ErrorCode.FORBIDDEN, `only an administrator or data provider of ${providerAgency} may register its services`);
    const proposal = await this.checkProposal(providerAgency, input);
    const existing = await this.core.store.get('services', proposal.code);
    if (existing !== null && existing.providerAgency !== providerAgency)
      throw new LgspError(ErrorCode.ALREADY_EXISTS, `service ${proposal.code} is provided by another agency`);
    if (existing !== null && existing.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `service ${proposal.code} is retired`);
    if (existing !== null && existing.kind !== proposal.kind) throw badInput('kind', `service ${proposal.code} is a ${existing.kind}`);
    const now = this.core.now();
    const registered = (await this.core.store.list('registrations')).find(
      (r) => r.serviceCode === proposal.code && r.state !== 'REJECTED' && r.state !== 'WITHDRAWN',
    );
    if (existing === null) {
      if (registered !== undefined) throw new LgspError(ErrorCode.ALREADY_EXISTS, `registration ${registered.id} of ${proposal.code} is ${registered.state}`);
      const registration: ProviderRegistration = stamped(
        {
          id: `reg-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
          providerAgency,
          serviceCode: proposal.code,
          proposal,
          pendingUpdate: null,
          state: PROVIDER_REGISTRATION_SUBMITTED.to,
          clock: 'REGISTRATION',
          receivedAt: now.toISOString(),
          dueAt: dueFor(this.core.calendar, 'REGISTRATION', now).toISOString(),
          overdue: false,
          history: [
            { at: now.toISOString(), action: 'SUBMIT', party: 'PROVIDER', by: caller.name, from: '-', to: PROVIDER_REGISTRATION_SUBMITTED.to, reason: null },
          ],
          revision: 0,
          createdAt: '',
          updatedAt: '',
        },
        now,
        true,
      );
      await this.core.apply(caller, [], () => ({
        writes: [{ collection: 'registrations', record: registration, expectedRevision: 0 }],
        notes: [{ entity: 'ProviderRegistration', entityId: registration.id, action: 'SUBMIT', before: null, after: registration }],
        announcements: [],
      }));
      return (await this.core.store.get('registrations', registration.id))!;
    }
    // A service registered before the registry kept registrations (the development seed): its registration is the
    // approved content of its current version.
    const base: ProviderRegistration =
      registered ??
      stamped(
        {
          id: `reg-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
          providerAgency,
          serviceCode: existing.code,
          proposal: await this.proposalOfService(existing),
          pendingUpdate: null,
          state: 'APPROVED',
          clock: null,
          receivedAt: null,
          dueAt: null,
          overdue: false,
          history: [],
          revision: 0,
          createdAt: '',
          updatedAt: '',
        },
        now,
        true,
      );
    return this.actOnRegistration(caller, base.id, 'SUBMIT_UPDATE', { proposal }, registered === undefined ? base : undefined);
  }

  /**
   * A step of the provider-registration machine: the operator APPROVEs (publishing the service, or the update's
   * new version), REJECTs or REQUEST_CHANGES (with a reason); the provider RESUBMITs (optionally corrected),
   * SUBMIT_UPDATEs or WITHDRAWs.
   */
  async actOnRegistration(
    caller: Caller,
    id: string,
    action: RegistrationAction,
    options: { reason?: string | null; proposal?: ServiceProposal | null } = {},
    unsaved?: ProviderRegistration,
  ): Promise<ProviderRegistration> {
    const registration = unsaved ?? (await this.core.get('registrations', id, 'registration'));
    const plays: Party[] = [];
    if (caller.operator) plays.push('OPERATOR');
    if (isProviderOf(caller, registration.providerAgency)) plays.push('PROVIDER');
    if (plays.length === 0) throw new LgspError(ErrorCode.FORBIDDEN, `you are neither the provider nor the operator of registration ${id}`);
    const allowed = registrationPartiesFor(registration.state, action);
    const party = plays.find((p) => allowed.includes(p)) ?? plays[0]!;
    const reason = options.reason?.trim() || null;
    const step = nextRegistrationState(registration.state, action, party, { reason });
    if (isIllegal(step)) {
      this.core.metrics.transition('registration', action, 'refused');
      throw new LgspError(step.code, step.message, { state: registration.state, ...(step.kind === 'REASON_REQUIRED' ? { argument: 'reason' } : {}) });
    }
    const now = this.core.now();
    const corrected = options.proposal ? await this.checkProposal(registration.providerAgency, options.proposal) : null;
    if (corrected !== null && corrected.code !== registration.serviceCode)
      throw badInput('proposal.code', `this registration is of ${registration.serviceCode}`);
    const updating = registration.state === 'APPROVED' || registration.state === 'UPDATE_PENDING' || registration.state === 'UPDATE_CHANGES_REQUESTED';
    const after: ProviderRegistration = stamped(
      {
        ...registration,
        proposal: corrected !== null && !updating ? corrected : registration.proposal,
        pendingUpdate: corrected !== null && updating ? corrected : registration.pendingUpdate,
        state: step.to,
        history: [...registration.history, { at: now.toISOString(), action, party, by: caller.name, from: registration.state, to: step.to, reason }],
      },
      now,
    );
    if (step.effects.includes('START_CLOCK')) {
      const clock = registrationClock(step.to);
      after.clock = clock;
      after.receivedAt = now.toISOString();
      after.dueAt = clock === null ? null : dueFor(this.core.calendar, clock, now).toISOString();
      after.overdue = false;
    }
    if (step.effects.includes('STOP_CLOCK')) Object.assign(after, { clock: null, dueAt: null, overdue: false });
    let publication: { writes: Write[]; announcements: Announcement[]; notes: ChangeNote[] } = { writes: [], announcements: [], notes: [] };
    if (step.effects.includes('PUBLISH_SERVICES')) publication = await this.publication(registration.providerAgency, after.proposal, now);
    if (step.effects.includes('APPLY_UPDATE')) {
      if (after.pendingUpdate === null) throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `registration ${id} has no update to apply`);
      publication = await this.publication(registration.providerAgency, after.pendingUpdate, now);
      after.proposal = after.pendingUpdate;
      after.pendingUpdate = null;
    }
    if (step.effects.includes('DISCARD_UPDATE')) after.pendingUpdate = null;
    try {
      await this.core.apply(caller, [], () => ({
        writes: [{ collection: 'registrations', record: after, expectedRevision: unsaved === undefined ? registration.revision : 0 }, ...publication.writes],
        notes: [{ entity: 'ProviderRegistration', entityId: id, action, before: unsaved === undefined ? registration : null, after }, ...publication.notes],
        announcements: publication.announcements,
      }));
    } catch (error) {
      this.core.metrics.transition('registration', action, 'failed');
      throw error;
    }
    this.core.metrics.transition('registration', action, 'done');
    return (await this.core.store.get('registrations', id))!;
  }

  /** The proposal a registered service's current version amounts to. */
  private async proposalOfService(service: Service): Promise<ServiceProposal> {
    const version = await this.core.get('versions', `${service.code}@${service.currentVersion}`, 'service version');
    return {
      code: service.code,
      name: service.name,
      providerSystem: service.providerSystem,
      kind: service.kind,
      subgraph: service.subgraph,
      relayDataType: service.relayDataType,
      description: version.description,
      fieldSets: version.fieldSets,
      deprecatedFields: [],
    };
  }

  /** The records an approved proposal writes: the service (new or with its current version moved) and the versions. */
  private async publication(providerAgency: string, proposal: ServiceProposal, now: Date) {
    const writes: Write[] = [];
    const announcements: Announcement[] = [];
    const notes: ChangeNote[] = [];
    const existing = await this.core.store.get('services', proposal.code);
    const number = existing === null ? 1 : existing.currentVersion + 1;
    const version: ServiceVersion = stamped(
      {
        id: `${proposal.code}@${number}`,
        serviceCode: proposal.code,
        version: number,
        description: proposal.description,
        fieldSets: proposal.fieldSets,
        status: 'PUBLISHED',
        publishedAt: now.toISOString(),
        supersededAt: null,
        keepUntil: null,
        notice: null,
        retiredAt: null,
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      now,
      true,
    );
    writes.push({ collection: 'versions', record: version, expectedRevision: 0 });
    notes.push({ entity: 'ServiceVersion', entityId: version.id, action: 'PUBLISH', before: null, after: version });
    const service: Service = stamped(
      {
        code: proposal.code,
        name: proposal.name,
        providerAgency,
        providerSystem: proposal.providerSystem,
        kind: proposal.kind,
        subgraph: proposal.subgraph,
        relayDataType: proposal.relayDataType,
        status: 'ACTIVE',
        currentVersion: number,
        revision: existing?.revision ?? 0,
        createdAt: existing?.createdAt ?? '',
        updatedAt: '',
      },
      now,
      existing === null,
    );
    writes.push({ collection: 'services', record: service, expectedRevision: existing?.revision ?? 0 });
    notes.push({ entity: 'Service', entityId: service.code, action: existing === null ? 'REGISTER' : 'NEW_VERSION', before: existing, after: service });
    if (existing !== null) {
      const previous = await this.core.get('versions', `${proposal.code}@${existing.currentVersion}`, 'service version');
      const keepUntil = new Date(now.getTime() + KEEP_PREVIOUS_DAYS * DAY_MS).toISOString();
      const notice: VersionNotice = {
        id: `notice-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        reason: `superseded by version ${number}`,
        noticeAt: now.toISOString(),
        sunsetAt: keepUntil,
        fields: proposal.deprecatedFields,
      };
      const deprecated: ServiceVersion = stamped({ ...previous, status: 'DEPRECATED', supersededAt: now.toISOString(), keepUntil, notice }, now);
      writes.push({ collection: 'versions', record: deprecated, expectedRevision: previous.revision });
      notes.push({ entity: 'ServiceVersion', entityId: previous.id, action: 'DEPRECATE', before: previous, after: deprecated });
      announcements.push(...(await this.noticeAnnouncements(deprecated, 'DEPRECATED')));
    }
    return { writes, announcements, notes };
  }

  /**
   * Gives (or moves) the retirement notice of a version: the sunset at least 60 days away and not before the
   * version's 180-day keep.
   */
  async announceRetirement(caller: Caller, serviceCode: string, versionNumber: number, input: { reason: string; sunsetAt: string }): Promise<ServiceVersion> {
    const { service, version } = await this.providerVersion(caller, serviceCode, versionNumber);
    if (version.status === 'RETIRED') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `version ${version.id} is already retired`);
    const now = this.core.now();
    const sunsetAt = checkInstant(input.sunsetAt, 'sunsetAt');
    const earliest = Math.max(now.getTime() + RETIREMENT_NOTICE_DAYS * DAY_MS, version.keepUntil === null ? 0 : Date.parse(version.keepUntil));
    if (sunsetAt.getTime() < earliest) {
      throw new LgspError(
        ErrorCode.ILLEGAL_TRANSITION,
        `sunsetAt must be on or after ${new Date(earliest).toISOString()} (60 days' notice, App01 §3.5, and the 180-day keep)`,
        {
          argument: 'sunsetAt',
          earliest: new Date(earliest).toISOString(),
        },
      );
    }
    const notice: VersionNotice = {
      id: version.notice?.id ?? `notice-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      reason: checkText(input.reason, 'reason', 1000),
      noticeAt: now.toISOString(),
      sunsetAt: sunsetAt.toISOString(),
      fields: version.notice?.fields ?? [],
    };
    const after: ServiceVersion = stamped(
      { ...version, status: version.status === 'PUBLISHED' && service.currentVersion !== version.version ? 'DEPRECATED' : version.status, notice },
      now,
    );
    await this.core.apply(caller, [], async () => ({
      writes: [{ collection: 'versions', record: after, expectedRevision: version.revision }],
      notes: [{ entity: 'ServiceVersion', entityId: version.id, action: 'ANNOUNCE_RETIREMENT', before: version, after }],
      announcements: await this.noticeAnnouncements(after, 'RETIREMENT_ANNOUNCED'),
    }));
    return (await this.version(serviceCode, versionNumber))!;
  }

  /**
   * Retires a version: refused before 60 days after its notice and before its 180-day keep; every access request on
   * it is cancelled (RETIRE), which removes their grants — all in one change. Retiring the only current version
   * retires the service.
   */
  async retire(caller: Caller, serviceCode: string, versionNumber: number): Promise<ServiceVersion> {
    const { service, version } = await this.providerVersion(caller, serviceCode, versionNumber);
    if (version.status === 'RETIRED') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `version ${version.id} is already retired`);
    const now = this.core.now();
    if (version.notice === null)
      throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `version ${version.id} has no retirement notice: announce it at least 60 days before`);
    const earliest = Math.max(
      Date.parse(version.notice.noticeAt) + RETIREMENT_NOTICE_DAYS * DAY_MS,
      version.keepUntil === null ? 0 : Date.parse(version.keepUntil),
    );
    if (now.getTime() < earliest) {
      throw new LgspError(
        ErrorCode.ILLEGAL_TRANSITION,
        `version ${version.id} may not be retired before ${new Date(earliest).toISOString()} (60 days after its notice, 180 days after its successor)`,
        {
          earliest: new Date(earliest).toISOString(),
        },
      );
    }
    const open = (await this.core.store.list('accessRequests')).filter(
      (r) => r.serviceCode === serviceCode && r.serviceVersion === versionNumber && !FINAL_STATES.includes(r.state),
    );
    const plans: TransitionPlan[] = [];
    for (const request of open) plans.push(await this.requests.plan(request, 'RETIRE', 'SYSTEM', 'system', `version ${version.id} retired`));
    const retired: ServiceVersion = stamped({ ...version, status: 'RETIRED', retiredAt: now.toISOString() }, now);
    const retiresService = service.currentVersion === versionNumber;
    // Several requests of one consumer system change one system record: the last plan's copy carries every flag.
    const systems = new Map<string, InformationSystem>();
    for (const plan of plans) for (const s of plan.systems) systems.set(s.id, mergeCredentials(systems.get(s.id), s));
    await this.core.apply(
      caller,
      plans.flatMap((p) => p.effects),
      async () => ({
        writes: [
          { collection: 'versions', record: retired, expectedRevision: version.revision },
          ...(retiresService
            ? [{ collection: 'services' as const, record: stamped({ ...service, status: 'RETIRED' as const }, now), expectedRevision: service.revision }]
            : []),
          ...open.map((r, i) => ({ collection: 'accessRequests' as const, record: plans[i]!.after, expectedRevision: r.revision })),
          ...[...systems.values()].map((s) => ({ collection: 'systems' as const, record: s, expectedRevision: s.revision })),
        ],
        notes: [{ entity: 'ServiceVersion', entityId: version.id, action: 'RETIRE', before: version, after: retired }, ...plans.flatMap((p) => p.notes)],
        announcements: [...(await this.noticeAnnouncements(retired, 'RETIRED')), ...plans.flatMap((p) => p.announcements)],
      }),
    );
    return (await this.version(serviceCode, versionNumber))!;
  }

  /** `service-notice:<agency>` to every consumer agency with a request on the version. */
  private async noticeAnnouncements(version: ServiceVersion, change: ServiceNoticeChange): Promise<Announcement[]> {
    const consumers = new Set(
      (await this.core.store.list('accessRequests'))
        .filter((r) => r.serviceCode === version.serviceCode && r.serviceVersion === version.version && !FINAL_STATES.includes(r.state))
        .map((r) => r.consumerAgency),
    );
    return [...consumers].map((agency) => ({
      family: 'service-notice' as const,
      agency,
      fields: registryEventFields.serviceNotice({
        serviceCode: version.serviceCode,
        version: version.version,
        change,
        noticeId: version.notice?.id ?? null,
        sunsetAt: version.notice?.sunsetAt ?? null,
        reason: version.notice?.reason ?? null,
        occurredAt: version.updatedAt,
      }),
    }));
  }

  private async providerVersion(caller: Caller, serviceCode: string, versionNumber: number) {
    const service = await this.core.get('services', serviceCode, 'service');
    if (!caller.operator && !isProviderOf(caller, service.providerAgency))
      throw new LgspError(ErrorCode.FORBIDDEN, `only the provider ${service.providerAgency} or the operator may do this`);
    const version = await this.core.get('versions', `${serviceCode}@${versionNumber}`, 'service version');
    return { service, version };
  }

  private async checkProposal(providerAgency: string, input: ServiceProposal): Promise<ServiceProposal> {
    const code = checkSlug(input.code, 'code');
    const system = await this.core.store.get('systems', input.providerSystem);
    if (system === null) throw new LgspError(ErrorCode.NOT_FOUND, `no system ${input.providerSystem}`, { argument: 'providerSystem' });
    if (system.agencyCode !== providerAgency) throw badInput('providerSystem', `system ${system.id} belongs to ${system.agencyCode}, not ${providerAgency}`);
    let subgraph: string | null = null;
    let relayDataType = null;
    if (input.kind === 'SUBGRAPH') {
      subgraph = checkSlug(input.subgraph ?? '', 'subgraph');
      if (input.fieldSets.length === 0) throw badInput('fieldSets', 'a subgraph service offers at least one field set');
    } else {
      if (input.relayDataType == null || !RELAY_DATA_TYPES.includes(input.relayDataType))
        throw badInput('relayDataType', `must be one of ${RELAY_DATA_TYPES.join(', ')}`);
      relayDataType = input.relayDataType;
    }
    const names = new Set<string>();
    const fieldSets = input.fieldSets.map((f, i) => {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(f.name) || (subgraph !== null && !f.name.startsWith(`${subgraph}.`))) {
        throw badInput(`fieldSets[${i}].name`, `"${f.name}" must be a policy name of the subgraph, such as ${subgraph ?? 'relay'}.citizen.basic`);
      }
      if (names.has(f.name)) throw badInput(`fieldSets[${i}].name`, `${f.name} is listed twice`);
      names.add(f.name);
      return { name: f.name, description: checkText(f.description, `fieldSets[${i}].description`), personalData: f.personalData };
    });
    return {
      code,
      name: checkText(input.name, 'name', 300),
      providerSystem: system.id,
      kind: input.kind,
      subgraph,
      relayDataType,
      description: checkDescription(input.description),
      fieldSets,
      deprecatedFields: checkDeprecatedFields(input.deprecatedFields),
    };
  }

  /** Flags registrations past their due date, as access requests are. */
  async flagOverdue(caller: Caller): Promise<{ flagged: number; overdueNow: number }> {
    const now = this.core.now();
    let flagged = 0;
    let overdueNow = 0;
    for (const registration of await this.core.store.list('registrations')) {
      if (registration.clock === null || registration.dueAt === null || !isOverdue(new Date(registration.dueAt), now)) continue;
      overdueNow += 1;
      if (registration.overdue) continue;
      const after = stamped({ ...registration, overdue: true }, now);
      try {
        await this.core.apply(caller, [], () => ({
          writes: [{ collection: 'registrations', record: after, expectedRevision: registration.revision }],
          notes: [{ entity: 'ProviderRegistration', entityId: registration.id, action: 'OVERDUE', before: registration, after }],
          announcements: [],
        }));
        flagged += 1;
        this.core.metrics.overdueFlagged('registration');
      } catch (error) {
        this.core.logger.warn({ err: error, registration: registration.id }, 'an overdue registration will be flagged at the next sweep');
      }
    }
    this.core.metrics.overdueNow('registration', overdueNow);
    return { flagged, overdueNow };
  }
}

function mergeCredentials(earlier: InformationSystem | undefined, later: InformationSystem): InformationSystem {
  if (earlier === undefined) return later;
  return {
    ...later,
    credentials: later.credentials.map((c) => {
      const e = earlier.credentials.find((x) => x.clientId === c.clientId);
      return e === undefined ? c : { ...c, enabled: c.enabled && e.enabled };
    }),
  };
}
