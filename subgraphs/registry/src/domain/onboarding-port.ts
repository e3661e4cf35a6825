/**
 * What the registry needs of the onboarding machine and the working-day calendar (the pure modules helper
 * "calendar" writes in `onboarding/` and `working-days/`). The registry depends on these ports; `interim-rules.ts`
 * implements them from the brief's table until those modules are merged, and service.ts picks one.
 */
import type { AccessRequestState, Party, RegistrationState } from './model.ts';

export type AccessAction =
  'APPROVE' | 'REJECT' | 'REQUEST_CHANGES' | 'RESUBMIT' | 'REPORT_INTEGRATED' | 'CONFIRM_INTEGRATION' | 'SUSPEND' | 'RESUME' | 'CANCEL' | 'RETIRE';
export const ACCESS_ACTIONS: readonly AccessAction[] = [
  'APPROVE',
  'REJECT',
  'REQUEST_CHANGES',
  'RESUBMIT',
  'REPORT_INTEGRATED',
  'CONFIRM_INTEGRATION',
  'SUSPEND',
  'RESUME',
  'CANCEL',
  'RETIRE',
];

export type Effect =
  'WRITE_TEST_GRANT' | 'WRITE_PRODUCTION_GRANT' | 'REMOVE_GRANTS' | 'DISABLE_CREDENTIALS' | 'ENABLE_CREDENTIALS' | 'START_CLOCK' | 'STOP_CLOCK';

/** A legal step: the next state and what must happen with it. */
export interface Step<S extends string> {
  to: S;
  effects: readonly Effect[];
}

/** The answer for a step the table does not have (no throw). */
export interface IllegalTransition {
  illegal: true;
  reason: string;
}

export interface OnboardingMachine {
  nextState(state: AccessRequestState, action: AccessAction, party: Party): Step<AccessRequestState> | IllegalTransition;
  /** The parties that may take `action` from `state` (empty = no such step). */
  partiesFor(state: AccessRequestState, action: AccessAction): readonly Party[];
}

export type RegistrationAction = 'APPROVE' | 'REJECT' | 'REQUEST_CHANGES' | 'RESUBMIT';

export interface RegistrationMachine {
  nextState(state: RegistrationState, action: RegistrationAction, party: Party): Step<RegistrationState> | IllegalTransition;
  partiesFor(state: RegistrationState, action: RegistrationAction): readonly Party[];
}

/** The deadline kinds with their working days: access request 5 (BG:14.3, DL:11.2), registration 7 (DL:17.3), update 5 (DL:17.5). */
export const DEADLINE_DAYS = { accessRequest: 5, registration: 7, update: 5 } as const;

export interface WorkingDayCalendar {
  /** When a request received at `receivedAt` must be answered, `workingDays` working days later. */
  dueDate(receivedAt: Date, workingDays: number): Date;
}

export const isIllegal = <S extends string>(answer: Step<S> | IllegalTransition): answer is IllegalTransition => 'illegal' in answer;
