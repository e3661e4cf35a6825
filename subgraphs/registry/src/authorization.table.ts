/**
 * Who may do what in the registry, as data (like the gateway's authorization matrix): for each operation, the
 * outcome for each kind of caller. `ok` means the call passed authorization and did its work; an error code is the
 * `extensions.code` expected. An operation whose work is refused after authorization (a retirement without a notice)
 * expects that code for the parties allowed, which shows authorization was passed.
 * authorization.test.ts walks every cell over HTTP.
 */
import { Role, type Principal } from '@lgsp/kit';
import { AGENCY_ADMIN_ROLE } from './domain/caller.ts';
import { adminOf, FINANCE, JUSTICE, OPERATOR, POLICE, providerSystemOf } from './testing.ts';

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
};
export type CallerName = keyof typeof callers;

export type Outcome = 'ok' | 'FORBIDDEN' | 'ILLEGAL_TRANSITION';

export interface MatrixRow {
  /** The operation, as the test runs it. */
  operation:
    | 'registerAgency'
    | 'registerInformationSystem(consumer agency)'
    | 'informationSystem(consumer system)'
    | 'submitServiceRegistration(provider agency)'
    | 'submitAccessRequest(consumer system)'
    | 'accessRequest'
    | 'actOnAccessRequest APPROVE (pending)'
    | 'actOnAccessRequest RESUBMIT (changes requested)'
    | 'retireServiceVersion (no notice)';
  outcomes: Record<CallerName, Outcome>;
}

const only = (allowed: Partial<Record<CallerName, Outcome>>): Record<CallerName, Outcome> =>
  Object.fromEntries(Object.keys(callers).map((name) => [name, allowed[name] ?? 'FORBIDDEN'])) as Record<CallerName, Outcome>;

export const matrix: MatrixRow[] = [
  { operation: 'registerAgency', outcomes: only({ operator: 'ok' }) },
  { operation: 'registerInformationSystem(consumer agency)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok' }) },
  { operation: 'informationSystem(consumer system)', outcomes: only({ operator: 'ok', 'consumer admin': 'ok', 'consumer system': 'ok', 'civil servant': 'ok' }) },
  { operation: 'submitServiceRegistration(provider agency)', outcomes: only({ 'provider admin': 'ok', 'provider system': 'ok' }) },
  { operation: 'submitAccessRequest(consumer system)', outcomes: only({ 'consumer admin': 'ok' }) },
  {
    operation: 'accessRequest',
    outcomes: only({ operator: 'ok', 'consumer admin': 'ok', 'provider admin': 'ok', 'provider system': 'ok', 'consumer system': 'ok', 'civil servant': 'ok', 'provider civil servant': 'ok' }),
  },
  { operation: 'actOnAccessRequest APPROVE (pending)', outcomes: only({ operator: 'ok', 'provider admin': 'ok', 'provider system': 'ok' }) },
  { operation: 'actOnAccessRequest RESUBMIT (changes requested)', outcomes: only({ 'consumer admin': 'ok' }) },
  { operation: 'retireServiceVersion (no notice)', outcomes: only({ operator: 'ILLEGAL_TRANSITION', 'provider admin': 'ILLEGAL_TRANSITION', 'provider system': 'ILLEGAL_TRANSITION' }) },
];
