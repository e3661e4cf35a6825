import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACCESS_REQUEST_ACTIONS,
  ACCESS_REQUEST_STATES,
  accessRequestMachine,
  checkMachine,
  isIllegal,
  nextRegistrationState,
  nextState,
  PARTIES,
  partiesFor,
  PROVIDER_REGISTRATION_ACTIONS,
  PROVIDER_REGISTRATION_STATES,
  providerRegistrationMachine,
  registrationClock,
  requireStep,
  transitions,
  type Machine,
} from './index.ts';

/**
 * Every legal step, written out on its own (not derived from the table): `state action party → to [effects]`.
 * Every (state, action, party) not listed must be refused.
 */
const accessRequestLegal = `
PENDING_APPROVAL APPROVE PROVIDER → PROVIDER_APPROVED []
PENDING_APPROVAL APPROVE OPERATOR → OPERATOR_APPROVED []
PENDING_APPROVAL REJECT PROVIDER → REJECTED [STOP_CLOCK]
PENDING_APPROVAL REJECT OPERATOR → REJECTED [STOP_CLOCK]
PENDING_APPROVAL REQUEST_CHANGES PROVIDER → CHANGES_REQUESTED [STOP_CLOCK]
PENDING_APPROVAL REQUEST_CHANGES OPERATOR → CHANGES_REQUESTED [STOP_CLOCK]
PENDING_APPROVAL CANCEL CONSUMER → CANCELLED [STOP_CLOCK]
PENDING_APPROVAL CANCEL PROVIDER → CANCELLED [STOP_CLOCK]
PENDING_APPROVAL CANCEL OPERATOR → CANCELLED [STOP_CLOCK]
PENDING_APPROVAL RETIRE SYSTEM → CANCELLED [STOP_CLOCK]
PROVIDER_APPROVED APPROVE OPERATOR → TESTING [WRITE_TEST_GRANT STOP_CLOCK]
PROVIDER_APPROVED REJECT PROVIDER → REJECTED [STOP_CLOCK]
PROVIDER_APPROVED REJECT OPERATOR → REJECTED [STOP_CLOCK]
PROVIDER_APPROVED REQUEST_CHANGES PROVIDER → CHANGES_REQUESTED [STOP_CLOCK]
PROVIDER_APPROVED REQUEST_CHANGES OPERATOR → CHANGES_REQUESTED [STOP_CLOCK]
PROVIDER_APPROVED CANCEL CONSUMER → CANCELLED [STOP_CLOCK]
PROVIDER_APPROVED CANCEL PROVIDER → CANCELLED [STOP_CLOCK]
PROVIDER_APPROVED CANCEL OPERATOR → CANCELLED [STOP_CLOCK]
PROVIDER_APPROVED RETIRE SYSTEM → CANCELLED [STOP_CLOCK]
OPERATOR_APPROVED APPROVE PROVIDER → TESTING [WRITE_TEST_GRANT STOP_CLOCK]
OPERATOR_APPROVED REJECT PROVIDER → REJECTED [STOP_CLOCK]
OPERATOR_APPROVED REJECT OPERATOR → REJECTED [STOP_CLOCK]
OPERATOR_APPROVED REQUEST_CHANGES PROVIDER → CHANGES_REQUESTED [STOP_CLOCK]
OPERATOR_APPROVED REQUEST_CHANGES OPERATOR → CHANGES_REQUESTED [STOP_CLOCK]
OPERATOR_APPROVED CANCEL CONSUMER → CANCELLED [STOP_CLOCK]
OPERATOR_APPROVED CANCEL PROVIDER → CANCELLED [STOP_CLOCK]
OPERATOR_APPROVED CANCEL OPERATOR → CANCELLED [STOP_CLOCK]
OPERATOR_APPROVED RETIRE SYSTEM → CANCELLED [STOP_CLOCK]
CHANGES_REQUESTED RESUBMIT CONSUMER → PENDING_APPROVAL [START_CLOCK]
CHANGES_REQUESTED CANCEL CONSUMER → CANCELLED []
CHANGES_REQUESTED CANCEL PROVIDER → CANCELLED []
CHANGES_REQUESTED CANCEL OPERATOR → CANCELLED []
CHANGES_REQUESTED RETIRE SYSTEM → CANCELLED []
TESTING REPORT_INTEGRATED CONSUMER → INTEGRATION_REPORTED []
TESTING CANCEL CONSUMER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
TESTING CANCEL PROVIDER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
TESTING CANCEL OPERATOR → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
TESTING RETIRE SYSTEM → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
INTEGRATION_REPORTED CONFIRM_INTEGRATION PROVIDER → LIVE [WRITE_PRODUCTION_GRANT]
INTEGRATION_REPORTED REQUEST_CHANGES PROVIDER → TESTING []
INTEGRATION_REPORTED CANCEL CONSUMER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
INTEGRATION_REPORTED CANCEL PROVIDER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
INTEGRATION_REPORTED CANCEL OPERATOR → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
INTEGRATION_REPORTED RETIRE SYSTEM → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE SUSPEND OPERATOR → SUSPENDED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE SUSPEND PROVIDER → SUSPENDED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE CANCEL CONSUMER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE CANCEL PROVIDER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE CANCEL OPERATOR → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
LIVE RETIRE SYSTEM → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
SUSPENDED RESUME OPERATOR → LIVE [WRITE_PRODUCTION_GRANT ENABLE_CREDENTIALS]
SUSPENDED CANCEL CONSUMER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
SUSPENDED CANCEL PROVIDER → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
SUSPENDED CANCEL OPERATOR → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
SUSPENDED RETIRE SYSTEM → CANCELLED [REMOVE_GRANTS DISABLE_CREDENTIALS]
`;

