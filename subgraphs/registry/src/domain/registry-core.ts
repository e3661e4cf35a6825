/**
 * What the registry's domain modules share: their ports (stores, grants, credentials, change log, events, rules),
 * and the one way a change is made — effects on other systems done in order with their undo kept, then the records
 * committed over the revisions read, then the change recorded and announced. A failed step undoes what came before
 * it, so the registry, the grants and Keycloak stay as they were.
 */
import { ErrorCode, LgspError, type Logger } from '@lgsp/kit';
import type { ChangeLog } from '../ports/change-log.ts';
import type { CredentialIssuer, CredentialRevocations } from '../ports/credentials.ts';
import type { ApplicationClients } from '../ports/application-clients.ts';
import type { RegistryEvents, RegistryTopic } from '../ports/events.ts';
import type { GrantStore } from '../ports/grants.ts';
import type { CollectionName, Collections, RegistryStore, Write } from '../store/registry-store.ts';
import type { Caller } from './caller.ts';
import type { WorkingCalendar } from './working-days/index.ts';

/** What the registry counts (implemented with Prometheus by the service). */
export interface RegistryMetrics {
  /** A request or registration was flagged overdue. */
  overdueFlagged(kind: 'access-request' | 'registration'): void;
  /** How many wait past their due date now. */
  overdueNow(kind: 'access-request' | 'registration', count: number): void;
  /** A transition was taken (or refused). */
  transition(kind: 'access-request' | 'registration', action: string, outcome: 'done' | 'refused' | 'failed'): void;
}

export const noMetrics: RegistryMetrics = { overdueFlagged() {}, overdueNow() {}, transition() {} };

export interface RegistryDeps {
  store: RegistryStore;
  grants: GrantStore;
  changes: ChangeLog;
  issuer: CredentialIssuer;
  revocations: CredentialRevocations;
  events: RegistryEvents;
  /** The working-day calendar deadlines count in (`loadWorkingCalendar(REGISTRY_CALENDAR_FILE)`). */
  calendar: WorkingCalendar;
  logger: Logger;
  metrics?: RegistryMetrics;
  /** The clock (tests of the 60- and 180-day rules move it). */
  now?: () => Date;
  /** Agencies' single sign-on clients (`@lgsp/credentials`); default an in-memory stand-in (domain tests). */
  applicationClients?: ApplicationClients;
  /** Applications' URLs may be http on localhost (development; never in production). Default false. */
  allowLoopbackHttp?: boolean;
}

/** A step done on another system, with how to take it back. */
export interface DoneEffect {
  what: string;
  undo(): Promise<void>;
  /** What the step changed that the change log must show too (a grant written or removed), recorded with the change. */
  notes?: ChangeNote[];
}

/** A change record to write to the change log once the records are committed. */
export interface ChangeNote {
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface Announcement {
  family: RegistryTopic;
  agency: string | null;
  fields: Record<string, string>;
}

/** Every record of a change, with what happens around it. */
export interface Change {
  writes: Write[];
  notes: ChangeNote[];
  announcements: Announcement[];
}

export class RegistryCore {
  readonly store: RegistryStore;
  readonly grants: GrantStore;
  readonly changes: ChangeLog;
  readonly issuer: CredentialIssuer;
  readonly revocations: CredentialRevocations;
  readonly events: RegistryEvents;
  readonly calendar: WorkingCalendar;
  readonly logger: Logger;
  readonly metrics: RegistryMetrics;
  readonly now: () => Date;

  constructor(deps: RegistryDeps) {
    this.store = deps.store;
    this.grants = deps.grants;
    this.changes = deps.changes;
    this.issuer = deps.issuer;
    this.revocations = deps.revocations;
    this.events = deps.events;
    this.calendar = deps.calendar;
    this.logger = deps.logger;
    this.metrics = deps.metrics ?? noMetrics;
    this.now = deps.now ?? (() => new Date());
  }

  async get<C extends CollectionName>(collection: C, key: string, what: string): Promise<Collections[C]> {
    const record = await this.store.get(collection, key);
    if (record === null) throw new LgspError(ErrorCode.NOT_FOUND, `no ${what} ${key}`);
    return record;
  }

  /**
   * Runs `effects` one by one (each returns its undo), then commits the change `build` makes from their results.
   * Any failure — an effect, or a record that moved on meanwhile — undoes the effects done, newest first, and
   * rethrows (a conflict as ILLEGAL_TRANSITION: read again and retry). After the commit, the change log and the
   * events are written; their failure is logged, not undone (the change happened).
   */
  async apply(caller: Caller, effects: Array<() => Promise<DoneEffect | null>>, build: () => Change | Promise<Change>): Promise<void> {
    const done: DoneEffect[] = [];
    try {
      for (const effect of effects) {
        const result = await effect();
        if (result !== null) done.push(result);
      }
      const change = await build();
      const result = await this.store.commit(change.writes);
      if (!result.committed) {
        throw new LgspError(
          ErrorCode.ILLEGAL_TRANSITION,
          `${result.conflict.collection} ${result.conflict.key} changed while this change was made; read it again and retry`,
        );
      }
      // The effects' own notes (the grants an approval wrote) follow the change's, in the order the effects ran.
      await this.record(caller, { ...change, notes: [...change.notes, ...done.flatMap((effect) => effect.notes ?? [])] });
    } catch (error) {
      for (const effect of done.reverse()) {
        try {
          await effect.undo();
        } catch (undoError) {
          // Only here is the platform left inconsistent: an operator must put it right by hand.
          this.logger.error({ err: undoError, effect: effect.what }, 'undoing a registry effect failed: check the grants and Keycloak clients by hand');
        }
      }
      throw error;
    }
  }

  private async record(caller: Caller, change: Change): Promise<void> {
    const at = this.now().toISOString();
    for (const note of change.notes) {
      try {
        await this.changes.append({ at, actor: caller.actor, ...note });
      } catch (error) {
        this.logger.error({ err: error, entity: note.entity, entityId: note.entityId }, 'a registry change was made but the change log refused its record');
      }
    }
    for (const a of change.announcements) {
      try {
        await this.events.announce(a.family, a.agency, a.fields);
      } catch (error) {
        this.logger.warn({ err: error, family: a.family }, 'a registry event could not be published');
      }
    }
  }
}

/** A record as written: `updatedAt` (and `createdAt` for a new one) set to now. */
export function stamped<T extends { createdAt: string; updatedAt: string; revision: number }>(record: T, now: Date, isNew = false): T {
  const at = now.toISOString();
  return { ...record, updatedAt: at, ...(isNew ? { createdAt: at, revision: 0 } : {}) };
}
