/** auditedChangeLog: a record the change log took is one `kind: 'change'` audit record; a refused one is none. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuditWriter, createMemoryAuditLog, subjectHasher } from '@lgsp/audit';
import { createLogger } from '@lgsp/kit';
import { auditedChangeLog } from './audited-change-log.ts';
import { sampleChange } from './change-log.contract.ts';
import { createMemoryChangeLog } from './memory-change-log.ts';

describe('auditedChangeLog', () => {
  it('writes one audit entry per stored record, naming it, and none for a refused record', async () => {
    const log = createMemoryAuditLog();
    const writer = createAuditWriter({ log, hasher: subjectHasher('k'.repeat(32)), logger: createLogger('test', 'silent') });
    const changes = auditedChangeLog(createMemoryChangeLog(), writer, { source: 'grants' });
    const stored = await changes.append(
      sampleChange('registry.ar-1.test', { after: { id: 'registry.ar-1.test', consumer: '000.00.04.H41', environment: 'test' } }),
    );
    await assert.rejects(changes.append(sampleChange('x', { at: 'yesterday' })), /at:/);
    await writer.close();
    assert.deepEqual(
      log.records.map((r) => [r.kind, r.source, r.action, r.service, r.entityId, r.user, r.environment, r.counterpartAgency, r.details.changeId]),
      [['change', 'grants', 'put', 'grant', 'registry.ar-1.test', 'nguyen.van.a', 'test', '000.00.04.H41', stored.id]],
    );
    // The rest of the log is the log's own.
    assert.deepEqual(
      (await changes.list({ limit: 10 })).map((r) => r.id),
      [stored.id],
    );
    await changes.close();
  });
});
