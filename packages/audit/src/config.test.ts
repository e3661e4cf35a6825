/** The audit settings and `startAuditWriter`'s choice of log: Redis, else monitoring over HTTP, else memory (one warning). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '@lgsp/kit';
import { auditConfigSchema, AuditConfigError, auditSubjectKey, DEV_SUBJECT_KEY, readSubjectKeyFile, startAuditWriter } from './config.ts';
import { auditEntry, auditLogsOnRedis, capturedLogger, startAuditServer, TEST_MONITORING_TOKEN } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'lgsp-audit-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const HEX_KEY = 'ab'.repeat(32);

describe('audit configuration', () => {
  it('documents every variable, and has defaults for the tuning', () => {
    for (const [name, field] of Object.entries(auditConfigSchema.shape)) assert.ok((field.description ?? '').length > 20, `${name} is described`);
    const config = loadConfig('test', auditConfigSchema, {});
    assert.equal(config.AUDIT_WRITER_BATCH_SIZE, 500);
    assert.equal(config.AUDIT_WRITER_LINGER_MS, 20);
    assert.equal(config.AUDIT_RETENTION_DAYS, 0);
    assert.equal(config.AUDIT_CHECKPOINT_INTERVAL_SECONDS, 300);
    assert.throws(
      () => loadConfig('test', auditConfigSchema, { AUDIT_WRITER_BATCH_SIZE: '5000', MONITORING_INTERNAL_TOKEN: 'short' }),
      (e: Error) => {
        assert.match(e.message, /AUDIT_WRITER_BATCH_SIZE: must be from 1 to 1000/);
        assert.match(e.message, /MONITORING_INTERNAL_TOKEN: must be at least 32 characters \(got "\*\*\*"\)/);
        return true;
      },
    );
  });

  it('reads a subject key file as hex or raw bytes, and refuses a short or missing one naming the variable', () => {
    assert.deepEqual(readSubjectKeyFile(file('hex', `${HEX_KEY}\n`)), Buffer.from(HEX_KEY, 'hex'));
    const raw = Buffer.from(Array.from({ length: 40 }, (_, i) => i * 5));
    assert.deepEqual(readSubjectKeyFile(file('raw', raw)), raw);
    assert.throws(() => readSubjectKeyFile(file('short', 'abcd')), /AUDIT_SUBJECT_KEY_FILE=.*at least 32 bytes/);
    assert.throws(() => readSubjectKeyFile(join(dir, 'missing')), /AUDIT_SUBJECT_KEY_FILE=.*cannot read it \(ENOENT\)/);
  });

  it('uses the development key with a warning outside production, and refuses to start without a key in production', () => {
    const { logger, events } = capturedLogger();
    assert.deepEqual(auditSubjectKey({}, { production: false, logger }), DEV_SUBJECT_KEY);
    assert.equal(events('audit.development-subject-key')[0]!.level, 'warn');
    assert.throws(
      () => auditSubjectKey({}, { production: true, logger }),
      (e: unknown) => e instanceof AuditConfigError && /AUDIT_SUBJECT_KEY_FILE is required when NODE_ENV=production/.test(e.message),
    );
    const config = loadConfig('test', auditConfigSchema, {});
    assert.throws(() => startAuditWriter({ config, logger, source: 'test', production: true }), /AUDIT_SUBJECT_KEY_FILE is required/);
  });

  it('chooses the process-local memory log (one warning) when neither Redis nor monitoring is configured', async () => {
    const { logger, events } = capturedLogger();
    const config = loadConfig('test', auditConfigSchema, { AUDIT_SUBJECT_KEY_FILE: file('k1', HEX_KEY) });
    const audit = startAuditWriter({ config, logger, source: 'gateway', production: false });
    assert.equal(audit.backend, 'memory');
    assert.equal(events('audit.process-local-log').length, 1);
    assert.equal(events('audit.process-local-log')[0]!.level, 'warn');
    audit.writer.write(auditEntry({ subjects: [{ kind: 'personal-id', value: '001090000001' }] }));
    await audit.close();
    const [record] = await audit.log.range(1, 1);
    assert.deepEqual(record!.subjects, [audit.hasher({ kind: 'personal-id', value: '001090000001' })]);
  });

  it('writes to monitoring over HTTP with MONITORING_URL and MONITORING_INTERNAL_TOKEN', async () => {
    const server = await startAuditServer();
    try {
      const { logger, lines } = capturedLogger();
      const config = loadConfig('test', auditConfigSchema, {
        AUDIT_SUBJECT_KEY_FILE: file('k2', HEX_KEY),
        MONITORING_URL: server.url,
        MONITORING_INTERNAL_TOKEN: TEST_MONITORING_TOKEN,
      });
      const audit = startAuditWriter({ config, logger, source: 'relay', production: true });
      assert.equal(audit.backend, 'http');
      audit.writer.write(auditEntry({ kind: 'relay', action: 'UPLOADED' }));
      await audit.close();
      assert.equal((await server.log.range(1, 10))[0]!.action, 'UPLOADED');
      assert.deepEqual(lines, [], 'no warning in a complete configuration');
      assert.throws(
        () => startAuditWriter({ config: { ...config, MONITORING_INTERNAL_TOKEN: undefined }, logger, source: 'relay' }),
        /MONITORING_URL is set without MONITORING_INTERNAL_TOKEN/,
      );
    } finally {
      await server.close();
    }
  });

  it('appends to Redis directly when a client is given, under the key prefix', async () => {
    const { redis, keyPrefix, log, cleanup } = await auditLogsOnRedis();
    try {
      const { logger } = capturedLogger();
      const config = loadConfig('test', auditConfigSchema, { AUDIT_SUBJECT_KEY_FILE: file('k3', HEX_KEY), MONITORING_URL: 'http://127.0.0.1:1' });
      const audit = startAuditWriter({ config, redis, keyPrefix, logger, source: 'gateway' });
      assert.equal(audit.backend, 'redis');
      audit.writer.write(auditEntry({ action: 'lookup' }));
      await audit.close();
      assert.equal((await log.range(1, 1))[0]!.action, 'lookup');
    } finally {
      await cleanup();
    }
  });
});
