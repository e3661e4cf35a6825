/**
 * Interim implementations of the onboarding and working-day ports, from the brief's table, until helper
 * "calendar"'s `onboarding/` and `working-days/` modules are merged (service.ts then wires those). The working days
 * here know weekends only (no holidays): the calendar module has the Vietnamese table.
 */
import type { AccessRequestState, Party, RegistrationState } from './model.ts';
import type {
  AccessAction,
  Effect,
  IllegalTransition,
  OnboardingMachine,
  RegistrationAction,
  RegistrationMachine,
  Step,
  WorkingDayCalendar,
} from './onboarding-port.ts';

interface Row<S extends string, A extends string> {
  from: S;
  action: A;
  parties: readonly Party[];
  to: S;
  effects: readonly Effect[];
}

const waiting: AccessRequestState[] = ['PENDING_APPROVAL', 'PROVIDER_APPROVED', 'OPERATOR_APPROVED'];
const inForce: AccessRequestState[] = ['TESTING', 'INTEGRATION_REPORTED', 'LIVE'];
const open: AccessRequestState[] = [...waiting, 'CHANGES_REQUESTED', ...inForce, 'SUSPENDED'];

const accessRows: Array<Row<AccessRequestState, AccessAction>> = [
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: ['PROVIDER'], to: 'PROVIDER_APPROVED', effects: [] },
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: ['OPERATOR'], to: 'OPERATOR_APPROVED', effects: [] },
  { from: 'PROVIDER_APPROVED', action: 'APPROVE', parties: ['OPERATOR'], to: 'TESTING', effects: ['STOP_CLOCK', 'WRITE_TEST_GRANT'] },
  { from: 'OPERATOR_APPROVED', action: 'APPROVE', parties: ['PROVIDER'], to: 'TESTING', effects: ['STOP_CLOCK', 'WRITE_TEST_GRANT'] },
  ...waiting.flatMap((from) => [
    { from, action: 'REJECT' as const, parties: ['PROVIDER', 'OPERATOR'] as Party[], to: 'REJECTED' as const, effects: ['STOP_CLOCK'] as Effect[] },
    {
      from,
      action: 'REQUEST_CHANGES' as const,
      parties: ['PROVIDER', 'OPERATOR'] as Party[],
      to: 'CHANGES_REQUESTED' as const,
      effects: ['STOP_CLOCK'] as Effect[],
    },
  ]),
  { from: 'CHANGES_REQUESTED', action: 'RESUBMIT', parties: ['CONSUMER'], to: 'PENDING_APPROVAL', effects: ['START_CLOCK'] },
  { from: 'TESTING', action: 'REPORT_INTEGRATED', parties: ['CONSUMER'], to: 'INTEGRATION_REPORTED', effects: [] },
  { from: 'INTEGRATION_REPORTED', action: 'CONFIRM_INTEGRATION', parties: ['PROVIDER'], to: 'LIVE', effects: ['WRITE_PRODUCTION_GRANT'] },
  ...inForce.map((from) => ({
    from,
    action: 'SUSPEND' as const,
    parties: ['OPERATOR', 'PROVIDER'] as Party[],
    to: 'SUSPENDED' as const,
    effects: ['REMOVE_GRANTS', 'DISABLE_CREDENTIALS'] as Effect[],
  })),
  { from: 'SUSPENDED', action: 'RESUME', parties: ['OPERATOR'], to: 'TESTING', effects: ['WRITE_TEST_GRANT', 'ENABLE_CREDENTIALS'] },
  ...open.map((from) => ({
    from,
    action: 'CANCEL' as const,
    parties: ['CONSUMER', 'PROVIDER', 'OPERATOR'] as Party[],
    to: 'CANCELLED' as const,
    effects: ['STOP_CLOCK', 'REMOVE_GRANTS', 'DISABLE_CREDENTIALS'] as Effect[],
  })),
  ...open.map((from) => ({
    from,
    action: 'RETIRE' as const,
    parties: ['SYSTEM'] as Party[],
    to: 'CANCELLED' as const,
    effects: ['STOP_CLOCK', 'REMOVE_GRANTS', 'DISABLE_CREDENTIALS'] as Effect[],
  })),
];

const registrationRows: Array<Row<RegistrationState, RegistrationAction>> = [
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: ['OPERATOR'], to: 'APPROVED', effects: ['STOP_CLOCK'] },
  { from: 'PENDING_APPROVAL', action: 'REJECT', parties: ['OPERATOR'], to: 'REJECTED', effects: ['STOP_CLOCK'] },
  { from: 'PENDING_APPROVAL', action: 'REQUEST_CHANGES', parties: ['OPERATOR'], to: 'CHANGES_REQUESTED', effects: ['STOP_CLOCK'] },
  { from: 'CHANGES_REQUESTED', action: 'RESUBMIT', parties: ['PROVIDER'], to: 'PENDING_APPROVAL', effects: ['START_CLOCK'] },
];

function machineOf<S extends string, A extends string>(rows: Array<Row<S, A>>) {
  return {
    nextState(state: S, action: A, party: Party): Step<S> | IllegalTransition {
      const row = rows.find((r) => r.from === state && r.action === action && r.parties.includes(party));
      if (row !== undefined) return { to: row.to, effects: row.effects };
      const any = rows.some((r) => r.from === state && r.action === action);
      return { illegal: true, reason: any ? `${party} may not ${action} in state ${state}` : `${action} is not possible in state ${state}` };
    },
    partiesFor(state: S, action: A): readonly Party[] {
      return rows.filter((r) => r.from === state && r.action === action).flatMap((r) => r.parties);
    },
  };
}

export const interimOnboardingMachine: OnboardingMachine = machineOf(accessRows);
export const interimRegistrationMachine: RegistrationMachine = machineOf(registrationRows);

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;

/** Weekends only, Asia/Ho_Chi_Minh; the due date is the end (17:00) of the Nth working day after the day received. */
export const interimWorkingDays: WorkingDayCalendar = {
  dueDate(receivedAt, workingDays) {
    let local = new Date(Math.floor((receivedAt.getTime() + VN_OFFSET_MS) / DAY_MS) * DAY_MS);
    let counted = 0;
    while (counted < workingDays) {
      local = new Date(local.getTime() + DAY_MS);
      const weekday = local.getUTCDay();
      if (weekday !== 0 && weekday !== 6) counted += 1;
    }
    return new Date(local.getTime() + 17 * 3_600_000 - VN_OFFSET_MS);
  },
};
