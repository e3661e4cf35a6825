/**
 * The provider side of the audit trail (issue 17 §1, §3's reconciliation): one `served` record per GraphQL request
 * national-data answered for the gateway, with the same request id as the gateway's `graphql` record of the
 * operation, the caller (agency, system or user, purpose) from the internal token (a citizen reading their own
 * record under self-access is the `user`, by account subject, with the purpose `self-access` unless declared), the coordinates it resolved, the
 * citizens and enterprises it actually returned (resolvers.ts notes each one), the outcome and the bytes sent.
 * `counterpartAgency` is the provider agency of what was served: the population data's
 * (NATIONAL_DATA_CITIZEN_PROVIDER) or the business register's (NATIONAL_DATA_ENTERPRISE_PROVIDER), the first
 * served when both were (both in `details.providers`). The writer only queues; `close` writes what is queued.
 */
import { auditConfigSchema, startAuditWriter, type AuditConfig, type AuditEntryInput, type AuditLog, type AuditWriter } from '@lgsp/audit';
import { connectRedis, environmentOf, type Logger, type Registry, type ServedRequest } from '@lgsp/kit';
import type { NationalDataConfig } from '../config.ts';
import { selfAccessOf } from '../self-access.ts';

/** The component and service name on its records. */
export const SERVICE = 'national-data';

/** Which provider a type's data belongs to. */
const CITIZEN_TYPES = new Set(['Citizen', 'Address', 'Household', 'HouseholdMember']);
const ENTERPRISE_TYPES = new Set(['Enterprise', 'LegalRepresentative', 'BusinessLine']);

export interface Providers {
  citizen: string;
  enterprise: string;
}

export interface ServedAudit {
  /** For the subgraph server (`SubgraphOptions.onServed`); undefined when off. */
  onServed: ((served: ServedRequest) => void) | undefined;
  writer: AuditWriter | undefined;
  log: AuditLog | undefined;
  close(): Promise<void>;
}

/** The `served` record of one request. */
export function servedEntry(served: ServedRequest, providersOf: Providers): AuditEntryInput {
  const providers: string[] = [];
  for (const coordinate of served.fields) {
    const type = coordinate.slice(0, coordinate.indexOf('.'));
    const provider = CITIZEN_TYPES.has(type) ? providersOf.citizen : ENTERPRISE_TYPES.has(type) ? providersOf.enterprise : undefined;
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
    // A citizen by account subject, never a login a VDXP broker may have made of the personal ID (the gateway's
    // `graphql` record names them the same way); the personal ID itself is a subject, hashed.
    user:
      principal.kind !== 'user' ? null : selfAccessOf(principal) !== undefined ? (principal.userId ?? null) : (principal.username ?? principal.userId ?? null),
    purpose: principal.purpose ?? null,
    action: served.operationName,
    operationType: served.operationType,
    documentHash: null,
    fields: served.fields.slice(0, 400),
    // Which of these are personal data is the gateway's field-set table's call (its `graphql` record says).
    personalFields: [],
    counterpartAgency: providers[0] ?? null,
    service: SERVICE,
    entityId: null,
    outcome: served.outcome,
    errorCodes: served.errorCodes.slice(0, 50),
    durationMs: served.durationMs,
    bytesIn: served.bytesIn,
    bytesOut: served.bytesOut,
    details,
    // A `citizens` call returns at most 100, with their households' members: a record stays well under 64 KiB.
    subjects: served.subjects.slice(0, 400),
  };
}

export async function startServedAudit(
  config: NationalDataConfig,
  deps: { logger: Logger; registry: Registry; log?: AuditLog | undefined },
): Promise<ServedAudit> {
  if (config.NATIONAL_DATA_AUDIT === 'off') return { onServed: undefined, writer: undefined, log: undefined, close: async () => undefined };
  const redis = deps.log === undefined && config.REDIS_URL !== undefined ? await connectRedis(config.REDIS_URL, { name: 'lgsp-national-data' }) : undefined;
  try {
    const settings = Object.fromEntries(Object.keys(auditConfigSchema.shape).map((key) => [key, config[key as keyof AuditConfig]])) as AuditConfig;
    const started = startAuditWriter({
      config: settings,
      redis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      logger: deps.logger,
      source: SERVICE,
      registry: deps.registry,
      production: config.NODE_ENV === 'production',
      log: deps.log,
    });
    const providers: Providers = { citizen: config.NATIONAL_DATA_CITIZEN_PROVIDER, enterprise: config.NATIONAL_DATA_ENTERPRISE_PROVIDER };
    return {
      onServed: (served) => started.writer.write(servedEntry(served, providers)),
      writer: started.writer,
      log: started.log,
      async close() {
        await started.close();
        await redis?.quit().catch(() => undefined);
      },
    };
  } catch (error) {
    await redis?.quit().catch(() => undefined);
    throw error;
  }
}
