/**
 * Agencies (cơ quan) and their lifecycle: registered by the operator with a QCVN 102:2016 code; renamed (one
 * successor), split (two or more), merged (into one successor) or dissolved (successors optional), effective from a
 * date. A change dated in the future is kept as `scheduled` and applied by the sweep when its date comes, so the
 * agency list and its version (the ETag of `/internal/v1/agencies`) change exactly then. Codes are announced on
 * the platform topic `agency-changed`.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { registryEventFields } from '@lgsp/events/topics';
import type { Caller } from './caller.ts';
import type { Agency, AgencyStatus } from './model.ts';
import { stamped, type RegistryCore } from './registry-core.ts';
import { badInput, checkAgencyCode, checkInstant, checkText } from './validation.ts';

export interface NewAgency {
  code: string;
  name: string;
  shortName?: string | null;
  englishName?: string | null;
  parentCode?: string | null;
}

export interface AgencyLifecycleChange {
  status: Exclude<AgencyStatus, 'ACTIVE'>;
  successorCodes: string[];
  /** ISO date-time; absent = now. */
  effectiveFrom?: string;
}

/** A lifecycle change decided but not yet in effect. */
export interface ScheduledAgencyChange {
  status: Exclude<AgencyStatus, 'ACTIVE'>;
  successorCodes: string[];
  effectiveFrom: string;
}

/** The record with its (optional) scheduled change. */
export type StoredAgency = Agency & { scheduled?: ScheduledAgencyChange | null };

export function requireOperator(caller: Caller, what: string): void {
  if (!caller.operator) throw new LgspError(ErrorCode.FORBIDDEN, `only the platform operator may ${what}`);
}

export class Agencies {
  constructor(private readonly core: RegistryCore) {}

  async list(filter: { status?: AgencyStatus | null } = {}): Promise<StoredAgency[]> {
    const all = (await this.core.store.list('agencies')) as StoredAgency[];
    return filter.status ? all.filter((a) => a.status === filter.status) : all;
  }

  async get(code: string): Promise<StoredAgency | null> {
    return (await this.core.store.get('agencies', code)) as StoredAgency | null;
  }

