/** Which access requests are in force in which environment (WSO2's sandbox/production keys). */
import type { Environment } from '@lgsp/kit';
import type { AccessRequestState } from './model.ts';

/** Test access from TESTING on (the consumer integrates), production access once LIVE. */
export function servesEnvironment(state: AccessRequestState, environment: Environment): boolean {
  return environment === 'test' ? state === 'TESTING' || state === 'INTEGRATION_REPORTED' || state === 'LIVE' : state === 'LIVE';
}

/** The states from which the provider and the operator still have to answer (the working-day clock runs). */
export const AWAITING_ANSWER: readonly AccessRequestState[] = ['PENDING_APPROVAL', 'PROVIDER_APPROVED', 'OPERATOR_APPROVED'];

/** Final states: nothing happens to such a request any more. */
export const FINAL_STATES: readonly AccessRequestState[] = ['REJECTED', 'CANCELLED'];
