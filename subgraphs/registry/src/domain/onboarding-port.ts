/**
 * How the registry reads the onboarding machines (`onboarding/`) and the working-day calendar (`working-days/`):
 * who may take an action from a state, and the clock of each kind of record.
 */
import {
  accessRequestMachine,
  partiesFor,
  providerRegistrationMachine,
  type AccessRequestAction,
  type AccessRequestState,
  type Party,
  type ProviderRegistrationAction,
  type ProviderRegistrationState,
} from './onboarding/index.ts';
import { DEADLINES, dueDate, type DeadlineKind, type WorkingCalendar } from './working-days/index.ts';

export type AccessAction = AccessRequestAction;
export { ACCESS_REQUEST_ACTIONS as ACCESS_ACTIONS } from './onboarding/index.ts';
export type RegistrationAction = ProviderRegistrationAction;

/** The parties that may take `action` from `state` in the access-request table (empty = no such step). */
export function accessPartiesFor(state: AccessRequestState, action: AccessRequestAction): readonly Party[] {
  return partiesFor(accessRequestMachine, state, action);
}

/** The parties that may take `action` from `state` in the provider-registration table. */
export function registrationPartiesFor(state: ProviderRegistrationState, action: ProviderRegistrationAction): readonly Party[] {
  return partiesFor(providerRegistrationMachine, state, action);
}

/** When a record of `kind` received at `receivedAt` must be answered (BG:14.3, DL:11.2, DL:17.3, DL:17.5). */
export function dueFor(calendar: WorkingCalendar, kind: DeadlineKind, receivedAt: Date): Date {
  return dueDate(receivedAt, DEADLINES[kind], calendar);
}