  async register(caller: Caller, input: NewAgency): Promise<StoredAgency> {
    requireOperator(caller, 'register an agency');
    const code = checkAgencyCode(input.code);
    const parentCode = input.parentCode ? checkAgencyCode(input.parentCode, 'parentCode') : null;
    if (parentCode !== null && (await this.core.store.get('agencies', parentCode)) === null) {
      throw new LgspError(ErrorCode.NOT_FOUND, `no parent agency ${parentCode}`, { argument: 'parentCode' });
    }
    if ((await this.core.store.get('agencies', code)) !== null) throw new LgspError(ErrorCode.ALREADY_EXISTS, `agency ${code} is already registered`);
    const now = this.core.now();
    const agency: StoredAgency = stamped(
      {
        code,
        name: checkText(input.name, 'name', 300),
        shortName: input.shortName ? checkText(input.shortName, 'shortName', 120) : null,
        englishName: input.englishName ? checkText(input.englishName, 'englishName', 300) : null,
        parentCode,
        status: 'ACTIVE',
        successorCodes: [],
        effectiveFrom: null,
        scheduled: null,
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      now,
      true,
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'agencies', record: agency, expectedRevision: 0 }],
      notes: [{ entity: 'Agency', entityId: code, action: 'REGISTER', before: null, after: agency }],
      announcements: [
        {
          family: 'agency-changed',
          agency: null,
          fields: registryEventFields.agencyChanged({ code, change: 'REGISTERED', status: 'ACTIVE', occurredAt: now.toISOString() }),
        },
      ],
    }));
    return (await this.get(code))!;
  }

  async update(caller: Caller, code: string, patch: { name?: string | null; shortName?: string | null; englishName?: string | null }): Promise<StoredAgency> {
    requireOperator(caller, 'change an agency');
    const before = (await this.core.get('agencies', code, 'agency')) as StoredAgency;
    const after: StoredAgency = stamped(
      {
        ...before,
        name: patch.name ? checkText(patch.name, 'name', 300) : before.name,
        shortName: patch.shortName === undefined ? before.shortName : patch.shortName === null ? null : checkText(patch.shortName, 'shortName', 120),
        englishName:
          patch.englishName === undefined ? before.englishName : patch.englishName === null ? null : checkText(patch.englishName, 'englishName', 300),
      },
      this.core.now(),
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'agencies', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'Agency', entityId: code, action: 'UPDATE', before, after }],
      announcements: [
        {
          family: 'agency-changed',
          agency: null,
          fields: registryEventFields.agencyChanged({ code, change: 'UPDATED', status: after.status, occurredAt: after.updatedAt }),
        },
      ],
    }));
    return (await this.get(code))!;
  }

  /** Renames, splits, merges or dissolves an ACTIVE agency, now or from a later date. */
  async changeLifecycle(caller: Caller, code: string, change: AgencyLifecycleChange): Promise<StoredAgency> {
    requireOperator(caller, 'change the lifecycle of an agency');
    const before = (await this.core.get('agencies', code, 'agency')) as StoredAgency;
    if (before.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `agency ${code} is ${before.status}, not ACTIVE`);
    const successors = [...new Set(change.successorCodes.map((c) => checkAgencyCode(c, 'successorCodes')))];
    const expected: Record<ScheduledAgencyChange['status'], [number, number]> = { RENAMED: [1, 1], SPLIT: [2, 50], MERGED: [1, 1], DISSOLVED: [0, 50] };
    const [min, max] = expected[change.status];
    if (successors.length < min || successors.length > max) {
      throw badInput('successorCodes', `${change.status} needs ${min === max ? min : `${min} to ${max}`} successor code(s), not ${successors.length}`);
    }
    if (successors.includes(code)) throw badInput('successorCodes', 'an agency cannot succeed itself');
    for (const successor of successors) {
      const found = await this.core.store.get('agencies', successor);
      if (found === null) throw new LgspError(ErrorCode.NOT_FOUND, `no successor agency ${successor}: register it first`, { argument: 'successorCodes' });
      if (found.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `successor ${successor} is ${found.status}, not ACTIVE`);
    }
    const now = this.core.now();
    const effectiveFrom = change.effectiveFrom === undefined ? now : checkInstant(change.effectiveFrom, 'effectiveFrom');
    const scheduled: ScheduledAgencyChange = { status: change.status, successorCodes: successors, effectiveFrom: effectiveFrom.toISOString() };
    const after: StoredAgency =
      effectiveFrom.getTime() <= now.getTime() ? stamped(applyScheduled(before, scheduled), now) : stamped({ ...before, scheduled }, now);
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'agencies', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'Agency', entityId: code, action: change.status, before, after }],
      announcements: [
        {
          family: 'agency-changed',
          agency: null,
          fields: registryEventFields.agencyChanged({
            code,
            change: change.status,
            successorCodes: successors,
            effectiveFrom: scheduled.effectiveFrom,
            status: after.status,
            occurredAt: now.toISOString(),
          }),
        },
      ],
    }));
    return (await this.get(code))!;
  }

  /** Applies the scheduled changes whose date has come; answers how many. */
  async applyDue(caller: Caller): Promise<number> {
    const now = this.core.now();
    let applied = 0;
    for (const agency of await this.list()) {
      const scheduled = agency.scheduled;
      if (scheduled == null || Date.parse(scheduled.effectiveFrom) > now.getTime()) continue;
      const after = stamped(applyScheduled(agency, scheduled), now);
      try {
        await this.core.apply(caller, [], () => ({
          writes: [{ collection: 'agencies', record: after, expectedRevision: agency.revision }],
          notes: [{ entity: 'Agency', entityId: agency.code, action: `${after.status}_EFFECTIVE`, before: agency, after }],
          announcements: [
            {
              family: 'agency-changed',
              agency: null,
              fields: registryEventFields.agencyChanged({
                code: agency.code,
                change: EFFECTIVE[scheduled.status],
                successorCodes: after.successorCodes,
                effectiveFrom: after.effectiveFrom,
                status: after.status,
                occurredAt: now.toISOString(),
              }),
            },
          ],
        }));
        applied += 1;
      } catch (error) {
        this.core.logger.warn({ err: error, code: agency.code }, 'a scheduled agency change will be applied at the next sweep');
      }
    }
    return applied;
  }
}

/** The `agency-changed` change announcing that a decided lifecycle change took effect. */
const EFFECTIVE = { RENAMED: 'RENAMED_EFFECTIVE', SPLIT: 'SPLIT_EFFECTIVE', MERGED: 'MERGED_EFFECTIVE', DISSOLVED: 'DISSOLVED_EFFECTIVE' } as const;

function applyScheduled(agency: StoredAgency, change: ScheduledAgencyChange): StoredAgency {
  return { ...agency, status: change.status, successorCodes: change.successorCodes, effectiveFrom: change.effectiveFrom, scheduled: null };
}
