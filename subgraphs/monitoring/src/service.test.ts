/**
 * Where the platform's audit log lives, as the monitoring serves it: without Redis, held here and appended to by the
 * other processes over `/internal/v1/audit`; with Redis, the stream every process appends to. Either way the
 * operator finds a record another process wrote by the subject's personal ID, and the checkpointer signs the head.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { auditConfigSchema, auditKeyPattern, startAuditWriter } from '@lgsp/audit';
import { auditEntry } from '@lgsp/audit/testing';
import { connectRedis, createLogger, loadConfig } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { JUSTICE, OPERATOR, POLICE, startMonitoringHarness, testSubjectKeyFile, type MonitoringHarness } from './testing.ts';

const CITIZEN = '040200001234';
const silent = createLogger('test', 'silent');
const FIND = `query($s: String!) { personalDataAccesses(subject: $s, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { nodes { agencyCode purpose source } } }`;
const lookup = () =>
  auditEntry({
    at: '2026-11-05T01:00:00Z',
    source: 'national-data',
    kind: 'served',
    agency: JUSTICE,
    counterpartAgency: POLICE,
    purpose: 'civil-status:HS-9',
    subjects: [{ kind: 'personal-id', value: CITIZEN }],
  });

describe('the audit log monitoring holds and serves', () => {
  let h: MonitoringHarness | undefined;
  after(async () => {
    await h?.close();
  });

  it('without Redis: another process appends over /internal/v1/audit; the operator finds it; the head gets signed', async () => {
    const token = randomBytes(24).toString('hex');
    h = await startMonitoringHarness({ MONITORING_INTERNAL_TOKEN: token }, { log: undefined } /* the log the service opens itself */);
    // Another process (national-data, say), configured as `npm start` configures it.
    const config = loadConfig('national-data', auditConfigSchema, {
      MONITORING_URL: h.running.origin,
      MONITORING_INTERNAL_TOKEN: token,
      AUDIT_SUBJECT_KEY_FILE: testSubjectKeyFile(),
    });
    const other = startAuditWriter({ config, logger: silent, source: 'national-data', production: false });
    assert.equal(other.backend, 'http');
    other.writer.write(lookup());
    await other.close();
    const answer = await h.gql(OPERATOR, FIND, { s: CITIZEN });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(answer.data!.personalDataAccesses.nodes, [{ agencyCode: JUSTICE, purpose: 'civil-status:HS-9', source: 'national-data' }]);
    const checkpoint = await h.running.checkpointer.checkpoint();
    assert.ok(checkpoint !== null && checkpoint.seq >= 1);
    // Without the token: refused before anything is read.
    const refused = await fetch(`${h.running.origin}/internal/v1/audit/head`);
    assert.equal(refused.status, 401);
    await h.close();
    h = undefined;
  });

  it('with Redis: the stream every process appends to', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const keyPrefix = testKeyPrefix();
    const redis = await connectRedis(redisUrl);
    try {
      h = await startMonitoringHarness({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix }, { log: undefined } /* the log the service opens itself */);
      const config = loadConfig('gateway', auditConfigSchema, { AUDIT_SUBJECT_KEY_FILE: testSubjectKeyFile() });
      const other = startAuditWriter({ config, redis, keyPrefix, logger: silent, source: 'national-data', production: false });
      assert.equal(other.backend, 'redis');
      other.writer.write(lookup());
      await other.close();
      const answer = await h.gql(OPERATOR, FIND, { s: CITIZEN });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      assert.equal(answer.data!.personalDataAccesses.nodes.length, 1);
      await h.close();
      h = undefined;
    } finally {
      const keys: string[] = [];
      for (const pattern of [auditKeyPattern(keyPrefix), `${keyPrefix}monitoring:*`])
        for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    }
  });
});
