/**
 * Maintenance windows and incidents (DL:12.6, DL:13.5), made the registry's way (registry-core.ts `apply`): each
 * change is committed over the revision read, recorded in the change log with the operator who made it, and
 * announced on the platform topic `maintenance-announced`.
 *
 * Windows: only the operator announces, changes and cancels them; any signed-in caller reads them. A planned window
 * starts at least 24 hours after it is announced (rules.ts); an emergency may start at once and is recorded as such,
 * with its reason. A window that has started can be ended early (cancel) or have its end moved, never its start,
 * and never its end into the past. The sweep announces STARTED and ENDED as the times pass.
 *
 * Incidents: recorded, updated and resolved by the operator; told to the agencies they affect on the same topic
 * (`affectedAgencies`; the subscriptions subgraph delivers an incident only to those agencies and operators).
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, LgspError } from '@lgsp/kit';
import { eventLimits } from '@lgsp/events';
import { maintenanceEventFields, type MaintenanceChange } from '@lgsp/events/topics';
import { requireOperator } from '../agencies.ts';
import type { Caller } from '../caller.ts';
import { stamped, type Announcement, type RegistryCore } from '../registry-core.ts';
import { badInput, checkAgencyCode, checkInstant, checkSlug, checkText } from '../validation.ts';
import { maintenanceStatus, type Incident, type MaintenanceStatus, type MaintenanceWindow } from './model.ts';
import { checkWindowTimes, invalidWindow } from './rules.ts';

export interface NewMaintenanceWindow {
  startsAt: string;
  endsAt: string;
  summary: string;
  reason: string;
  affectedServices?: string[] | null;
  emergency?: boolean | null;
}

export interface MaintenanceWindowChange {
  startsAt?: string | null;
  endsAt?: string | null;
  summary?: string | null;
  reason?: string | null;
  affectedServices?: string[] | null;
  /** Moving the start earlier than 24 hours from now needs it, as announcing does. */
  emergency?: boolean | null;
}

export interface NewIncident {
  summary: string;
  affectedAgencies: string[];
  affectedServices?: string[] | null;
  startedAt: string;
  expectedFixAt?: string | null;
}

export interface IncidentChange {
  summary?: string | null;
  affectedAgencies?: string[] | null;
  affectedServices?: string[] | null;
  expectedFixAt?: string | null;
}

/** A window with its status at the time it was read. */
export type WindowView = MaintenanceWindow & { status: MaintenanceStatus };

export interface PeriodFilter {
  from?: string | null;
  to?: string | null;
}

const SUMMARY_MAX = 200;
const REASON_MAX = 1000;
/** Lists an announcement carries (an event holds at most `eventLimits.maxEventBytes`); more agencies: name none (all). */
const SERVICES_MAX = 10;
const AGENCIES_MAX = 50;

/** Refuses a record whose announcement would not fit in one event (subscribers would never hear of it). */
function checkAnnouncementFits(announcement: Announcement): void {
  const bytes = Buffer.byteLength(JSON.stringify({ topic: announcement.family, fields: announcement.fields }));
  if (bytes > eventLimits.maxEventBytes) {
    throw badInput(
      'summary',
      `the announcement would take ${bytes} bytes, more than ${eventLimits.maxEventBytes}: shorten the summary or the lists of agencies and services`,
    );
  }
}

export class Maintenance {
  constructor(private readonly core: RegistryCore) {}

  // ───────────────────────────── windows ─────────────────────────────

