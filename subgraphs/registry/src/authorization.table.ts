/**
 * Who may do what in the registry, as data (like the gateway's authorization matrix): for each operation, the
 * outcome for each kind of caller. `ok` means the call passed authorization and did its work; `none` that it passed
 * and answered an empty list (the caller sees nothing of it); an error code is the `extensions.code` expected. An operation whose work is refused after authorization (a retirement without a notice)
 * expects that code for the parties allowed, which shows authorization was passed.
 * authorization.test.ts walks every cell over HTTP.
 */
import { Role, type Principal } from '@lgsp/kit';
import { AGENCY_ADMIN_ROLE } from './domain/caller.ts';
import { adminOf, CITIZEN, developerOf, FINANCE, JUSTICE, OPERATOR, POLICE, providerSystemOf } from './testing.ts';

/** The callers of the matrix; the requests in it are from JUSTICE (consumer) to POLICE's citizen service (provider). */
export const callers: Record<string, Principal> = {
  operator: OPERATOR,
  'consumer admin': adminOf(JUSTICE),
  'provider admin': adminOf(POLICE),
  'provider system': providerSystemOf(POLICE, `${POLICE}:csdl-dan-cu-tinh`),
  'other agency admin': adminOf(FINANCE),
  'consumer system': { kind: 'system', agencyCode: JUSTICE, systemId: `${JUSTICE}:ho-tich-dien-tu`, roles: [Role.agencySystem, Role.dataConsumer], scopes: [] },
  'civil servant': { kind: 'user', agencyCode: JUSTICE, userId: 'cb-1', username: 'canbo.stp', roles: [Role.civilServant], scopes: [] },
  // A civil servant of the provider agency: the realm gives data-provider to every member of the agency's group.
  'provider civil servant': {
    kind: 'user',
    agencyCode: POLICE,
    userId: 'cb-2',
    username: 'canbo.ca',
    roles: [Role.civilServant, Role.dataConsumer, Role.dataProvider],
    scopes: [],
  },
  'admin without agency': { kind: 'user', userId: 'x', username: 'x', roles: [AGENCY_ADMIN_ROLE], scopes: [] },
  // An agency developer (realm role agency-developer; a member of the agency's group, like thao.ngo of Sở Tư pháp).
  'consumer developer': developerOf(JUSTICE),
  'other agency developer': developerOf(FINANCE),
  // A citizen signed in through VDXP: no agency.
  citizen: CITIZEN,
};
export type CallerName = keyof typeof callers;

export type Outcome = 'ok' | 'none' | 'FORBIDDEN' | 'ILLEGAL_TRANSITION' | 'BAD_USER_INPUT';

export interface MatrixRow {
  /** The operation, as the test runs it. */
  operation:
    | 'registerAgency'
    | 'registerInformationSystem(consumer agency)'
    | 'informationSystem(consumer system)'
    | 'informationSystems(consumer agency)'
    | 'registryAgencies'
    | 'registryServices'
    | 'registryService'
    | 'serviceNotices'
    | 'submitServiceRegistration(provider agency)'
    | 'submitAccessRequest(consumer system)'
    | 'amendAccessRequest (changes requested)'
    | 'accessRequest'
    | 'accessRequests'
    | 'actOnAccessRequest APPROVE (pending)'
    | 'actOnAccessRequest APPROVE fieldSets (pending)'
    | 'actOnAccessRequest RESUBMIT (changes requested)'
    | 'actOnAccessRequest REPORT_INTEGRATED (testing)'
    | 'actOnAccessRequest CANCEL (pending)'
    | 'issueCredential TEST (request testing)'
    | 'issueCredential PRODUCTION (request testing)'
    | 'issueCredential PRODUCTION (request live)'
    | 'rotateCredential (test credential)'
    | 'setCredentialEnabled (test credential)'
    | 'deleteCredential (test credential)'
    | 'retireServiceVersion (no notice)'
    | 'registerAgencyApplication (consumer agency)'
    | 'agencyApplications (consumer agency)'
    | 'myApplications'
    | 'removeAgencyApplication (consumer agency)'
    | 'grants(provider agency)'
    | 'grants(provider agency, consumer agency)';
  outcomes: Record<CallerName, Outcome>;
}

const only = (allowed: Partial<Record<CallerName, Outcome>>): Record<CallerName, Outcome> =>
  Object.fromEntries(Object.keys(callers).map((name) => [name, allowed[name] ?? 'FORBIDDEN'])) as Record<CallerName, Outcome>;

/** Everyone of the agency side (the operator and every caller of an agency): not the citizen, not an admin with no agency. */
const agencySide = (outcome: Outcome, except: Partial<Record<CallerName, Outcome>> = {}): Record<CallerName, Outcome> =>
  only(
    Object.fromEntries(
      Object.keys(callers)
        .filter((name) => name !== 'citizen' && name !== 'admin without agency')
        .map((name) => [name, except[name] ?? outcome]),
    ) as Partial<Record<CallerName, Outcome>>,
  );
/** The consumer agency's people and systems, and the provider agency's (JUSTICE and POLICE): what a request between them shows. */
const partiesSee = { 'consumer admin': 'ok', 'consumer system': 'ok', 'civil servant': 'ok', 'consumer developer': 'ok' } as const;
/** Who holds the consumer system's credentials: the operator, the consumer agency's administrator and developer. */
const holders = { operator: 'ok', 'consumer admin': 'ok', 'consumer developer': 'ok' } as const;

