/**
 * The `@lgsp/access` ChangeLog port as the registry uses it: every registry change records who, when, what before and
 * after (the next issue chains these records). Local until `@lgsp/access` lands.
 */
import { randomUUID } from 'node:crypto';

/** A stored change record; the log assigns `id`. */
export interface ChangeRecord {
  id: string;
  at: string;
  actor: { kind: string; username?: string; agencyCode?: string };
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

/** What the registry appends (`@lgsp/access`'s ChangeInput: no id, the log assigns it). */
export type ChangeInput = Omit<ChangeRecord, 'id'>;

export interface ChangeLog {
  /** Appends a record; `@lgsp/access` answers it as stored (with its id). */
  append(record: ChangeInput): Promise<unknown>;
  list(query: { entity?: string; id?: string; limit: number }): Promise<ChangeRecord[]>;
}

/** An in-memory ChangeLog (development without `@lgsp/access`, tests); newest first in `list`. */
export function createMemoryChangeLog(): ChangeLog {
  const records: ChangeRecord[] = [];
  return {
    async append(record) {
      const stored = { id: randomUUID(), ...structuredClone(record) };
      records.push(stored);
      return stored;
    },
    async list({ entity, id, limit }) {
      return records
        .filter((r) => (entity === undefined || r.entity === entity) && (id === undefined || r.entityId === id))
        .slice(-limit)
        .reverse()
        .map((r) => structuredClone(r));
    },
  };
}