  /**
   * Windows overlapping [from, to] (either open), soonest first. Without `includePast`, windows that ended or were
   * cancelled are left out.
   */
  async windows(filter: PeriodFilter & { includePast?: boolean | null } = {}): Promise<WindowView[]> {
    const now = this.core.now();
    const from = filter.from ? checkInstant(filter.from, 'from').getTime() : -Infinity;
    const to = filter.to ? checkInstant(filter.to, 'to').getTime() : Infinity;
    if (from > to) throw new LgspError(ErrorCode.INVALID_PERIOD, '`from` must not be after `to`', { argument: 'from' });
    return (await this.core.store.list('maintenanceWindows'))
      .map((w) => this.view(w, now))
      .filter((w) => filter.includePast === true || w.status === 'SCHEDULED' || w.status === 'IN_PROGRESS')
      .filter((w) => Date.parse(w.endsAt) >= from && Date.parse(w.startsAt) <= to)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1));
  }

  async window(id: string): Promise<WindowView | null> {
    const w = await this.core.store.get('maintenanceWindows', id);
    return w === null ? null : this.view(w, this.core.now());
  }

  async announce(caller: Caller, input: NewMaintenanceWindow): Promise<WindowView> {
    requireOperator(caller, 'announce a maintenance window');
    const now = this.core.now();
    const startsAt = checkInstant(input.startsAt, 'startsAt');
    const endsAt = checkInstant(input.endsAt, 'endsAt');
    const emergency = input.emergency === true;
    checkWindowTimes({ startsAt, endsAt, emergency, now, noticeRequired: true });
    const window: MaintenanceWindow = stamped(
      {
        id: `mw-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        summary: checkText(input.summary, 'summary', SUMMARY_MAX),
        reason: checkText(input.reason, 'reason', REASON_MAX),
        affectedServices: await this.services(input.affectedServices ?? []),
        emergency,
        announcedAt: now.toISOString(),
        announcedBy: caller.name,
        cancelledAt: null,
        endedEarlyAt: null,
        cancelReason: null,
        startAnnounced: false,
        endAnnounced: false,
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      now,
      true,
    );
    checkAnnouncementFits(this.windowAnnouncement(window, 'ANNOUNCED', now));
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'maintenanceWindows', record: window, expectedRevision: 0 }],
      notes: [{ entity: 'MaintenanceWindow', entityId: window.id, action: emergency ? 'ANNOUNCE_EMERGENCY' : 'ANNOUNCE', before: null, after: window }],
      announcements: [this.windowAnnouncement(window, 'ANNOUNCED', now)],
    }));
    this.core.logger.info(
      { event: 'maintenance.announced', id: window.id, startsAt: window.startsAt, endsAt: window.endsAt, emergency, by: caller.name },
      'maintenance window announced',
    );
    return (await this.window(window.id))!;
  }

  async change(caller: Caller, id: string, patch: MaintenanceWindowChange): Promise<WindowView> {
    requireOperator(caller, 'change a maintenance window');
    const before = await this.core.get('maintenanceWindows', id, 'maintenance window');
    const now = this.core.now();
    const status = maintenanceStatus(before, now);
    if (status === 'CANCELLED' || status === 'COMPLETED') {
      throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `maintenance window ${id} is ${status}: announce a new one`);
    }
    const startsAt = patch.startsAt ? checkInstant(patch.startsAt, 'startsAt') : new Date(before.startsAt);
    const endsAt = patch.endsAt ? checkInstant(patch.endsAt, 'endsAt') : new Date(before.endsAt);
    const emergency = patch.emergency === true || before.emergency;
    if (status === 'IN_PROGRESS') {
      if (startsAt.getTime() !== Date.parse(before.startsAt)) {
        throw invalidWindow(`maintenance window ${id} has started: its start cannot move (end it early with cancelMaintenance, or move its end)`, 'startsAt');
      }
      if (endsAt.getTime() <= now.getTime()) {
        throw invalidWindow(`endsAt ${endsAt.toISOString()} is in the past (now ${now.toISOString()}): end the window now with cancelMaintenance`, 'endsAt');
      }
      // The start stays; only the length rules apply to the new end.
      checkWindowTimes({ startsAt, endsAt, emergency, now: startsAt, noticeRequired: false });
    } else {
      // A start moved earlier is a new announcement of that start (24 hours, or an emergency); moved later, it is not.
      const earlier = startsAt.getTime() < Date.parse(before.startsAt);
      checkWindowTimes({ startsAt, endsAt, emergency: patch.emergency === true, now, noticeRequired: earlier });
    }
    const after: MaintenanceWindow = stamped(
      {
        ...before,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        summary: patch.summary ? checkText(patch.summary, 'summary', SUMMARY_MAX) : before.summary,
        reason: patch.reason ? checkText(patch.reason, 'reason', REASON_MAX) : before.reason,
        affectedServices: patch.affectedServices == null ? before.affectedServices : await this.services(patch.affectedServices),
        emergency,
        // A window moved later than now is to be started (or ended) again by the sweep.
        startAnnounced: before.startAnnounced && startsAt.getTime() <= now.getTime(),
        endAnnounced: false,
      },
      now,
    );
    checkAnnouncementFits(this.windowAnnouncement(after, 'CHANGED', now));
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'maintenanceWindows', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'MaintenanceWindow', entityId: id, action: 'CHANGE', before, after }],
      announcements: [this.windowAnnouncement(after, 'CHANGED', now)],
    }));
    return (await this.window(id))!;
  }

  /** Cancels a window that has not started, or ends a started one now (its `endsAt` becomes now). */
  async cancel(caller: Caller, id: string, reason: string): Promise<WindowView> {
    requireOperator(caller, 'cancel a maintenance window');
    const why = checkText(reason, 'reason', REASON_MAX);
    const before = await this.core.get('maintenanceWindows', id, 'maintenance window');
    const now = this.core.now();
    const status = maintenanceStatus(before, now);
    if (status === 'CANCELLED' || status === 'COMPLETED') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `maintenance window ${id} is already ${status}`);
    const started = status === 'IN_PROGRESS';
    const at = now.toISOString();
    const after: MaintenanceWindow = stamped(
      started
        ? { ...before, endsAt: at, endedEarlyAt: at, cancelReason: why, startAnnounced: true, endAnnounced: true }
        : { ...before, cancelledAt: at, cancelReason: why },
      now,
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'maintenanceWindows', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'MaintenanceWindow', entityId: id, action: started ? 'END_EARLY' : 'CANCEL', before, after }],
      announcements: [this.windowAnnouncement(after, started ? 'ENDED' : 'CANCELLED', now)],
    }));
    return (await this.window(id))!;
  }

  /** The sweep: announces STARTED and ENDED for the windows whose times passed (each once); answers how many. */
  async announceDue(caller: Caller): Promise<number> {
    const now = this.core.now();
    let announced = 0;
    for (const w of await this.core.store.list('maintenanceWindows')) {
      if (w.cancelledAt !== null) continue;
      const start = !w.startAnnounced && Date.parse(w.startsAt) <= now.getTime();
      const end = !w.endAnnounced && Date.parse(w.endsAt) <= now.getTime();
      if (!start && !end) continue;
      const after = stamped({ ...w, startAnnounced: w.startAnnounced || start, endAnnounced: w.endAnnounced || end }, now);
      const announcements: Announcement[] = [];
      if (start) announcements.push(this.windowAnnouncement(after, 'STARTED', now));
      if (end) announcements.push(this.windowAnnouncement(after, 'ENDED', now));
      try {
        await this.core.apply(caller, [], () => ({
          writes: [{ collection: 'maintenanceWindows', record: after, expectedRevision: w.revision }],
          notes: [{ entity: 'MaintenanceWindow', entityId: w.id, action: end ? 'END' : 'START', before: w, after }],
          announcements,
        }));
        announced += announcements.length;
      } catch (error) {
        this.core.logger.warn({ err: error, id: w.id }, 'a maintenance window start or end will be announced at the next sweep');
      }
    }
    return announced;
  }

  // ───────────────────────────── incidents ─────────────────────────────

  /**
   * Incidents overlapping [from, to] (an open incident lasts until now), newest first; `open` keeps the unresolved
   * (true) or resolved (false) ones. A caller other than the operator sees those affecting its agency or every agency.
   */
  async incidents(caller: Caller, filter: PeriodFilter & { open?: boolean | null } = {}): Promise<Incident[]> {
    const now = this.core.now().getTime();
    const from = filter.from ? checkInstant(filter.from, 'from').getTime() : -Infinity;
    const to = filter.to ? checkInstant(filter.to, 'to').getTime() : Infinity;
    if (from > to) throw new LgspError(ErrorCode.INVALID_PERIOD, '`from` must not be after `to`', { argument: 'from' });
    return (await this.core.store.list('incidents'))
      .filter((i) => incidentVisible(caller, i))
      .filter((i) => filter.open == null || (i.resolvedAt === null) === filter.open)
      .filter((i) => (i.resolvedAt === null ? now : Date.parse(i.resolvedAt)) >= from && Date.parse(i.startedAt) <= to)
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.id < b.id ? -1 : 1));
  }

  async incident(caller: Caller, id: string): Promise<Incident | null> {
    const incident = await this.core.store.get('incidents', id);
    return incident !== null && incidentVisible(caller, incident) ? incident : null;
  }

  async recordIncident(caller: Caller, input: NewIncident): Promise<Incident> {
    requireOperator(caller, 'record an incident');
    const now = this.core.now();
    const startedAt = checkInstant(input.startedAt, 'startedAt');
    if (startedAt.getTime() > now.getTime() + 60_000)
      throw badInput('startedAt', `${startedAt.toISOString()} is in the future: record an incident once it happens`);
    const expectedFixAt = this.expectedFix(input.expectedFixAt ?? null, startedAt, now);
    const incident: Incident = stamped(
      {
        id: `inc-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
        summary: checkText(input.summary, 'summary', SUMMARY_MAX),
        affectedAgencies: await this.agencies(input.affectedAgencies),
        affectedServices: await this.services(input.affectedServices ?? []),
        startedAt: startedAt.toISOString(),
        expectedFixAt,
        recordedBy: caller.name,
        resolvedAt: null,
        resolution: null,
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      now,
      true,
    );
    checkAnnouncementFits(this.incidentAnnouncement(incident, 'RECORDED', now));
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'incidents', record: incident, expectedRevision: 0 }],
      notes: [{ entity: 'Incident', entityId: incident.id, action: 'RECORD', before: null, after: incident }],
      announcements: [this.incidentAnnouncement(incident, 'RECORDED', now)],
    }));
    this.core.logger.info({ event: 'incident.recorded', id: incident.id, agencies: incident.affectedAgencies, by: caller.name }, 'incident recorded');
    return incident;
  }

  async updateIncident(caller: Caller, id: string, patch: IncidentChange): Promise<Incident> {
    requireOperator(caller, 'update an incident');
    const before = await this.core.get('incidents', id, 'incident');
    if (before.resolvedAt !== null) throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `incident ${id} is resolved: record a new one`);
    const now = this.core.now();
    const after: Incident = stamped(
      {
        ...before,
        summary: patch.summary ? checkText(patch.summary, 'summary', SUMMARY_MAX) : before.summary,
        affectedAgencies: patch.affectedAgencies == null ? before.affectedAgencies : await this.agencies(patch.affectedAgencies),
        affectedServices: patch.affectedServices == null ? before.affectedServices : await this.services(patch.affectedServices),
        expectedFixAt: patch.expectedFixAt === undefined ? before.expectedFixAt : this.expectedFix(patch.expectedFixAt, new Date(before.startedAt), now),
      },
      now,
    );
    checkAnnouncementFits(this.incidentAnnouncement(after, 'UPDATED', now));
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'incidents', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'Incident', entityId: id, action: 'UPDATE', before, after }],
      announcements: [this.incidentAnnouncement(after, 'UPDATED', now)],
    }));
    return after;
  }

  async resolveIncident(caller: Caller, id: string, resolution: string): Promise<Incident> {
    requireOperator(caller, 'resolve an incident');
    const text = checkText(resolution, 'resolution', REASON_MAX);
    const before = await this.core.get('incidents', id, 'incident');
    if (before.resolvedAt !== null) throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `incident ${id} is already resolved`);
    const now = this.core.now();
    const after: Incident = stamped({ ...before, resolvedAt: now.toISOString(), resolution: text }, now);
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'incidents', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'Incident', entityId: id, action: 'RESOLVE', before, after }],
      announcements: [this.incidentAnnouncement(after, 'RESOLVED', now)],
    }));
    return after;
  }

  // ───────────────────────────── helpers ─────────────────────────────

  private view(w: MaintenanceWindow, now: Date): WindowView {
    return { ...w, status: maintenanceStatus(w, now) };
  }

  /** Registry service codes, each registered. */
  private async services(codes: readonly string[]): Promise<string[]> {
    const unique = [...new Set(codes.map((c) => checkSlug(c, 'affectedServices')))];
    if (unique.length > SERVICES_MAX) throw badInput('affectedServices', `at most ${SERVICES_MAX} services (none = the whole platform)`);
    for (const code of unique) {
      if ((await this.core.store.get('services', code)) === null) {
        throw new LgspError(ErrorCode.NOT_FOUND, `no service ${code} in the registry`, { argument: 'affectedServices' });
      }
    }
    return unique.sort();
  }

  /** Agency codes, each registered. */
  private async agencies(codes: readonly string[]): Promise<string[]> {
    const unique = [...new Set(codes.map((c) => checkAgencyCode(c, 'affectedAgencies')))];
    if (unique.length > AGENCIES_MAX)
      throw badInput('affectedAgencies', `at most ${AGENCIES_MAX} agencies; an incident affecting more: name none (every agency)`);
    for (const code of unique) {
      if ((await this.core.store.get('agencies', code)) === null) {
        throw new LgspError(ErrorCode.NOT_FOUND, `no agency ${code} in the registry`, { argument: 'affectedAgencies' });
      }
    }
    return unique.sort();
  }

  private expectedFix(value: string | null, startedAt: Date, now: Date): string | null {
    if (value === null) return null;
    const at = checkInstant(value, 'expectedFixAt');
    if (at.getTime() < startedAt.getTime()) throw badInput('expectedFixAt', `${at.toISOString()} is before the incident started (${startedAt.toISOString()})`);
    if (at.getTime() < now.getTime() - 60_000) throw badInput('expectedFixAt', `${at.toISOString()} is in the past: give the time the fix is now expected`);
    return at.toISOString();
  }

  private windowAnnouncement(w: MaintenanceWindow, change: MaintenanceChange, now: Date): Announcement {
    return {
      family: 'maintenance-announced',
      agency: null,
      fields: maintenanceEventFields({
        kind: 'MAINTENANCE',
        id: w.id,
        change,
        summary: w.summary,
        startsAt: w.startsAt,
        endsAt: w.endsAt,
        emergency: w.emergency,
        affectedServices: w.affectedServices,
        occurredAt: now.toISOString(),
      }),
    };
  }

  private incidentAnnouncement(i: Incident, change: MaintenanceChange, now: Date): Announcement {
    return {
      family: 'maintenance-announced',
      agency: null,
      fields: maintenanceEventFields({
        kind: 'INCIDENT',
        id: i.id,
        change,
        summary: i.summary,
        startsAt: i.startedAt,
        endsAt: i.resolvedAt,
        affectedAgencies: i.affectedAgencies,
        affectedServices: i.affectedServices,
        expectedFixAt: i.expectedFixAt,
        occurredAt: now.toISOString(),
      }),
    };
  }
}

/** The operator sees every incident; others those affecting their agency, or every agency. */
export function incidentVisible(caller: Caller, incident: Incident): boolean {
  return caller.operator || incident.affectedAgencies.length === 0 || (caller.agencyCode !== null && incident.affectedAgencies.includes(caller.agencyCode));
}
