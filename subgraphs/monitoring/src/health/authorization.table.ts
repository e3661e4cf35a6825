/**
 * Who may read and report which system's health, as data.
 *
 * | party | who | may |
 * | --- | --- | --- |
 * | operator | role `lgsp-operator` | read every system's health, history and availability |
 * | agency | `agency-admin` or an `agency-system` of the system's agency | read its own agency's systems |
 * | reporting system | an `agency-system` token whose `system_id` is the report's `systemId` | push its own health (`reportSystemHealth`) |
 * | anyone else | civil servants, other agencies | `FORBIDDEN` (reading); `INVALID_HEALTH_REPORT` (pushing) |
 *
 * `health.test.ts` walks `matrix` over HTTP.
 */
import { ErrorCode, LgspError, Role } from '@lgsp/kit';
import type { Caller } from '../caller.ts';

export type HealthParty = 'operator' | 'agency' | 'other';

export function partyFor(caller: Caller, agencyCode: string): HealthParty {
  if (caller.operator) return 'operator';
  const member = caller.agencyAdmin || (caller.systemId !== null && caller.principal.roles.includes(Role.agencySystem));
  return member && caller.agencyCode === agencyCode ? 'agency' : 'other';
}

export const readRules: Record<HealthParty, boolean> = { operator: true, agency: true, other: false };

/** Throws FORBIDDEN unless the caller may read the health of `agencyCode`'s systems. */
export function requireHealthReader(caller: Caller, agencyCode: string): void {
  if (!readRules[partyFor(caller, agencyCode)])
    throw new LgspError(ErrorCode.FORBIDDEN, `the health of ${agencyCode}'s systems is for that agency and the platform operator`);
}

/** Throws INVALID_HEALTH_REPORT unless the caller is the system the report is about. */
export function requireReportingSystem(caller: Caller, systemId: string): void {
  if (caller.systemId === null || caller.systemId !== systemId || !caller.principal.roles.includes(Role.agencySystem))
    throw new LgspError(ErrorCode.INVALID_HEALTH_REPORT, 'a system reports only its own health, with its own token', { argument: 'systemId' });
}

/** The expectations health.test.ts walks: operation × caller → `ok` or the error code. */
export const matrix: Array<{ operation: string; outcomes: Record<string, 'ok' | 'FORBIDDEN' | 'INVALID_HEALTH_REPORT'> }> = [
  {
    operation: 'systemsHealth(own agency of the system)',
    outcomes: { operator: 'ok', 'agency admin': 'ok', 'the system': 'ok', 'other agency admin': 'FORBIDDEN', 'civil servant': 'FORBIDDEN', citizen: 'FORBIDDEN' },
  },
  {
    operation: 'availability(system)',
    outcomes: { operator: 'ok', 'agency admin': 'ok', 'the system': 'ok', 'other agency admin': 'FORBIDDEN', 'civil servant': 'FORBIDDEN', citizen: 'FORBIDDEN' },
  },
  {
    operation: 'reportSystemHealth(system)',
    outcomes: {
      operator: 'INVALID_HEALTH_REPORT',
      'agency admin': 'INVALID_HEALTH_REPORT',
      'the system': 'ok',
      'other agency admin': 'INVALID_HEALTH_REPORT',
      'civil servant': 'INVALID_HEALTH_REPORT',
      citizen: 'INVALID_HEALTH_REPORT',
    },
  },
];
