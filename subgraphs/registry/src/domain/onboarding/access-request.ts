/**
 * The onboarding of an access request (yêu cầu kết nối, chia sẻ dữ liệu — App02 form 02, BG:14.3, DL:11.2) as data.
 *
 * A consumer agency asks for field sets of a service version. The provider agency **and** the provincial operator
 * approve, in either order; either may reject or ask for changes, with a reason. With both approvals the test grant
 * is written and the consumer system may get test credentials; the consumer reports integration done, the provider
 * confirms, the production grant is written and production credentials may be issued (WSO2's sandbox → production
 * keys). A live connection may be suspended and resumed; anyone involved may cancel, which removes the grants; a
 * retired service version cancels its requests.
 *
 * The working-day clock (5 working days to answer, BG:14.3 / DL:11.2) runs from submission (and each resubmission)
 * until the request is decided: both approvals, a rejection, a request for changes, or a cancellation.
 */
import { ACCESS_REQUEST_STATES, type AccessRequestState } from '@lgsp/events/topics';
import { step, type IllegalTransition, type Machine, type Party, type Step, type Transition } from './machine.ts';

/**
 * The states of an access request, defined with the events that carry them (`@lgsp/events/topics`, so the
 * subscriptions subgraph knows them without importing the registry):
 * - `PENDING_APPROVAL` — submitted; neither the provider nor the operator has approved yet. The clock runs.
 * - `PROVIDER_APPROVED` — the provider approved; the operator's approval is awaited. The clock runs.
 * - `OPERATOR_APPROVED` — the operator approved; the provider's approval is awaited. The clock runs.
 * - `CHANGES_REQUESTED` — the provider or the operator asked for changes (with a reason); the consumer may resubmit.
 * - `REJECTED` — refused by the provider or the operator, with a reason. Final.
 * - `TESTING` — both approved: the test-environment grant is written; the consumer system may get test credentials.
 * - `INTEGRATION_REPORTED` — the consumer reported its integration done; the provider's confirmation is awaited.
 * - `LIVE` — the provider confirmed: the production grant is written; production credentials may be issued.
 * - `SUSPENDED` — suspended by the operator or the provider (with a reason): grants removed, credentials disabled.
 * - `CANCELLED` — cancelled (by a party, with a reason, or because the service version retired); grants removed. Final.
 */
export { ACCESS_REQUEST_STATES, type AccessRequestState };

/** The steps of an access request. */
export const ACCESS_REQUEST_ACTIONS = [
  /** Approve (phê duyệt): the provider (its own service) or the operator. */
  'APPROVE',
  /** Refuse, with a reason: the provider or the operator. */
  'REJECT',
  /** Ask the consumer for changes, with a reason: the provider or the operator (the provider also after a report of integration: back to TESTING). */
  'REQUEST_CHANGES',
  /** The consumer submits the changed request again; both approvals start over. */
  'RESUBMIT',
  /** The consumer reports its integration done in the test environment. */
  'REPORT_INTEGRATED',
  /** The provider confirms the consumer's integration: the connection goes live. */
  'CONFIRM_INTEGRATION',
  /** Suspend a live connection, with a reason: the operator or the provider. */
  'SUSPEND',
  /** Resume a suspended connection: the operator. */
  'RESUME',
  /** Cancel, with a reason: the consumer, the provider or the operator. */
  'CANCEL',
  /** The platform: the service version the request is for was retired (App01 §3.5). */
  'RETIRE',
] as const;
/** One of {@link ACCESS_REQUEST_ACTIONS}. */
export type AccessRequestAction = (typeof ACCESS_REQUEST_ACTIONS)[number];

/** What the registry's orchestration does, all-or-nothing, when a step is taken. */
export const ACCESS_REQUEST_EFFECTS = [
  /** Write the test-environment grant (`registry.<id>.test`) into the GrantStore. */
  'WRITE_TEST_GRANT',
  /** Write the production grant (`registry.<id>.production`) into the GrantStore. */
  'WRITE_PRODUCTION_GRANT',
  /** Remove both grants of the request from the GrantStore (nothing to remove is not an error). */
  'REMOVE_GRANTS',
  /**
   * Disable the consumer system's credentials issued for this request (and record the revocation so the gateway
   * refuses their tokens within its bound). A client that another request in force still uses stays enabled; its
   * access to this service ends with REMOVE_GRANTS.
   */
  'DISABLE_CREDENTIALS',
  /** Enable again the credentials DISABLE_CREDENTIALS disabled. */
  'ENABLE_CREDENTIALS',
  /** Start the working-day clock: due date = dueDate(now, 5) (BG:14.3, DL:11.2). */
  'START_CLOCK',
  /** Stop the clock: the request was answered (its overdue flag, if any, is cleared). */
  'STOP_CLOCK',
] as const;
/** One of {@link ACCESS_REQUEST_EFFECTS}. */
export type AccessRequestEffect = (typeof ACCESS_REQUEST_EFFECTS)[number];

type Row = Transition<AccessRequestState, AccessRequestAction, AccessRequestEffect>;

const BOTH: readonly Party[] = ['PROVIDER', 'OPERATOR'];
const ANYONE: readonly Party[] = ['CONSUMER', 'PROVIDER', 'OPERATOR'];
const END_ACCESS: readonly AccessRequestEffect[] = ['REMOVE_GRANTS', 'DISABLE_CREDENTIALS'];

