/**
 * Whether an agency's systems are online (R4: "detects whether systems are online"): every GraphQL call and
 * download by a system marks it active, written at most once a second per system and process; the sweeper judges
 * deliveries UNDELIVERABLE by it, and the agency and operators can read it (`agencyPresence`).
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { isoTime, type AgencyPresence, type Caller, type ExchangeDeps } from './exchange-api.ts';

/** Presence is judged in minutes (maxOfflineSeconds): one write a second per system is plenty. */
const PRESENCE_WRITE_INTERVAL_MS = 1_000;

export class PresenceTracker {
  /** `<agency> <system>` → when this process last wrote its presence. */
  private readonly presenceWritten = new Map<string, number>();

  constructor(private readonly deps: ExchangeDeps) {}

  /** When a system of the agency was last active (ms), or null when never: calls, downloads, held subscriptions (now while held). */
  async lastSeen(agency: string): Promise<number | null> {
    return this.deps.presence.lastSeen(agency, this.deps.now());
  }

  /**
   * When the systems of an agency were last active, for operators and for the agency itself (others: FORBIDDEN): what
   * the sweep judges deliveries by (policy.maxOfflineSeconds).
   */
  async presence(caller: Caller, agencyCode: string): Promise<AgencyPresence> {
    if (!caller.operator && caller.agencyCode !== agencyCode) {
      throw new LgspError(ErrorCode.FORBIDDEN, `only operators and agency ${agencyCode} itself may read its presence`);
    }
    const systems = await this.deps.presence.systems(agencyCode, this.deps.now());
    return {
      agencyCode,
      lastSeenAt: systems.length === 0 ? null : isoTime(systems[0]!.lastSeenMs),
      systems: systems.map((s) => ({ systemId: s.system, lastSeenAt: isoTime(s.lastSeenMs) })),
    };
  }

  async markActive(caller: Caller): Promise<void> {
    if (caller.agencyCode !== null) await this.touch(caller.agencyCode, caller.systemId ?? 'user');
  }

  /**
   * Records activity, at most once per PRESENCE_WRITE_INTERVAL_MS per system and process: a busy system would
   * otherwise cost a write per request.
   */
  async touch(agency: string, system: string): Promise<void> {
    const now = this.deps.now();
    const key = `${agency} ${system}`;
    const last = this.presenceWritten.get(key);
    if (last !== undefined && now - last >= 0 && now - last < PRESENCE_WRITE_INTERVAL_MS) return;
    if (this.presenceWritten.size >= 10_000) this.presenceWritten.clear();
    this.presenceWritten.set(key, now);
    await this.deps.presence.markActive(agency, system, now);
  }
}
