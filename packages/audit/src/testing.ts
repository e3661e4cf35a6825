/** Test helpers for components that write audit records. */
import type { AuditEntryInput } from './record.ts';

/** A complete entry with neutral values; tests override what they check. */
export function auditEntry(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    kind: 'graphql',
    at: new Date().toISOString(),
    requestId: null,
    source: 'test',
    environment: 'production',
    agency: null,
    system: null,
    user: null,
    purpose: null,
    action: null,
    operationType: null,
    documentHash: null,
    fields: [],
    personalFields: [],
    counterpartAgency: null,
    service: null,
    entityId: null,
    outcome: 'success',
    errorCodes: [],
    durationMs: null,
    bytesIn: null,
    bytesOut: null,
    details: {},
    subjects: [],
    ...overrides,
  };
}