/** While a decision is awaited: reject, ask for changes, cancel, or the version retires — each stops the clock. */
const undecided = (from: AccessRequestState, reject: readonly Party[]): Row[] => [
  { from, action: 'REJECT', parties: reject, to: 'REJECTED', effects: ['STOP_CLOCK'] },
  { from, action: 'REQUEST_CHANGES', parties: reject, to: 'CHANGES_REQUESTED', effects: ['STOP_CLOCK'] },
  { from, action: 'CANCEL', parties: ANYONE, to: 'CANCELLED', effects: ['STOP_CLOCK'] },
  { from, action: 'RETIRE', parties: ['SYSTEM'], to: 'CANCELLED', effects: ['STOP_CLOCK'] },
];

/** Once a grant may exist: cancelling or retiring removes it and disables the credentials. */
const granted = (from: AccessRequestState): Row[] => [
  { from, action: 'CANCEL', parties: ANYONE, to: 'CANCELLED', effects: END_ACCESS },
  { from, action: 'RETIRE', parties: ['SYSTEM'], to: 'CANCELLED', effects: END_ACCESS },
];

/** The table. A (state, action, party) not in it is illegal. */
export const transitions: readonly Row[] = [
  // Two approvals, in either order; the second one decides the request.
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: ['PROVIDER'], to: 'PROVIDER_APPROVED', effects: [] },
  { from: 'PENDING_APPROVAL', action: 'APPROVE', parties: ['OPERATOR'], to: 'OPERATOR_APPROVED', effects: [] },
  ...undecided('PENDING_APPROVAL', BOTH),
  { from: 'PROVIDER_APPROVED', action: 'APPROVE', parties: ['OPERATOR'], to: 'TESTING', effects: ['WRITE_TEST_GRANT', 'STOP_CLOCK'] },
  ...undecided('PROVIDER_APPROVED', BOTH),
  { from: 'OPERATOR_APPROVED', action: 'APPROVE', parties: ['PROVIDER'], to: 'TESTING', effects: ['WRITE_TEST_GRANT', 'STOP_CLOCK'] },
  ...undecided('OPERATOR_APPROVED', BOTH),

  { from: 'CHANGES_REQUESTED', action: 'RESUBMIT', parties: ['CONSUMER'], to: 'PENDING_APPROVAL', effects: ['START_CLOCK'] },
  { from: 'CHANGES_REQUESTED', action: 'CANCEL', parties: ANYONE, to: 'CANCELLED', effects: [] },
  { from: 'CHANGES_REQUESTED', action: 'RETIRE', parties: ['SYSTEM'], to: 'CANCELLED', effects: [] },

  // Test environment, then production.
  { from: 'TESTING', action: 'REPORT_INTEGRATED', parties: ['CONSUMER'], to: 'INTEGRATION_REPORTED', effects: [] },
  ...granted('TESTING'),
  { from: 'INTEGRATION_REPORTED', action: 'CONFIRM_INTEGRATION', parties: ['PROVIDER'], to: 'LIVE', effects: ['WRITE_PRODUCTION_GRANT'] },
  { from: 'INTEGRATION_REPORTED', action: 'REQUEST_CHANGES', parties: ['PROVIDER'], to: 'TESTING', effects: [] },
  ...granted('INTEGRATION_REPORTED'),

  { from: 'LIVE', action: 'SUSPEND', parties: BOTH, to: 'SUSPENDED', effects: END_ACCESS },
  ...granted('LIVE'),
  { from: 'SUSPENDED', action: 'RESUME', parties: ['OPERATOR'], to: 'LIVE', effects: ['WRITE_PRODUCTION_GRANT', 'ENABLE_CREDENTIALS'] },
  ...granted('SUSPENDED'),
];

/** The access-request machine (states, actions, final states, reasons, table). */
export const accessRequestMachine: Machine<AccessRequestState, AccessRequestAction, AccessRequestEffect> = {
  name: 'access request',
  states: ACCESS_REQUEST_STATES,
  actions: ACCESS_REQUEST_ACTIONS,
  finalStates: ['REJECTED', 'CANCELLED'],
  reasonRequired: ['REJECT', 'REQUEST_CHANGES', 'SUSPEND', 'CANCEL'],
  transitions,
};

/** A new request: its first state and effects (the clock starts at submission). */
export const ACCESS_REQUEST_SUBMITTED: Step<AccessRequestState, AccessRequestEffect> = { to: 'PENDING_APPROVAL', effects: ['START_CLOCK'] };

/** States in which the working-day clock runs (the request awaits an answer). */
export const ACCESS_REQUEST_CLOCK_STATES: readonly AccessRequestState[] = ['PENDING_APPROVAL', 'PROVIDER_APPROVED', 'OPERATOR_APPROVED'];

/**
 * States in which the request is in force in an environment: its grant there exists (the relay's routes and the
 * gateway's grants follow these). Test: TESTING, INTEGRATION_REPORTED, LIVE; production: LIVE.
 */
export const ACCESS_REQUEST_IN_FORCE: Readonly<Record<'test' | 'production', readonly AccessRequestState[]>> = {
  test: ['TESTING', 'INTEGRATION_REPORTED', 'LIVE'],
  production: ['LIVE'],
};

/**
 * The step `party` asks for on a request in `state`: `{ to, effects }`, or an {@link IllegalTransition} saying why not
 * (never throws). Pass `{ reason }` to have a missing reason refused too (REJECT, REQUEST_CHANGES, SUSPEND, CANCEL).
 */
export function nextState(
  state: AccessRequestState,
  action: AccessRequestAction,
  party: Party,
  request?: { reason?: string | null },
): Step<AccessRequestState, AccessRequestEffect> | IllegalTransition<AccessRequestState, AccessRequestAction> {
  return step(accessRequestMachine, state, action, party, request);
}