const registrationLegal = `
PENDING_APPROVAL APPROVE OPERATOR → APPROVED [PUBLISH_SERVICES STOP_CLOCK]
PENDING_APPROVAL REJECT OPERATOR → REJECTED [STOP_CLOCK]
PENDING_APPROVAL REQUEST_CHANGES OPERATOR → CHANGES_REQUESTED [STOP_CLOCK]
PENDING_APPROVAL WITHDRAW PROVIDER → WITHDRAWN [STOP_CLOCK]
CHANGES_REQUESTED RESUBMIT PROVIDER → PENDING_APPROVAL [START_CLOCK]
CHANGES_REQUESTED WITHDRAW PROVIDER → WITHDRAWN []
APPROVED SUBMIT_UPDATE PROVIDER → UPDATE_PENDING [START_CLOCK]
UPDATE_PENDING APPROVE OPERATOR → APPROVED [APPLY_UPDATE STOP_CLOCK]
UPDATE_PENDING REJECT OPERATOR → APPROVED [DISCARD_UPDATE STOP_CLOCK]
UPDATE_PENDING REQUEST_CHANGES OPERATOR → UPDATE_CHANGES_REQUESTED [STOP_CLOCK]
UPDATE_PENDING WITHDRAW PROVIDER → APPROVED [DISCARD_UPDATE STOP_CLOCK]
UPDATE_CHANGES_REQUESTED RESUBMIT PROVIDER → UPDATE_PENDING [START_CLOCK]
UPDATE_CHANGES_REQUESTED WITHDRAW PROVIDER → APPROVED [DISCARD_UPDATE]
`;

/** Parses the listing into `state action party` → `to [effects]`. */
function expectations(listing: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of listing.trim().split('\n')) {
    const [left = '', right = ''] = line.split(' → ');
    assert.ok(!map.has(left), `listed twice: ${left}`);
    map.set(left, right);
  }
  return map;
}

