/**
 * The provider registration (đăng ký chia sẻ dữ liệu, App02 form 01; DL:17.3, DL:17.5) as data: an agency registers
 * the services it will provide through the LGSP; the provincial operator approves, rejects or asks for changes
 * (with a reason). An approved registration is later updated the same way (an update awaits approval while the
 * registration stays in force). The working-day clock: 7 working days for a registration (DL:17.3), 5 for an update
 * (DL:17.5); see {@link registrationClock}.
 */
import { step, type IllegalTransition, type Machine, type Party, type Step, type Transition } from './machine.ts';

/** The states of a provider registration. */
export const PROVIDER_REGISTRATION_STATES = [
  /** Submitted; the operator's answer is awaited (clock: 7 working days, DL:17.3). */
  'PENDING_APPROVAL',
  /** The operator asked for changes (with a reason); the provider may resubmit. */
  'CHANGES_REQUESTED',
  /** Approved: the registered services are published. */
  'APPROVED',
  /** Refused by the operator, with a reason. Final. */
  'REJECTED',
  /** An approved registration with an update awaiting the operator (clock: 5 working days, DL:17.5); the approved content stays in force. */
  'UPDATE_PENDING',
  /** The operator asked for changes to the update; the approved content stays in force. */
  'UPDATE_CHANGES_REQUESTED',
  /** Withdrawn by the provider before approval. Final. */
  'WITHDRAWN',
] as const;
/** One of {@link PROVIDER_REGISTRATION_STATES}. */
export type ProviderRegistrationState = (typeof PROVIDER_REGISTRATION_STATES)[number];

/** The steps of a provider registration. */
export const PROVIDER_REGISTRATION_ACTIONS = [
  /** The operator approves the registration or its pending update. */
  'APPROVE',
  /** The operator refuses, with a reason (a refused update leaves the registration as approved before). */
  'REJECT',
  /** The operator asks for changes, with a reason. */
  'REQUEST_CHANGES',
  /** The provider submits the changed registration or update again. */
  'RESUBMIT',
  /** The provider submits an update of an approved registration. */
  'SUBMIT_UPDATE',
  /** The provider withdraws the registration (before approval) or its pending update. */
  'WITHDRAW',
] as const;
/** One of {@link PROVIDER_REGISTRATION_ACTIONS}. */
export type ProviderRegistrationAction = (typeof PROVIDER_REGISTRATION_ACTIONS)[number];

/** What the orchestration does when a registration step is taken. */
export const PROVIDER_REGISTRATION_EFFECTS = [
  /** Publish the registered services (their versions become available to request). */
  'PUBLISH_SERVICES',
  /** Apply the approved update to the registration and its services. */
  'APPLY_UPDATE',
  /** Drop the pending update (refused or withdrawn); the approved content stays. */
  'DISCARD_UPDATE',
  /** Start the working-day clock: 7 working days in PENDING_APPROVAL, 5 in UPDATE_PENDING ({@link registrationClock}). */
  'START_CLOCK',
  /** Stop the clock: the operator answered or the provider withdrew. */
  'STOP_CLOCK',
] as const;
/** One of {@link PROVIDER_REGISTRATION_EFFECTS}. */
export type ProviderRegistrationEffect = (typeof PROVIDER_REGISTRATION_EFFECTS)[number];

type Row = Transition<ProviderRegistrationState, ProviderRegistrationAction, ProviderRegistrationEffect>;
const OPERATOR: readonly Party[] = ['OPERATOR'];
const PROVIDER: readonly Party[] = ['PROVIDER'];