export const matrix: MatrixRow[] = [
  { operation: 'registerAgency', outcomes: only({ operator: 'ok' }) },
  { operation: 'registerInformationSystem(consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  { operation: 'informationSystem(consumer system)', outcomes: only({ operator: 'ok', ...partiesSee }) },
  // Another agency's caller passes and sees none of JUSTICE's systems; citizens are refused.
  { operation: 'informationSystems(consumer agency)', outcomes: agencySide('none', { operator: 'ok', ...partiesSee }) },
  // The agencies' directory is for everyone signed in (a citizen's access history names agencies).
  { operation: 'registryAgencies', outcomes: only(Object.fromEntries(Object.keys(callers).map((name) => [name, 'ok']))) },
  // The catalogue: every caller of an agency (developers included) and the operator.
  { operation: 'registryServices', outcomes: agencySide('ok') },
  { operation: 'registryService', outcomes: agencySide('ok') },
  // Notices of versions the caller's agency provides or requested: none yet here, but everyone of an agency may ask.
  { operation: 'serviceNotices', outcomes: agencySide('none') },
  { operation: 'submitServiceRegistration(provider agency)', outcomes: only({ 'provider admin': 'ok', 'provider system': 'ok' }) },
  { operation: 'submitAccessRequest(consumer system)', outcomes: only({ 'consumer admin': 'ok', 'consumer developer': 'ok' }) },
  { operation: 'amendAccessRequest (changes requested)', outcomes: only({ 'consumer admin': 'ok', 'consumer developer': 'ok' }) },
  {
    operation: 'accessRequest',
    outcomes: only({ operator: 'ok', ...partiesSee, 'provider admin': 'ok', 'provider system': 'ok', 'provider civil servant': 'ok' }),
  },
  {
    operation: 'accessRequests',
    outcomes: agencySide('none', { operator: 'ok', ...partiesSee, 'provider admin': 'ok', 'provider system': 'ok', 'provider civil servant': 'ok' }),
  },
  { operation: 'actOnAccessRequest APPROVE (pending)', outcomes: only({ operator: 'ok', 'provider admin': 'ok', 'provider system': 'ok' }) },
  // Choosing the field sets is the provider's: the operator passes authorization but may not choose (BAD_USER_INPUT).
  {
    operation: 'actOnAccessRequest APPROVE fieldSets (pending)',
    outcomes: only({ operator: 'BAD_USER_INPUT', 'provider admin': 'ok', 'provider system': 'ok' }),
  },
  { operation: 'actOnAccessRequest RESUBMIT (changes requested)', outcomes: only({ 'consumer admin': 'ok', 'consumer developer': 'ok' }) },
  { operation: 'actOnAccessRequest REPORT_INTEGRATED (testing)', outcomes: only({ 'consumer admin': 'ok', 'consumer developer': 'ok' }) },
  // Withdrawing the agency's request is its administrator's decision, not its developer's.
  { operation: 'actOnAccessRequest CANCEL (pending)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok', 'provider admin': 'ok', 'provider system': 'ok' }) },
  { operation: 'issueCredential TEST (request testing)', outcomes: only(holders) },
  // Production credentials only once the provider confirmed the integration (LIVE): the rule holds for everyone allowed.
  {
    operation: 'issueCredential PRODUCTION (request testing)',
    outcomes: only({ operator: 'ILLEGAL_TRANSITION', 'consumer admin': 'ILLEGAL_TRANSITION', 'consumer developer': 'ILLEGAL_TRANSITION' }),
  },
  { operation: 'issueCredential PRODUCTION (request live)', outcomes: only(holders) },
  { operation: 'rotateCredential (test credential)', outcomes: only(holders) },
  // Switching a credential off or deleting it stays with the operator and the agency's administrator.
  { operation: 'setCredentialEnabled (test credential)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  { operation: 'deleteCredential (test credential)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  { operation: 'retireServiceVersion (no notice)', outcomes: only({ operator: 'ILLEGAL_TRANSITION', 'provider admin': 'ILLEGAL_TRANSITION', 'provider system': 'ILLEGAL_TRANSITION' }) },
  { operation: 'registerAgencyApplication (consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  { operation: 'agencyApplications (consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  // The launcher: every person of an agency sees its enabled applications (JUSTICE has one here; the others none).
  {
    operation: 'myApplications',
    outcomes: only({
      operator: 'none',
      'consumer admin': 'ok',
      'provider admin': 'none',
      'other agency admin': 'none',
      'civil servant': 'ok',
      'provider civil servant': 'none',
      'consumer developer': 'ok',
      'other agency developer': 'none',
    }),
  },
  { operation: 'removeAgencyApplication (consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  // The grants the gateway enforces, those POLICE gives: the operator all, an administrator its own side (FINANCE
  // receives none of POLICE's: an empty list); developers, systems, civil servants and citizens FORBIDDEN.
  { operation: 'grants(provider agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok', 'provider admin': 'ok', 'other agency admin': 'none' }) },
  // Naming the two sides of a grant between JUSTICE and POLICE: only they and the operator; another administrator FORBIDDEN.
  { operation: 'grants(provider agency, consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok', 'provider admin': 'ok' }) },
];
