/** The change log in this process (the registry without Redis, tests): an array, ids as a Redis stream makes them. */
import { checkChangeQuery, isOlderChangeId, changeMatches, parseChangeInput, type ChangeLog, type ChangeRecord } from './change-log.ts';

export function createMemoryChangeLog(): ChangeLog {
  const records: ChangeRecord[] = [];
  let lastMs = 0;
  let seq = 0;
  const nextId = () => {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      seq = 0;
    } else seq += 1;
    return `${lastMs}-${seq}`;
  };
  return {
    async append(input) {
      const checked = parseChangeInput(input);
      // As JSON, as the other adapters store it (a Date becomes its ISO string, undefined members go).
      const record = JSON.parse(JSON.stringify({ id: nextId(), ...checked })) as ChangeRecord;
      records.push(record);
      return structuredClone(record);
    },
    async list(query) {
      checkChangeQuery(query);
      const found: ChangeRecord[] = [];
      for (let i = records.length - 1; i >= 0 && found.length < query.limit; i -= 1) {
        const record = records[i]!;
        if (query.before !== undefined && !isOlderChangeId(record.id, query.before)) continue;
        if (changeMatches(record, query)) found.push(structuredClone(record));
      }
      return found;
    },
    async close() {},
  };
}