/** The table. A (state, action, party) not in it is illegal. */
export const registrationTransitions: readonly Row[] = [
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: OPERATOR, to: 'APPROVED', effects: ['PUBLISH_SERVICES', 'STOP_CLOCK'] },
  { from: 'PENDING_APPROVAL', action: 'REJECT', parties: OPERATOR, to: 'REJECTED', effects: ['STOP_CLOCK'] },
  { from: 'PENDING_APPROVAL', action: 'REQUEST_CHANGES', parties: OPERATOR, to: 'CHANGES_REQUESTED', effects: ['STOP_CLOCK'] },
  { from: 'PENDING_APPROVAL', action: 'WITHDRAW', parties: PROVIDER, to: 'WITHDRAWN', effects: ['STOP_CLOCK'] },
  { from: 'CHANGES_REQUESTED', action: 'RESUBMIT', parties: PROVIDER, to: 'PENDING_APPROVAL', effects: ['START_CLOCK'] },
  { from: 'CHANGES_REQUESTED', action: 'WITHDRAW', parties: PROVIDER, to: 'WITHDRAWN', effects: [] },

  { from: 'APPROVED', action: 'SUBMIT_UPDATE', parties: PROVIDER, to: 'UPDATE_PENDING', effects: ['START_CLOCK'] },
  { from: 'UPDATE_PENDING', action: 'APPROVE', parties: OPERATOR, to: 'APPROVED', effects: ['APPLY_UPDATE', 'STOP_CLOCK'] },
  { from: 'UPDATE_PENDING', action: 'REJECT', parties: OPERATOR, to: 'APPROVED', effects: ['DISCARD_UPDATE', 'STOP_CLOCK'] },
  { from: 'UPDATE_PENDING', action: 'REQUEST_CHANGES', parties: OPERATOR, to: 'UPDATE_CHANGES_REQUESTED', effects: ['STOP_CLOCK'] },
  { from: 'UPDATE_PENDING', action: 'WITHDRAW', parties: PROVIDER, to: 'APPROVED', effects: ['DISCARD_UPDATE', 'STOP_CLOCK'] },
  { from: 'UPDATE_CHANGES_REQUESTED', action: 'RESUBMIT', parties: PROVIDER, to: 'UPDATE_PENDING', effects: ['START_CLOCK'] },
  { from: 'UPDATE_CHANGES_REQUESTED', action: 'WITHDRAW', parties: PROVIDER, to: 'APPROVED', effects: ['DISCARD_UPDATE'] },
];

/** The provider-registration machine. */
export const providerRegistrationMachine: Machine<ProviderRegistrationState, ProviderRegistrationAction, ProviderRegistrationEffect> = {
  name: 'provider registration',
  states: PROVIDER_REGISTRATION_STATES,
  actions: PROVIDER_REGISTRATION_ACTIONS,
  finalStates: ['REJECTED', 'WITHDRAWN'],
  reasonRequired: ['REJECT', 'REQUEST_CHANGES'],
  transitions: registrationTransitions,
};

/** A new registration: its first state and effects. */
export const PROVIDER_REGISTRATION_SUBMITTED: Step<ProviderRegistrationState, ProviderRegistrationEffect> = {
  to: 'PENDING_APPROVAL',
  effects: ['START_CLOCK'],
};

/**
 * Which deadline the clock counts in a state: `REGISTRATION` (7 working days, DL:17.3) while a registration awaits,
 * `UPDATE` (5, DL:17.5) while an update awaits, null when no answer is awaited.
 */
export function registrationClock(state: ProviderRegistrationState): 'REGISTRATION' | 'UPDATE' | null {
  if (state === 'PENDING_APPROVAL') return 'REGISTRATION';
  if (state === 'UPDATE_PENDING') return 'UPDATE';
  return null;
}

/** The step `party` asks for on a registration in `state`, or why not (never throws); same contract as `nextState`. */
export function nextRegistrationState(
  state: ProviderRegistrationState,
  action: ProviderRegistrationAction,
  party: Party,
  request?: { reason?: string | null },
): Step<ProviderRegistrationState, ProviderRegistrationEffect> | IllegalTransition<ProviderRegistrationState, ProviderRegistrationAction> {
  return step(providerRegistrationMachine, state, action, party, request);
}