function walkEveryCombination<S extends string, A extends string, E extends string>(
  machine: Machine<S, A, E>,
  listing: string,
  next: (state: S, action: A, party: (typeof PARTIES)[number]) => ReturnType<typeof nextState> | ReturnType<typeof nextRegistrationState>,
): void {
  const expected = expectations(listing);
  let legal = 0;
  let refused = 0;
  for (const state of machine.states)
    for (const action of machine.actions)
      for (const party of PARTIES) {
        const key = `${state} ${action} ${party}`;
        const result = next(state, action, party);
        const want = expected.get(key);
        if (want === undefined) {
          assert.ok(isIllegal(result), `${machine.name}: ${key} must be refused, got ${JSON.stringify(result)}`);
          // Refused because nobody may do it here, or because someone else may: never both, never neither.
          const someoneMay = PARTIES.some((p) => expected.has(`${state} ${action} ${p}`));
          assert.equal(result.kind, someoneMay ? 'WRONG_PARTY' : 'NO_SUCH_TRANSITION', key);
          assert.equal(result.code, someoneMay ? 'FORBIDDEN' : 'ILLEGAL_TRANSITION', key);
          assert.deepEqual(
            result.allowedParties,
            PARTIES.filter((p) => expected.has(`${state} ${action} ${p}`)),
            key,
          );
          assert.deepEqual(partiesFor(machine, state, action), result.allowedParties, key);
          refused++;
        } else {
          assert.ok(!isIllegal(result), `${machine.name}: ${key} must be legal, got ${JSON.stringify(result)}`);
          assert.equal(`${result.to} [${result.effects.join(' ')}]`, want, key);
          legal++;
        }
      }
  assert.equal(legal, expected.size, 'every listed step is a combination of known states, actions and parties');
  assert.equal(legal + refused, machine.states.length * machine.actions.length * PARTIES.length);
}

test('access request: every (state, action, party) is legal exactly as listed, with its effects', () => {
  assert.deepEqual(checkMachine(accessRequestMachine), []);
  assert.equal(ACCESS_REQUEST_STATES.length * ACCESS_REQUEST_ACTIONS.length * PARTIES.length, 400);
  walkEveryCombination(accessRequestMachine, accessRequestLegal, (s, a, p) => nextState(s, a, p));
});

test('provider registration (form 01): every (state, action, party) is legal exactly as listed', () => {
  assert.deepEqual(checkMachine(providerRegistrationMachine), []);
  assert.equal(PROVIDER_REGISTRATION_STATES.length * PROVIDER_REGISTRATION_ACTIONS.length * PARTIES.length, 168);
  walkEveryCombination(providerRegistrationMachine, registrationLegal, (s, a, p) => nextRegistrationState(s, a, p));
});

test('a reason is required to reject, ask for changes, suspend and cancel, when the request is given', () => {
  for (const [state, action, party] of [
    ['PENDING_APPROVAL', 'REJECT', 'OPERATOR'],
    ['PROVIDER_APPROVED', 'REQUEST_CHANGES', 'OPERATOR'],
    ['LIVE', 'SUSPEND', 'PROVIDER'],
    ['TESTING', 'CANCEL', 'CONSUMER'],
  ] as const) {
    for (const reason of [undefined, null, '', '   ']) {
      const refused = nextState(state, action, party, { reason });
      assert.ok(isIllegal(refused) && refused.kind === 'REASON_REQUIRED' && refused.code === 'BAD_USER_INPUT', `${state} ${action} ${String(reason)}`);
    }
    assert.ok(!isIllegal(nextState(state, action, party, { reason: 'Hồ sơ thiếu cam kết bảo mật (mẫu 03)' })));
  }
  // Approvals need none; a wrong party is refused as such even without a reason.
  assert.ok(!isIllegal(nextState('PENDING_APPROVAL', 'APPROVE', 'OPERATOR', {})));
  const wrong = nextState('PENDING_APPROVAL', 'REJECT', 'CONSUMER', {});
  assert.ok(isIllegal(wrong) && wrong.kind === 'WRONG_PARTY');
  const registration = nextRegistrationState('PENDING_APPROVAL', 'REJECT', 'OPERATOR', { reason: ' ' });
  assert.ok(isIllegal(registration) && registration.kind === 'REASON_REQUIRED');
});

