/**
 * A state machine as data: a table of transitions `{ from, action, parties, to, effects }` and one pure lookup. The
 * onboarding of an access request and the provider registration (form 01) are two tables of this shape
 * (access-request.ts, provider-registration.ts); the registry's orchestration looks a step up here, then carries out
 * its effects all-or-nothing. Plain TypeScript: no store, no clock, no GraphQL.
 */
import { LgspError } from '@lgsp/kit';

/**
 * Who takes a step, relative to the record: the consumer agency that asked, the provider agency of the service, the
 * provincial operator (vận hành, role `lgsp-operator`), or the platform itself (e.g. a service version retired).
 * Whether a caller *is* that party (its agency is the provider of this service, …) is decided by the registry.
 */
export const PARTIES = ['CONSUMER', 'PROVIDER', 'OPERATOR', 'SYSTEM'] as const;
/** One of {@link PARTIES}. */
export type Party = (typeof PARTIES)[number];

/** One row of a machine's table: in state `from`, `action` by one of `parties` leads to `to` with `effects`. */
export interface Transition<S extends string, A extends string, E extends string> {
  /** The state the record is in. */
  readonly from: S;
  /** The step asked for. */
  readonly action: A;
  /** Who may take this step from this state. */
  readonly parties: readonly Party[];
  /** The state after the step. */
  readonly to: S;
  /** What the orchestration must do, all-or-nothing, for the step to count (write a grant, stop the clock, …). */
  readonly effects: readonly E[];
}

/** A legal step: the state after it and its effects. */
export interface Step<S extends string, E extends string> {
  readonly to: S;
  readonly effects: readonly E[];
}

/**
 * Why a step is refused, with the error code the registry answers:
 * - `NO_SUCH_TRANSITION` — the action is not possible in this state for anyone (ILLEGAL_TRANSITION, 409);
 * - `WRONG_PARTY` — the action is possible in this state, but not for this party, e.g. a consumer approving
 *   (FORBIDDEN, 403); `allowedParties` says who may;
 * - `REASON_REQUIRED` — the action needs a reason and none was given (BAD_USER_INPUT, 400).
 */
export interface IllegalTransition<S extends string, A extends string> {
  readonly illegal: true;
  readonly kind: 'NO_SUCH_TRANSITION' | 'WRONG_PARTY' | 'REASON_REQUIRED';
  /** The error code (`extensions.code`) to answer with. */
  readonly code: 'ILLEGAL_TRANSITION' | 'FORBIDDEN' | 'BAD_USER_INPUT';
  readonly state: S;
  readonly action: A;
  readonly party: Party;
  /** Who may take this action in this state (empty for NO_SUCH_TRANSITION). */
  readonly allowedParties: readonly Party[];
  /** An English sentence for the error message. */
  readonly message: string;
}

/** True when `nextState` refused the step. */
export function isIllegal<S extends string, A extends string, E extends string>(
  result: Step<S, E> | IllegalTransition<S, A>,
): result is IllegalTransition<S, A> {
  return 'illegal' in result;
}

/**
 * The step, or the refusal as the platform's error: `LgspError` with `ILLEGAL_TRANSITION`, `FORBIDDEN` or
 * `BAD_USER_INPUT` and `extensions` `{ state, action, party, allowedParties }` — for the resolvers and the internal API.
 */
export function requireStep<S extends string, A extends string, E extends string>(result: Step<S, E> | IllegalTransition<S, A>): Step<S, E> {
  if (!isIllegal(result)) return result;
  throw new LgspError(result.code, result.message, {
    state: result.state,
    action: result.action,
    party: result.party,
    allowedParties: [...result.allowedParties],
  });
}

/** A machine: its states, actions, final states, the actions that need a reason, and its table. */
export interface Machine<S extends string, A extends string, E extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly actions: readonly A[];
  /** States no action leaves. */
  readonly finalStates: readonly S[];
  /** Actions that must carry a reason (a rejection, a request for changes, a suspension, a cancellation). */
  readonly reasonRequired: readonly A[];
  readonly transitions: readonly Transition<S, A, E>[];
}

/**
 * The step `party` asks for: the row of the table that matches, or why there is none. Never throws. When
 * `request` is given, an action of `reasonRequired` without a non-blank reason is refused too.
 */
export function step<S extends string, A extends string, E extends string>(
  machine: Machine<S, A, E>,
  state: S,
  action: A,
  party: Party,
  request?: { reason?: string | null },
): Step<S, E> | IllegalTransition<S, A> {
  const rows = machine.transitions.filter((t) => t.from === state && t.action === action);
  const row = rows.find((t) => t.parties.includes(party));
  const allowedParties = PARTIES.filter((p) => rows.some((t) => t.parties.includes(p)));
  const refuse = (kind: IllegalTransition<S, A>['kind'], message: string): IllegalTransition<S, A> => ({
    illegal: true,
    kind,
    code: kind === 'NO_SUCH_TRANSITION' ? 'ILLEGAL_TRANSITION' : kind === 'WRONG_PARTY' ? 'FORBIDDEN' : 'BAD_USER_INPUT',
    state,
    action,
    party,
    allowedParties,
    message,
  });
  if (rows.length === 0) return refuse('NO_SUCH_TRANSITION', `${machine.name}: ${action} is not possible in state ${state}`);
  if (row === undefined)
    return refuse('WRONG_PARTY', `${machine.name}: in state ${state}, ${action} is taken by ${allowedParties.join(' or ')}, not by ${party}`);
  if (request !== undefined && machine.reasonRequired.includes(action) && (request.reason ?? '').trim() === '')
    return refuse('REASON_REQUIRED', `${machine.name}: ${action} needs a reason`);
  return { to: row.to, effects: row.effects };
}

/** Who may take `action` in `state` (empty when nobody may: no such step). */
export function partiesFor<S extends string, A extends string, E extends string>(machine: Machine<S, A, E>, state: S, action: A): Party[] {
  return PARTIES.filter((party) => machine.transitions.some((t) => t.from === state && t.action === action && t.parties.includes(party)));
}

/**
 * Checks a table once (tests call it): every row names known states and actions, no row leaves a final state, and
 * no two rows give the same (state, action, party) two outcomes. Answers the problems found (empty when sound).
 */
export function checkMachine<S extends string, A extends string, E extends string>(machine: Machine<S, A, E>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const t of machine.transitions) {
    if (!machine.states.includes(t.from) || !machine.states.includes(t.to)) problems.push(`unknown state in ${t.from} → ${t.to}`);
    if (!machine.actions.includes(t.action)) problems.push(`unknown action ${t.action}`);
    if (machine.finalStates.includes(t.from)) problems.push(`final state ${t.from} has a way out (${t.action})`);
    if (t.parties.length === 0) problems.push(`${t.from} ${t.action}: nobody may take it`);
    for (const party of t.parties) {
      const key = `${t.from} ${t.action} ${party}`;
      if (seen.has(key)) problems.push(`${key}: two rows`);
      seen.add(key);
    }
  }
  return problems;
}
