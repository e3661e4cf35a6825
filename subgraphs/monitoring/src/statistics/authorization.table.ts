/**
 * Who may read statistics, reconciliations and reports, as data (like the registry's authorization.table.ts): for each
 * read, the outcome for each kind of caller. `ok`: authorization passed; otherwise the `extensions.code` expected.
 * access.test.ts checks `mayRead` against every cell; the module's GraphQL test walks the same table over HTTP.
 */
import { Role, type Principal } from '@lgsp/kit';
import type { ReadScope } from './access.ts';

export const POLICE = '000.00.02.H41';
export const FINANCE = '000.00.03.H41';
export const JUSTICE = '000.00.04.H41';

export const callers: Record<string, Principal> = {
  operator: { kind: 'user', userId: 'op-1', username: 'lan.nguyen', roles: [Role.operator], scopes: [] },
  'justice admin': { kind: 'user', agencyCode: JUSTICE, userId: 'ad-1', username: `${JUSTICE}@nghean.gov.vn`, roles: [Role.agencyAdmin], scopes: [] },
  'justice system': {
    kind: 'system',
    agencyCode: JUSTICE,
    systemId: `${JUSTICE}:ho-tich-dien-tu`,
    roles: [Role.agencySystem, Role.dataConsumer],
    scopes: [],
  },
  'justice civil servant': { kind: 'user', agencyCode: JUSTICE, userId: 'cb-1', username: 'canbo.stp', roles: [Role.civilServant], scopes: [] },
  'admin without agency': { kind: 'user', userId: 'x', username: 'x', roles: [Role.agencyAdmin], scopes: [] },
  anonymous: { kind: 'anonymous', roles: [], scopes: [] },
  // A citizen signed in through VDXP reads only who accessed their own data (myDataAccesses), no statistics.
  citizen: { kind: 'user', userId: 'sub-citizen', username: '040200001234', personalId: '040200001234', roles: [Role.citizen], scopes: [] },
};
export type CallerName = keyof typeof callers;
export type Outcome = 'ok' | 'FORBIDDEN';

export interface AccessRow {
  /** The read, as the tests make it. */
  read: string;
  scope: ReadScope;
  outcomes: Record<CallerName, Outcome>;
}

const only = (allowed: CallerName[]): Record<CallerName, Outcome> =>
  Object.fromEntries(Object.keys(callers).map((name) => [name, allowed.includes(name) ? 'ok' : 'FORBIDDEN'])) as Record<CallerName, Outcome>;

export const accessTable: AccessRow[] = [
  { read: 'statistics / report of JUSTICE (own agency)', scope: { agency: JUSTICE }, outcomes: only(['operator', 'justice admin']) },
  { read: 'statistics / report of POLICE (another agency)', scope: { agency: POLICE }, outcomes: only(['operator']) },
  { read: 'statistics / report province-wide', scope: null, outcomes: only(['operator']) },
  { read: 'reconciliation POLICE → JUSTICE (own agency consumes)', scope: { pair: { provider: POLICE, consumer: JUSTICE } }, outcomes: only(['operator', 'justice admin']) },
  { read: 'reconciliation JUSTICE → FINANCE (own agency provides)', scope: { pair: { provider: JUSTICE, consumer: FINANCE } }, outcomes: only(['operator', 'justice admin']) },
  { read: 'reconciliation POLICE → FINANCE (other agencies)', scope: { pair: { provider: POLICE, consumer: FINANCE } }, outcomes: only(['operator']) },
];
