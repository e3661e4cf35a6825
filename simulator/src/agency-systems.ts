/**
 * Fake agency information systems' health endpoints (not part of the national platform's contract): so that
 * `npm start` and tests have connected systems the monitoring can pull (App01 §2.3). Every system id answers; each
 * is UP until a control says otherwise.
 *
 *   GET  /agency-systems/<system id>/health/live    level 1: 200 {"status":"UP"}, or 503 when DOWN
 *   GET  /agency-systems/<system id>/health/ready   level 2: {"status", "checks": [database, cache, national-data]}
 *                                                   (the shape monitoring documents for agency developers)
 *   PUT  /_sim/agency-systems/<system id>           {"state": "UP" | "DEGRADED" | "DOWN" | "HANG" | "REFUSE"}
 *   GET  /_sim/agency-systems                       the states set, by system id
 *
 * DOWN answers 503 (level 2 with the database check DOWN); HANG never answers (a timeout for the caller); REFUSE
 * closes the connection without an answer (as a stopped server's port would, from the caller's side).
 */
export const AGENCY_SYSTEM_STATES = ['UP', 'DEGRADED', 'DOWN', 'HANG', 'REFUSE'] as const;
export type AgencySystemState = (typeof AGENCY_SYSTEM_STATES)[number];

export const AGENCY_SYSTEMS_PATH = '/agency-systems/';
const SYSTEM_ID = /^[\x21-\x7e]{1,128}$/;

export class AgencySystems {
  private readonly states = new Map<string, AgencySystemState>();

  state(systemId: string): AgencySystemState {
    return this.states.get(systemId) ?? 'UP';
  }

  set(systemId: string, state: AgencySystemState): void {
    if (!SYSTEM_ID.test(systemId)) throw new Error('a system id is printable ASCII without spaces, at most 128 characters');
    if (state === 'UP') this.states.delete(systemId);
    else this.states.set(systemId, state);
  }

  all(): Record<string, AgencySystemState> {
    return Object.fromEntries(this.states);
  }

  reset(): void {
    this.states.clear();
  }

  /** The health endpoint URLs of a system served by a simulator at `baseUrl`. */
  static endpoints(baseUrl: string, systemId: string): { live: string; ready: string } {
    const base = `${baseUrl}${AGENCY_SYSTEMS_PATH}${encodeURIComponent(systemId)}/health`;
    return { live: `${base}/live`, ready: `${base}/ready` };
  }

  /** The answer of a health endpoint, or `hang`/`refuse`. */
  answer(systemId: string, level: 1 | 2): { status: number; body: unknown } | 'hang' | 'refuse' {
    const state = this.state(systemId);
    if (state === 'HANG') return 'hang';
    if (state === 'REFUSE') return 'refuse';
    if (level === 1) return state === 'DOWN' ? { status: 503, body: { status: 'DOWN' } } : { status: 200, body: { status: 'UP' } };
    const checks = [
      { name: 'database', status: state === 'DOWN' ? 'DOWN' : 'UP', detail: state === 'DOWN' ? 'connection refused (simulated)' : null },
      { name: 'cache', status: state === 'DEGRADED' ? 'DEGRADED' : 'UP', detail: state === 'DEGRADED' ? 'evicting under memory pressure (simulated)' : null },
      { name: 'national-data', status: 'UP', detail: null },
    ];
    return { status: state === 'DOWN' ? 503 : 200, body: { status: state, checks } };
  }
}
