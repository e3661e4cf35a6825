/**
 * The provider side of the audit trail (issue 17 §1, §3's reconciliation): one `served` record per GraphQL request
 * national-data answered for the gateway, with the same request id as the gateway's `graphql` record of the
 * operation, the caller (agency, system or user, purpose) from the internal token, the coordinates it resolved, the
 * citizens and enterprises it actually returned (resolvers.ts notes each one), the outcome and the bytes sent.
 * `counterpartAgency` is the provider agency of what was served: the population data's
 * (NATIONAL_DATA_CITIZEN_PROVIDER) or the business register's (NATIONAL_DATA_ENTERPRISE_PROVIDER), the first
 * served when both were (both in `details.providers`). The writer only queues; `close` writes what is queued.
 */
import { createAuditWriter, createMemoryAuditLog, subjectHasher, type AuditEntryInput, type AuditLog, type AuditWriter } from '@lgsp/audit';
import { environmentOf, type Logger, type ServedRequest } from '@lgsp/kit';
import { readFile } from 'node:fs/promises';

/** The component and service name on its records. */
export const SERVICE = 'national-data';

/**
 * DEVELOPMENT-ONLY subject key, the same as the gateway's (audit/setup.ts there), so that `npm start`'s records of one
 * citizen share one hash. Refused in production.
 */
export const DEVELOPMENT_SUBJECT_KEY = 'lgsp-development-audit-subject-key-NOT-FOR-PRODUCTION';

/** Which provider a type's data belongs to. */
const CITIZEN_TYPES = new Set(['Citizen', 'Address', 'Household', 'HouseholdMember']);
const ENTERPRISE_TYPES = new Set(['Enterprise', 'LegalRepresentative', 'BusinessLine']);

export interface ServedAuditConfig {
  enabled: boolean;
  subjectKeyFile: string | undefined;
  citizenProvider: string;
  enterpriseProvider: string;
  production: boolean;
}

export interface ServedAudit {
  /** For the subgraph server (`SubgraphOptions.onServed`); undefined when off. */
  onServed: ((served: ServedRequest) => void) | undefined;
  writer: AuditWriter | undefined;
  log: AuditLog | undefined;
  close(): Promise<void>;
}

/** A subject key file: hex text (64+ hex digits) or at least 32 raw bytes. */
async function readSubjectKey(file: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    throw new Error(`AUDIT_SUBJECT_KEY_FILE=${file}: cannot read (${(error as Error).message})`);
  }
  const text = raw.toString('utf8').trim();
  const key = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : raw;
  if (key.length < 32) throw new Error(`AUDIT_SUBJECT_KEY_FILE=${file}: holds ${key.length} bytes; at least 32 random bytes are needed`);
  return key;
}

/** The `served` record of one request. */
export function servedEntry(served: ServedRequest, config: Pick<ServedAuditConfig, 'citizenProvider' | 'enterpriseProvider'>): AuditEntryInput {
  const providers: string[] = [];
  for (const coordinate of served.fields) {
    const type = coordinate.slice(0, coordinate.indexOf('.'));
    const provider = CITIZEN_TYPES.has(type) ? config.citizenProvider : ENTERPRISE_TYPES.has(type) ? config.enterpriseProvider : undefined;
    if (provider !== undefined && !providers.includes(provider)) providers.push(provider);
  }
  const { principal } = served;
  const details: AuditEntryInput['details'] = {};
  if (providers.length > 1) details.providers = providers.join(',');
  return {
    kind: 'served',
    at: new Date(Date.now() - served.durationMs).toISOString(),
    requestId: served.requestId,
    source: SERVICE,
    environment: environmentOf(principal),
    agency: principal.agencyCode ?? null,
    system: principal.kind === 'system' ? (principal.systemId ?? principal.clientId ?? null) : null,
    user: principal.kind === 'user' ? (principal.username ?? principal.userId ?? null) : null,
    purpose: principal.purpose ?? null,
    action: served.operationName,
    operationType: served.operationType,
    documentHash: null,
    fields: served.fields,
    // Which of these are personal data is the gateway's field-set table's call (its `graphql` record says).
    personalFields: [],
    counterpartAgency: providers[0] ?? null,
    service: SERVICE,
    entityId: null,
    outcome: served.outcome,
    errorCodes: served.errorCodes,
    durationMs: served.durationMs,
    bytesIn: served.bytesIn,
    bytesOut: served.bytesOut,
    details,
    subjects: served.subjects,
  };
}

export async function startServedAudit(config: ServedAuditConfig, deps: { logger: Logger; log?: AuditLog | undefined }): Promise<ServedAudit> {
  if (!config.enabled) return { onServed: undefined, writer: undefined, log: undefined, close: async () => undefined };
  if (config.subjectKeyFile === undefined && config.production) {
    throw new Error('AUDIT_SUBJECT_KEY_FILE must name a file of at least 32 random bytes in production (it keys the audit log’s subject hashes)');
  }
  const key = config.subjectKeyFile === undefined ? DEVELOPMENT_SUBJECT_KEY : await readSubjectKey(config.subjectKeyFile);
  // Until @lgsp/audit has its Redis and HTTP adapters (startAuditWriter), the log is this process's memory.
  const log = deps.log ?? createMemoryAuditLog();
  if (deps.log === undefined) deps.logger.warn('audit records are kept in this process’s memory only (no shared audit log configured)');
  const writer = createAuditWriter({ log, hasher: subjectHasher(key), logger: deps.logger });
  return {
    onServed: (served) => writer.write(servedEntry(served, config)),
    writer,
    log,
    async close() {
      await writer.close();
      if (deps.log === undefined) await log.close();
    },
  };
}
