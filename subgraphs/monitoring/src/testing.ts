/**
 * Helpers for the monitoring's tests (never used by production code): the service on a free port with real internal
 * tokens, a memory audit log hashed with a fixed test key, an in-memory event publisher, principals of each party.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryAuditLog, subjectHasher, type AuditRecord } from '@lgsp/audit';
import { memoryEventPublisher, type MemoryEventPublisher } from '@lgsp/events';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, Role, type Principal } from '@lgsp/kit';
import { loadMonitoringConfig } from './config.ts';
import { startMonitoring, type MonitoringServiceDeps, type RunningMonitoring } from './service.ts';
import type { RegistryClient, SystemRecord } from './registry-client.ts';

/** The subject key of tests (never a deployment's). */
export const TEST_SUBJECT_KEY = 'monitoring-tests-audit-subject-key-0123456789abcdef';
export const testHasher = subjectHasher(TEST_SUBJECT_KEY);

let keyFile: string | undefined;
/** A file holding the test subject key (AUDIT_SUBJECT_KEY_FILE of the tests), written once per process. */
export function testSubjectKeyFile(): string {
  if (keyFile === undefined) {
    keyFile = join(mkdtempSync(join(tmpdir(), 'lgsp-monitoring-')), 'audit-subject.key');
    writeFileSync(keyFile, TEST_SUBJECT_KEY, { mode: 0o600 });
  }
  return keyFile;
}

export const POLICE = '000.00.02.H41'; // provides national-data-citizen
export const FINANCE = '000.00.03.H41';
export const JUSTICE = '000.00.04.H41'; // consumer

export const OPERATOR: Principal = { kind: 'user', userId: 'op-1', username: 'operator.lgsp', agencyCode: '000.00.01.H41', roles: [Role.operator], scopes: [] };
export const adminOf = (agencyCode: string): Principal => ({
  kind: 'user',
  userId: `admin-${agencyCode}`,
  username: `${agencyCode}@nghean.gov.vn`,
  agencyCode,
  roles: [Role.agencyAdmin],
  scopes: [],
});
export const systemOf = (agencyCode: string, slug: string): Principal => ({
  kind: 'system',
  agencyCode,
  systemId: `${agencyCode}:${slug}`,
  username: `service-account-${agencyCode}:${slug}`,
  roles: [Role.agencySystem, Role.dataConsumer],
  scopes: [],
});
export const civilServantOf = (agencyCode: string): Principal => ({
  kind: 'user',
  userId: 'cb-1',
  username: 'canbo',
  agencyCode,
  roles: [Role.civilServant],
  scopes: [],
});

/** A citizen signed in through VDXP (role `citizen`, their personal ID; a business representative also an enterprise code). */
export const citizenOf = (personalId: string, enterpriseCode?: string): Principal => ({
  kind: 'user',
  userId: `vdxp-${personalId}`,
  username: `cd-${personalId.slice(-4)}`,
  clientId: 'lgsp-portal',
  personalId,
  ...(enterpriseCode === undefined ? {} : { enterpriseCode }),
  assuranceLevel: '2',
  roles: [Role.citizen],
  scopes: [],
});

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface MonitoringHarness {
  running: RunningMonitoring;
  log: ReturnType<typeof createMemoryAuditLog>;
  events: MemoryEventPublisher;
  gql(principal: Principal, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer>;
  /** The records the monitoring wrote about itself (after a flush). */
  ownRecords(): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

export async function startMonitoringHarness(env: Record<string, string> = {}, deps: MonitoringServiceDeps = {}): Promise<MonitoringHarness> {
  const tokens = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const log = createMemoryAuditLog();
  const events = memoryEventPublisher();
  const config = loadMonitoringConfig({ PORT: '0', LOG_LEVEL: 'silent', HEALTH_POLL: 'false', AUDIT_SUBJECT_KEY_FILE: testSubjectKeyFile(), ...env });
  const running = await startMonitoring(config, {
    verifier: createInternalTokenVerifier({ jwks: tokens.jwks() }),
    logger: createLogger('monitoring', 'silent'),
    log,
    events,
    registry: null,
    ...deps,
  });
  return {
    running,
    log,
    events,
    async gql(principal, query, variables = {}) {
      const response = await fetch(running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.tokenFor(principal)}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLAnswer;
    },
    async ownRecords() {
      await running.audit.flush();
      return log.records.filter((r) => r.source === 'monitoring');
    },
    close: () => running.close(),
  };
}

/** The registry's systems list as a stand-in of the port (the HTTP adapter is tested against the real registry in test/). */
export function staticRegistry(systems: SystemRecord[]): RegistryClient & { systemsList: SystemRecord[] } {
  const registry = {
    systemsList: systems,
    async systems() {
      return registry.systemsList;
    },
  };
  return registry;
}

/** Polls `check` every 50 ms until it answers true or `timeoutMs` passes (then fails with `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
