/** The access-request fields the provider screens read, and which requests await the provider. */
export const REQUEST_FIELDS = /* GraphQL */ `
  id
  consumerAgency
  consumerAgencyName
  consumerSystem
  serviceCode
  serviceVersion
  providerAgency
  providerAgencyName
  fieldSets
  approvedFieldSets
  purposes
  legalBasis
  expectedRequestsPerDay
  quota {
    requests
    perSeconds
  }
  validTo
  securityCommitment {
    signedBy
    signedAt
  }
  state
  providerApproved
  operatorApproved
  receivedAt
  dueAt
  overdue
  workingDaysLeft
  history {
    at
    action
    party
    by
    from
    to
    reason
    fieldSets
  }
`;

export interface AccessRequest {
  id: string;
  consumerAgency: string;
  /** The consumer agency's name in the registry, null if unregistered. */
  consumerAgencyName: string | null;
  consumerSystem: string;
  serviceCode: string;
  serviceVersion: number;
  providerAgency: string;
  providerAgencyName: string | null;
  fieldSets: string[];
  /** The field sets the provider approved (a subset of `fieldSets`), null until it approves. */
  approvedFieldSets: string[] | null;
  purposes: string[];
  legalBasis: string;
  expectedRequestsPerDay: number;
  quota: { requests: number; perSeconds: number } | null;
  validTo: string | null;
  securityCommitment: { signedBy: string; signedAt: string };
  state: string;
  providerApproved: boolean;
  operatorApproved: boolean;
  receivedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  /** Working days until `dueAt` by the registry's calendar (negative when overdue), null when no clock runs. */
  workingDaysLeft: number | null;
  history: Array<{ at: string; action: string; party: string; by: string; from: string; to: string; reason: string | null; fieldSets: string[] | null }>;
}

/** An agency as people read it: its name, with the code after it (the code alone when unregistered). */
export function agencyLabel(code: string, name: string | null): string {
  return name === null ? code : `${name} (${code})`;
}

/** Awaiting the provider: its approval (before or after the operator's) or its confirmation of the integration. */
export function awaitsProvider(r: AccessRequest): boolean {
  return ((r.state === 'PENDING_APPROVAL' || r.state === 'OPERATOR_APPROVED') && !r.providerApproved) || r.state === 'INTEGRATION_REPORTED';
}

/** Overdue first, then the soonest due, then the oldest received. */
export function byDeadline(a: AccessRequest, b: AccessRequest): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const due = (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999');
  return due !== 0 ? due : (a.receivedAt ?? '').localeCompare(b.receivedAt ?? '');
}
