/**
 * The records of the registry (sổ đăng ký của nền tảng): agencies, their information systems, the services they
 * provide and their versions, access requests (đề nghị khai thác dữ liệu, App02 form 02/03) and provider
 * registrations (App02 form 01). Plain data, stored as JSON by the store adapters; every record carries the
 * `revision` the store gave it, so a change is written only over what it read.
 */
import type { Environment } from '@lgsp/kit';
import type { AccessRequestState, Party, ProviderRegistrationState } from './onboarding/index.ts';

export type { AccessRequestState, Party };

/** Lifecycle of an agency (QCVN 102:2016 code): in service, or replaced by its successors from `effectiveFrom`. */
export type AgencyStatus = 'ACTIVE' | 'RENAMED' | 'SPLIT' | 'MERGED' | 'DISSOLVED';
export const AGENCY_STATUSES: readonly AgencyStatus[] = ['ACTIVE', 'RENAMED', 'SPLIT', 'MERGED', 'DISSOLVED'];

/** What every stored record has. */
export interface Revisioned {
  /** Bumped by the store on every write (1 for the first); a write states the revision it read. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** An agency (cơ quan, tổ chức) with its identifier code (mã định danh, QCVN 102:2016 `AAA.BB.CC.XNN`). */
export interface Agency extends Revisioned {
  code: string;
  name: string;
  shortName: string | null;
  englishName: string | null;
  parentCode: string | null;
  status: AgencyStatus;
  /** The codes that took over (a renamed agency's new code, a split's parts, a merge's result); empty otherwise. */
  successorCodes: string[];
  /** When the status took effect (ISO date-time), null for an agency active since it was registered. */
  effectiveFrom: string | null;
}

/** A contact person of an information system (đầu mối kỹ thuật / nghiệp vụ). */
export interface SystemContact {
  name: string;
  email: string;
  phone: string | null;
  /** `TECHNICAL`, `BUSINESS` or `SECURITY`. */
  role: 'TECHNICAL' | 'BUSINESS' | 'SECURITY';
}

/** A health endpoint the monitoring checks: level 1 (reachable) or level 2 (its own dependencies), at an agreed interval. */
export interface HealthEndpoint {
  level: 1 | 2;
  url: string;
  intervalSeconds: number;
}

export type CredentialMethod = 'client-secret-jwt' | 'client-jwt';

/** A Keycloak client issued to a system for one environment (the secret is never stored here). */
export interface SystemCredential {
  clientId: string;
  environment: Environment;
  method: CredentialMethod;
  enabled: boolean;
  createdAt: string;
}

/** An information system (hệ thống thông tin) of an agency: who calls or provides through the platform. */
export interface InformationSystem extends Revisioned {
  /** `<agency code>:<slug>`, as the `system_id` claim of its credentials. */
  id: string;
  agencyCode: string;
  name: string;
  purpose: string;
  contacts: SystemContact[];
  environments: Environment[];
  healthEndpoints: HealthEndpoint[];
  credentials: SystemCredential[];
}

export type ServiceKind = 'SUBGRAPH' | 'RELAY_DATA_TYPE';
export type RelayDataType = 'EDXML_DOCUMENT' | 'EDXML_STATUS' | 'DOSSIER' | 'JSON' | 'FILE';
export const RELAY_DATA_TYPES: readonly RelayDataType[] = ['EDXML_DOCUMENT', 'EDXML_STATUS', 'DOSSIER', 'JSON', 'FILE'];

/** A service (dịch vụ chia sẻ dữ liệu) an agency provides through the platform. */
export interface Service extends Revisioned {
  /** Stable lower-case code, e.g. `national-data-citizen`. */
  code: string;
  name: string;
  providerAgency: string;
  providerSystem: string;
  kind: ServiceKind;
  /** SUBGRAPH: the subgraph whose `@policy` field sets the grants name (the grant's `service`). */
  subgraph: string | null;
  /** RELAY_DATA_TYPE: the relay data type the service is. */
  relayDataType: RelayDataType | null;
  status: 'ACTIVE' | 'RETIRED';
  /** The version new access requests go to (the newest published one). */
  currentVersion: number;
}

/** App01 §3.1.1: what a consumer needs to call a service. */
export interface ServiceDescription {
  authentication: string;
  method: string;
  url: string;
  requestFormat: string;
  responseFormat: string;
  headers: Array<{ name: string; description: string }>;
  requestSample: string;
  responseSample: string;
  purpose: string;
  /** The result states (mã trạng thái) the service answers with and their meaning. */
  states: Array<{ code: string; meaning: string }>;
}

/** A field set a consumer may request: a `@policy` name of the subgraph (`national-data.citizen.basic`). */
export interface OfferedFieldSet {
  name: string;
  description: string;
  personalData: boolean;
}

export type ServiceVersionStatus = 'PUBLISHED' | 'DEPRECATED' | 'RETIRED';

/** A field of the version retired in its successor: marked `@deprecated(reason:)` in the composed schema. */
export interface DeprecatedField {
  coordinate: string;
  reason: string;
}

/** A version of a service (App01 §3.4–3.5). */
export interface ServiceVersion extends Revisioned {
  /** `<service code>@<version>`. */
  id: string;
  serviceCode: string;
  version: number;
  description: ServiceDescription;
  fieldSets: OfferedFieldSet[];
  status: ServiceVersionStatus;
  publishedAt: string;
  /** When a successor was published (the 180-day keep starts), null while current. */
  supersededAt: string | null;
  /** Earliest retirement: 180 days after `supersededAt` (App01 §3.5), null while current. */
  keepUntil: string | null;
  /** The notice of deprecation or retirement, null before one is given. */
  notice: VersionNotice | null;
  retiredAt: string | null;
}

/** A deprecation/retirement notice of a version (thông báo ngừng cung cấp). */
export interface VersionNotice {
  id: string;
  reason: string;
  noticeAt: string;
  /** The announced end; at least 60 days after `noticeAt`, and never before `keepUntil`. */
  sunsetAt: string;
  /** The fields the successor drops, with why. */
  fields: DeprecatedField[];
}

/** One step in a request's history (who did what, when, from which state to which). */
export interface HistoryEntry {
  at: string;
  action: string;
  party: Party;
  /** Username (or `system`) of who acted. */
  by: string;
  from: string;
  to: string;
  reason: string | null;
  /** APPROVE by the provider: the field sets it approved (a subset of those requested); absent otherwise. */
  fieldSets?: string[] | null;
}

/** Form 03: the consumer's security commitment (cam kết bảo đảm an toàn thông tin). */
export interface SecurityCommitment {
  signedBy: string;
  signedAt: string;
  text: string;
}

export interface Quota {
  requests: number;
  perSeconds: number;
}

/** An access request (đề nghị kết nối, khai thác dữ liệu, App02 form 02) with its state and history. */
export interface AccessRequest extends Revisioned {
  id: string;
  consumerAgency: string;
  consumerSystem: string;
  serviceCode: string;
  serviceVersion: number;
  /** Provider agency of the service when the request was made (for visibility and events). */
  providerAgency: string;
  /** The field sets requested. */
  fieldSets: string[];
  /**
   * The field sets the provider approved (a non-empty subset of `fieldSets`), set by its APPROVE and cleared by a
   * RESUBMIT; null (or absent in records written before it existed) until then. Grants name these.
   */
  approvedFieldSets?: string[] | null;
  purposes: string[];
  legalBasis: string;
  expectedRequestsPerDay: number;
  quota: Quota | null;
  /** End of the access, null = until cancelled. */
  validTo: string | null;
  securityCommitment: SecurityCommitment;
  state: AccessRequestState;
  providerApproved: boolean;
  operatorApproved: boolean;
  /** When the current working-day clock started (submission or resubmission), null when stopped. */
  receivedAt: string | null;
  /** When the operator and provider must have answered (5 working days, BG:14.3, DL:11.2), null when stopped. */
  dueAt: string | null;
  /** The clock ran out before an answer. */
  overdue: boolean;
  history: HistoryEntry[];
}

export type RegistrationState = ProviderRegistrationState;

/** What a provider registers (App02 form 01): a service and its first (or next) version. */
export interface ServiceProposal {
  code: string;
  name: string;
  providerSystem: string;
  kind: ServiceKind;
  subgraph: string | null;
  relayDataType: RelayDataType | null;
  description: ServiceDescription;
  fieldSets: OfferedFieldSet[];
  deprecatedFields: DeprecatedField[];
}

/**
 * A provider registration (đăng ký cung cấp dịch vụ, App02 form 01) of one service, approved by the operator within 7
 * working days (DL:17.3); once approved, each update (a new version) awaits the operator 5 working days (DL:17.5)
 * while the approved content stays in force.
 */
export interface ProviderRegistration extends Revisioned {
  id: string;
  providerAgency: string;
  /** The service's code (one registration per service). */
  serviceCode: string;
  /** The registered (or, before approval, proposed) service and version. */
  proposal: ServiceProposal;
  /** An update awaiting the operator (UPDATE_PENDING, UPDATE_CHANGES_REQUESTED), else null. */
  pendingUpdate: ServiceProposal | null;
  state: RegistrationState;
  /** Which period the clock counts: REGISTRATION (7 working days) or UPDATE (5), null when stopped. */
  clock: 'REGISTRATION' | 'UPDATE' | null;
  receivedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  history: HistoryEntry[];
}

/**
 * Who made a change, as the change log (`@lgsp/access`) records it: `user` (a person through GraphQL: the operator, an
 * agency administrator), `agency-system` (an agency's system through GraphQL), `operator` (an operator at the command
 * line, through the internal API), `system` (the platform itself: the sweep, a retirement).
 */
export interface Actor {
  kind: 'user' | 'agency-system' | 'operator' | 'system';
  username?: string;
  agencyCode?: string;
}

/**
 * An application of an agency whose civil servants sign in to it through the platform's single sign-on (ứng dụng của
 * cơ quan đăng nhập một lần, BG:12): one confidential Keycloak client each. The client secret is never stored here.
 */
export interface AgencyApplication extends Revisioned {
  id: string;
  agencyCode: string;
  name: string;
  description: string | null;
  /** Where a user starts signing in to the application (its home page). */
  loginUrl: string;
  /** Its front-channel logout URL (Keycloak opens it when the user logs out of the realm). */
  logoutUrl: string;
  /** Where the authorization code may be sent (exact URIs). */
  redirectUris: string[];
  /** The Keycloak client id: `<agency code>.sso.<8 hex>` in lower case. */
  clientId: string;
  /** false once removed. */
  enabled: boolean;
  /** Set when removed (its Keycloak client deleted); the record stays for the history. */
  removed: { at: string; by: string; reason: string } | null;
}
