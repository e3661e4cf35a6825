/**
 * What the audit trail records (issue 17; `docs/requirements.md` R2's personal-data rule, R8; Personal Data Protection
 * Law 91/2025/QH15): who did what, for which declared purpose, touching which fields of which data subjects, with what
 * outcome. Writers submit an `AuditEntryInput` (subjects in clear); the writer replaces each subject by its keyed hash
 * before the entry leaves the process (subjects.ts), and the log chains it into an `AuditRecord`.
 * Pure: no Redis, no HTTP.
 */

/** What kind of event a record is. */
export const AUDIT_KINDS = [
  /** A GraphQL operation at the gateway (HTTP or graphql-ws): what the consumer asked for and received. */
  'graphql',
  /** What a provider subgraph served for one request (the provider side of reconciliation). */
  'served',
  /** One step of the 7-step packet relay (request, upload, validate, queue, notify, claim, acknowledge, …). */
  'relay',
  /** A registry change (agency, system, service, access request, credential) or an operator's grant change. */
  'change',
  /** A sign-in (token issued) or a failed one. */
  'login',
  /** An operator action on the platform itself (backup, restore, maintenance window, incident, export). */
  'operation',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** How it ended: as the gateway's operation log line, plus `denied` (refused by authorization, quota or a rule). */
export const AUDIT_OUTCOMES = ['success', 'partial', 'error', 'rejected', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Kinds of data subject (chủ thể dữ liệu) a record may name. */
export const SUBJECT_KINDS = [
  /** A citizen's 12-digit personal identification number (số định danh cá nhân / CCCD). */
  'personal-id',
  /** An enterprise code (mã số doanh nghiệp). */
  'enterprise-code',
] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** A data subject in clear, as a writer knows it; never stored. */
export interface SubjectRef {
  kind: SubjectKind;
  value: string;
}

/** The fields every entry has, whatever its kind. */
export interface AuditEntryBase {
  kind: AuditKind;
  /** When it happened (ISO 8601 instant, UTC). */
  at: string;
  /** The request id (X-Request-Id) that ties a gateway record to the subgraphs' `served` records; null when none. */
  requestId: string | null;
  /** The component that wrote the record: `gateway`, `national-data`, `relay`, `registry`, `keycloak`, `operator`, … */
  source: string;
  environment: 'production' | 'test';
  /** The acting agency (mã định danh cơ quan): the consumer of a query, the sender of a packet, the changer. */
  agency: string | null;
  /** The acting information system (`system_id` claim), when a system acted. */
  system: string | null;
  /** The acting person's login (`preferred_username`) or subject, when a person acted. */
  user: string | null;
  /** The declared purpose (X-LGSP-Purpose), as declared. */
  purpose: string | null;
  /**
   * What was done: the GraphQL operation name (`null` for an anonymous operation), the relay step (`UPLOAD`), the
   * registry action (`APPROVE`), `login`, `backup`, …
   */
  action: string | null;
  /** GraphQL: `query`, `mutation` or `subscription`; null otherwise. */
  operationType: 'query' | 'mutation' | 'subscription' | null;
  /** SHA-256 (hex) of the GraphQL document as received; null otherwise. */
  documentHash: string | null;
  /** Schema coordinates (`Citizen.fullName`) the operation selected and was allowed to read; [] when none. */
  fields: string[];
  /** The subset of `fields` that is personal data (its field set is declared `personalData`). */
  personalFields: string[];
  /**
   * The other party, for statistics and reconciliation: the provider agency of a query's service, the recipient of a
   * packet; null when none.
   */
  counterpartAgency: string | null;
  /** The service touched: a subgraph name (`national-data`), a relay data type, a registry entity kind; null when none. */
  service: string | null;
  /** The entity acted on: a packet id, an access request id, a grant id; null when none. */
  entityId: string | null;
  outcome: AuditOutcome;
  /** The `extensions.code`s of the errors, without repeats. */
  errorCodes: string[];
  /** How long it took in milliseconds; null when not measured. */
  durationMs: number | null;
  /** Bytes of the request received, and of the answer or content sent; null when not measured. */
  bytesIn: number | null;
  bytesOut: number | null;
  /** A few kind-specific values (relay recipient, registry change id, …): flat, no personal data in clear. */
  details: Record<string, string | number | boolean | null>;
}

/** What a writer submits: subjects in clear. */
export interface AuditEntryInput extends AuditEntryBase {
  subjects: SubjectRef[];
}

/** What the log receives: each subject replaced by `<kind>:<keyed hash>` (subjects.ts). */
export interface AuditEntry extends AuditEntryBase {
  subjects: string[];
}

/** A stored record: the entry with its place in the chain. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … with no gap: a missing number is a removed record. */
  seq: number;
  /** The previous record's `hash` (64 zeros for the first record, or the export's/restore's anchor). */
  prevHash: string;
  /** SHA-256 (hex) over `prevHash` and the canonical JSON of every other field of this record (chain.ts). */
  hash: string;
}

/** The head of the chain: the last record's number and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The genesis `prevHash`. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry with every field neutral (no actor, purpose, fields or subjects; outcome success; `at` the epoch); callers
 * set what they know. One list of the fields, for the builders of tests, fixtures and the Redis adapter's placeholder.
 */
export function blankEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    kind: 'graphql',
    at: new Date(0).toISOString(),
    requestId: null,
    source: 'unknown',
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
