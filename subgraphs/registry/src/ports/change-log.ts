/**
 * The `@lgsp/access` ChangeLog port as the registry uses it: every registry change records who, when, what before and
 * after (the next issue chains these records). Local until `@lgsp/access` lands.
 */
import { randomUUID } from 'node:crypto';

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

export interface ChangeLog {
  append(record: ChangeRecord): Promise<void>;
  list(query: { entity?: string; id?: string; limit: number }): Promise<ChangeRecord[]>;
}

/** A new record id. */
export const changeId = (): string => randomUUID();

/** An in-memory ChangeLog (development without `@lgsp/access`, tests); newest first in `list`. */
export function createMemoryChangeLog(): ChangeLog {
  const records: ChangeRecord[] = [];
  return {
    async append(record) {
      records.push(structuredClone(record));
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
