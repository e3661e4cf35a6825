/** The GraphQL the developer screens send (shapes of subgraphs/registry/src/schema.graphql). */

const VERSION = `id serviceCode version status publishedAt supersededAt keepUntil retiredAt
  fieldSets { name description personalData }
  notice { id reason noticeAt sunsetAt fields { coordinate reason } }`;

export const CATALOGUE_QUERY = `query DeveloperCatalogue {
  registryServices { code name providerAgency kind subgraph relayDataType status currentVersion versions { ${VERSION} } }
  registryAgencies { code name shortName }
}`;

export const SERVICE_QUERY = `query DeveloperService($code: ID!) {
  registryService(code: $code) {
    code name providerAgency providerSystem kind subgraph relayDataType status currentVersion
    versions { ${VERSION}
      fieldSets { name fields fieldDocs { coordinate type description } }
      description { authentication method url requestFormat responseFormat headers { name description }
        requestSample responseSample purpose states { code meaning } }
    }
  }
  serviceNotices { id serviceCode version reason noticeAt sunsetAt }
}`;

const REQUEST = `id consumerAgency consumerAgencyName consumerSystem serviceCode serviceVersion providerAgency providerAgencyName
  fieldSets approvedFieldSets purposes legalBasis expectedRequestsPerDay quota { requests perSeconds } validTo state providerApproved
  operatorApproved receivedAt dueAt overdue workingDaysLeft`;

export const REQUESTS_QUERY = `query DeveloperRequests { accessRequests { ${REQUEST} } }`;

export const REQUEST_QUERY = `query DeveloperRequest($id: ID!) {
  accessRequest(id: $id) { ${REQUEST}
    securityCommitment { signedBy signedAt text }
    history { at action party by from to reason fieldSets }
  }
}`;

export const SYSTEMS_QUERY = `query DeveloperSystems($agency: ID) {
  informationSystems(agencyCode: $agency) { id agencyCode name purpose environments credentials { clientId environment method enabled createdAt } }
}`;

export const FORM_QUERY = `query DeveloperRequestForm($agency: ID!) {
  registryAgency(code: $agency) { code name shortName }
  informationSystems(agencyCode: $agency) { id agencyCode name environments }
  registryServices { code name providerAgency kind status currentVersion versions { version status fieldSets { name description personalData } } }
}`;

export const SUBMIT_MUTATION = `mutation DeveloperSubmitAccessRequest($input: AccessRequestInput!) {
  submitAccessRequest(input: $input) { id state dueAt }
}`;

export const AMEND_MUTATION = `mutation DeveloperAmendAccessRequest($id: ID!, $input: AccessRequestAmendmentInput!) {
  amendAccessRequest(id: $id, input: $input) { id state }
}`;

export const ACT_MUTATION = `mutation DeveloperActOnAccessRequest($id: ID!, $action: AccessAction!, $reason: String) {
  actOnAccessRequest(id: $id, action: $action, reason: $reason, as: CONSUMER) { id state dueAt }
}`;

export const ISSUE_MUTATION = `mutation DeveloperIssueCredential($systemId: ID!, $input: IssueCredentialInput!) {
  issueCredential(systemId: $systemId, input: $input) { clientId method environment secret }
}`;

export const ROTATE_MUTATION = `mutation DeveloperRotateCredential($clientId: ID!, $publicKeyPem: String) {
  rotateCredential(clientId: $clientId, publicKeyPem: $publicKeyPem) { clientId method environment secret }
}`;

/** The introspection the schema docs need: every type's description and fields (bounded by the gateway's limit). */
export const SCHEMA_DOCS_QUERY = `query DeveloperSchemaDocs {
  __schema {
    queryType { name }
    types { kind name description
      fields { name description args { name description type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
        type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
    }
  }
}`;

// ───── Shapes ─────
export type Environment = 'TEST' | 'PRODUCTION';
export type Method = 'CLIENT_SECRET_JWT' | 'CLIENT_JWT';
export type RequestState =
  | 'PENDING_APPROVAL'
  | 'PROVIDER_APPROVED'
  | 'OPERATOR_APPROVED'
  | 'CHANGES_REQUESTED'
  | 'REJECTED'
  | 'TESTING'
  | 'INTEGRATION_REPORTED'
  | 'LIVE'
  | 'SUSPENDED'
  | 'CANCELLED';

export interface FieldSet {
  name: string;
  description: string;
  personalData: boolean;
  /** The schema coordinates the set covers, from the composed supergraph (the service page only). */
  fields?: string[];
  /** Those fields with their types and descriptions (the service page only). */
  fieldDocs?: FieldDoc[];
}
/** A field of the composed schema as the registry documents it (`OfferedFieldSet.fieldDocs`). */
export interface FieldDoc {
  coordinate: string;
  type: string;
  description: string | null;
}
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
  states: Array<{ code: string; meaning: string }>;
}
export interface Version {
  id: string;
  serviceCode: string;
  version: number;
  status: 'PUBLISHED' | 'DEPRECATED' | 'RETIRED';
  publishedAt: string;
  supersededAt: string | null;
  keepUntil: string | null;
  retiredAt: string | null;
  fieldSets: FieldSet[];
  notice: { id: string; reason: string; noticeAt: string; sunsetAt: string; fields: Array<{ coordinate: string; reason: string }> } | null;
  description?: ServiceDescription;
}
export interface Service {
  code: string;
  name: string;
  providerAgency: string;
  providerSystem?: string;
  kind: 'SUBGRAPH' | 'RELAY_DATA_TYPE';
  subgraph: string | null;
  relayDataType: string | null;
  status: string;
  currentVersion: number;
  versions: Version[];
}
export interface Agency {
  code: string;
  name: string;
  shortName: string | null;
}
export interface Credential {
  clientId: string;
  environment: Environment;
  method: Method;
  enabled: boolean;
  createdAt: string;
}
export interface System {
  id: string;
  agencyCode: string;
  name: string;
  purpose?: string;
  environments: Environment[];
  credentials?: Credential[];
}
export interface AccessRequest {
  id: string;
  consumerAgency: string;
  /** The agencies' names in the registry (null when a code is not registered). */
  consumerAgencyName: string | null;
  consumerSystem: string;
  serviceCode: string;
  serviceVersion: number;
  providerAgency: string;
  providerAgencyName: string | null;
  fieldSets: string[];
  /** The field sets the provider approved (its grants name these), null until it approves. */
  approvedFieldSets: string[] | null;
  purposes: string[];
  legalBasis: string;
  expectedRequestsPerDay: number;
  quota: { requests: number; perSeconds: number } | null;
  validTo: string | null;
  state: RequestState;
  providerApproved: boolean;
  operatorApproved: boolean;
  receivedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  /** Working days left until `dueAt` by the registry's calendar (negative when overdue), null when no clock runs. */
  workingDaysLeft: number | null;
  securityCommitment?: { signedBy: string; signedAt: string; text: string };
  history?: Array<{ at: string; action: string; party: string; by: string; from: string; to: string; reason: string | null; fieldSets: string[] | null }>;
}
export interface IssuedCredential {
  clientId: string;
  method: Method;
  environment: Environment;
  secret: string | null;
}
