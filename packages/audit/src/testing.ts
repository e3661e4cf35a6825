/** Test helpers for components that write audit records, and for this package's own tests (never production code). */
import { once } from 'node:events';
import type { Server } from 'node:http';
import express from 'express';
import { connectRedis, createLogger, type RedisClient } from '@lgsp/kit';
import { freePortForTest, testKeyPrefix } from '@lgsp/kit/testing';
import type { AuditLog } from './audit-log.ts';
import { AUDIT_API_PATH, createHttpAuditLog } from './http/http-audit-log.ts';
import { createAuditRouter } from './http/router.ts';
import { canonicalJson } from './chain.ts';
import { auditKeyPattern, auditKeys } from './keys.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { blankEntry, type AuditEntryInput, type AuditRecord } from './record.ts';
import { createRedisAuditLog } from './redis/redis-audit-log.ts';
import { subjectHasher } from './subjects.ts';

/** A complete entry with neutral values; tests override what they check. */
export function auditEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return { ...blankEntry({ at: new Date().toISOString(), source: 'test' }), subjects: [], ...overrides };
}

/** The subject key of tests (32 bytes; never a real deployment's). */
export const TEST_SUBJECT_KEY = 'lgsp-test-audit-subject-key-0123456789abcdef';
/** The hasher of tests: `testHasher({ kind: 'personal-id', value: '001090000001' })`. */
export const testHasher = subjectHasher(TEST_SUBJECT_KEY);

/** MONITORING_INTERNAL_TOKEN of tests. */
export const TEST_MONITORING_TOKEN = 'test-monitoring-internal-token-0123456789';

export interface AuditServer {
  /** The origin (MONITORING_URL). */
  url: string;
  port: number;
  log: AuditLog;
  close(): Promise<void>;
}

/** A real HTTP server on loopback serving `createAuditRouter` at `/internal/v1/audit`, as monitoring does (a memory log by default). */
export async function startAuditServer(options: { log?: AuditLog; port?: number; token?: string } = {}): Promise<AuditServer> {
  const log = options.log ?? createMemoryAuditLog();
  const app = express();
  app.use(AUDIT_API_PATH, createAuditRouter(log, { token: options.token ?? TEST_MONITORING_TOKEN }));
  const port = options.port ?? (await freePortForTest());
  const server: Server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.log === undefined) await log.close();
    },
  };
}

/** Two logs on one backend (two processes), and the cleanup. */
export interface AuditLogPair {
  log: AuditLog;
  peer: AuditLog;
  cleanup(): Promise<void>;
}

/** Two Redis logs (two connections) on real Redis under a fresh test key prefix; the cleanup deletes its keys. */
export async function auditLogsOnRedis(options: { scanBudget?: number } = {}): Promise<AuditLogPair & { redis: RedisClient; keyPrefix: string }> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = testKeyPrefix();
  const a = await connectRedis(redisUrl);
  const b = await connectRedis(redisUrl);
  const log = createRedisAuditLog(a, { keyPrefix, ...options });
  const peer = createRedisAuditLog(b, { keyPrefix, ...options });
  return {
    log,
    peer,
    redis: a,
    keyPrefix,
    async cleanup() {
      await log.close();
      await peer.close();
      await deleteKeys(a, auditKeyPattern(keyPrefix));
      await a.quit();
      await b.quit();
    },
  };
}

/** Deletes every key matching `pattern` (a test's or bench's own prefix). */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    if (keys.length > 0) deleted += await redis.unlink(keys);
  }
  return deleted;
}

/** Two HTTP logs on one real audit API server on loopback (holding a memory log). */
export async function auditLogsOverHttp(): Promise<AuditLogPair & { server: AuditServer }> {
  const server = await startAuditServer();
  const log = createHttpAuditLog({ baseUrl: server.url, token: TEST_MONITORING_TOKEN });
  const peer = createHttpAuditLog({ baseUrl: server.url, token: TEST_MONITORING_TOKEN });
  return {
    log,
    peer,
    server,
    async cleanup() {
      await log.close();
      await peer.close();
      await server.close();
    },
  };
}

/** A logger whose JSON lines the test reads: `events('audit.append-failed')`. */
export function capturedLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('test', level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines, events: (event: string) => lines.filter((l) => l.event === event) };
}

/**
 * Rewrites the audit stream as someone with access to Redis would (tests of verification): reads every entry, lets
 * `change` return what to write back (ids must increase), and writes that instead.
 */
export async function rewriteStream(
  redis: RedisClient,
  keyPrefix: string,
  change: (entries: Array<{ id: string; record: AuditRecord }>) => Array<{ id: string; json: string }>,
): Promise<void> {
  const key = auditKeys(keyPrefix).log;
  const raw = (await redis.sendCommand(['XRANGE', key, '-', '+'])) as Array<[string, string[]]>;
  const written = change(raw.map(([id, fields]) => ({ id, record: JSON.parse(fields[1]!) as AuditRecord })));
  await redis.del(key);
  for (const { id, json } of written) await redis.sendCommand(['XADD', key, id, 'record', json]);
}

/** The entries unchanged (a start for `rewriteStream`'s change). */
export const sameStream = (entries: Array<{ id: string; record: AuditRecord }>) => entries.map(({ id, record }) => ({ id, json: canonicalJson(record) }));