test('the whole onboarding walks from submission to live and back through suspension', () => {
  const path = [
    ['APPROVE', 'OPERATOR', 'OPERATOR_APPROVED'],
    ['REQUEST_CHANGES', 'PROVIDER', 'CHANGES_REQUESTED'],
    ['RESUBMIT', 'CONSUMER', 'PENDING_APPROVAL'],
    ['APPROVE', 'PROVIDER', 'PROVIDER_APPROVED'],
    ['APPROVE', 'OPERATOR', 'TESTING'],
    ['REPORT_INTEGRATED', 'CONSUMER', 'INTEGRATION_REPORTED'],
    ['REQUEST_CHANGES', 'PROVIDER', 'TESTING'],
    ['REPORT_INTEGRATED', 'CONSUMER', 'INTEGRATION_REPORTED'],
    ['CONFIRM_INTEGRATION', 'PROVIDER', 'LIVE'],
    ['SUSPEND', 'OPERATOR', 'SUSPENDED'],
    ['RESUME', 'OPERATOR', 'LIVE'],
    ['CANCEL', 'CONSUMER', 'CANCELLED'],
  ] as const;
  let state: (typeof ACCESS_REQUEST_STATES)[number] = 'PENDING_APPROVAL';
  const effects: string[] = [];
  for (const [action, party, to] of path) {
    const result = nextState(state, action, party, { reason: 'lý do' });
    assert.ok(!isIllegal(result), `${state} ${action} ${party}`);
    assert.equal(result.to, to);
    effects.push(...result.effects);
    state = result.to;
  }
  // Grants are written before they are removed, and the clock stops once per start (the submission started one).
  assert.deepEqual(
    effects.filter((e) => e.includes('GRANT')),
    ['WRITE_TEST_GRANT', 'WRITE_PRODUCTION_GRANT', 'REMOVE_GRANTS', 'WRITE_PRODUCTION_GRANT', 'REMOVE_GRANTS'],
  );
  assert.equal(effects.filter((e) => e === 'START_CLOCK').length + 1, effects.filter((e) => e === 'STOP_CLOCK').length);
  // Nothing leaves a final state.
  for (const action of ACCESS_REQUEST_ACTIONS) for (const party of PARTIES) assert.ok(isIllegal(nextState('CANCELLED', action, party)));
});

test('the table is plain data: JSON round-trips it', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(transitions)), transitions);
  assert.deepEqual(
    PROVIDER_REGISTRATION_STATES.map((s) => registrationClock(s)),
    ['REGISTRATION', null, null, null, 'UPDATE', null, null],
  );
});

test('requireStep: the step, or the refusal as the platform error with who may act', () => {
  assert.deepEqual(requireStep(nextState('LIVE', 'SUSPEND', 'PROVIDER', { reason: 'sự cố' })), {
    to: 'SUSPENDED',
    effects: ['REMOVE_GRANTS', 'DISABLE_CREDENTIALS'],
  });
  assert.throws(
    () => requireStep(nextState('LIVE', 'RESUME', 'OPERATOR')),
    (error: Error & { code?: string; details?: Record<string, unknown> }) =>
      error.name === 'LgspError' &&
      error.code === 'ILLEGAL_TRANSITION' &&
      error.details?.state === 'LIVE' &&
      /RESUME is not possible in state LIVE/.test(error.message),
  );
  assert.throws(
    () => requireStep(nextState('INTEGRATION_REPORTED', 'CONFIRM_INTEGRATION', 'OPERATOR')),
    (error: Error & { code?: string; details?: Record<string, unknown> }) =>
      error.code === 'FORBIDDEN' && JSON.stringify(error.details?.allowedParties) === '["PROVIDER"]',
  );
  assert.throws(() => requireStep(nextRegistrationState('PENDING_APPROVAL', 'REJECT', 'OPERATOR', {})), { code: 'BAD_USER_INPUT' });
});
