/** The change log over HTTP: the registry's access API (http/router.ts), for processes without Redis. */
import { AccessClient, type AccessClientOptions } from '../http/client.ts';
import type { ChangeLog, ChangeRecord } from './change-log.ts';

export function createHttpChangeLog(options: AccessClientOptions): ChangeLog {
  const client = new AccessClient(options);
  return {
    append: async (record) => (await client.send('POST', '/changes', { body: record, expect: [201] })).body as unknown as ChangeRecord,
    async list(query) {
      const params = new URLSearchParams({ limit: String(query.limit) });
      if (query.entity !== undefined) params.set('entity', query.entity);
      if (query.id !== undefined) params.set('id', query.id);
      if (query.before !== undefined) params.set('before', query.before);
      return (await client.send('GET', `/changes?${params}`, { expect: [200] })).body.items as ChangeRecord[];
    },
    async close() {},
  };
}
