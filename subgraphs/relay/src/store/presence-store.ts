/**
 * Presence (trạng thái trực tuyến): a system is online while it is active — it calls the platform, downloads, or
 * holds a subscription. A subscription is a hold with an end: the subscriptions service reports the systems it holds
 * with a lease (`hold`) and renews it before it runs out; when the subscription goes, the lease runs out by itself.
 *
 * When a system was last seen, as of `nowMs`: now while a hold runs (its `untilMs` is later than now); otherwise its
 * last activity, counting the reports themselves. So a hold that ran out counts from the last report (the
 * subscription may have gone right after it). A hold never shortens: a system may be held through several
 * subscriptions replicas at once (a client that reconnected elsewhere before the old connection was noticed gone),
 * and none of them may end what another still holds. Ending holds early is traded for that: a system that left
 * counts as online until its lease runs out (at most three report intervals).
 */
export interface PresenceStore {
  /** Records activity (a call, a download) at `atMs`; presence never moves back. */
  markActive(agency: string, system: string, atMs: number): Promise<void>;
  /**
   * Records a report at `atMs` (activity, as `markActive`) that the system holds a subscription until `untilMs`; the
   * hold ends at the latest `untilMs` of any report (it never shortens).
   */
  hold(agency: string, system: string, atMs: number, untilMs: number): Promise<void>;
  /** When any system of the agency was last seen (ms) as of `nowMs`; null when never. */
  lastSeen(agency: string, nowMs: number): Promise<number | null>;
  /** Each system of the agency seen, with when it was last seen (ms) as of `nowMs`, most recent first. */
  systems(agency: string, nowMs: number): Promise<Array<{ system: string; lastSeenMs: number }>>;
}

/** What a store keeps per system: its last activity and the end of its hold (null: never held). */
export interface SystemPresence {
  activeMs: number;
  heldUntilMs: number | null;
}

/** The rule above: now while the hold runs, else the last activity. */
export function seenAt(presence: SystemPresence, nowMs: number): number {
  return presence.heldUntilMs !== null && presence.heldUntilMs > nowMs ? Math.max(presence.activeMs, nowMs) : presence.activeMs;
}

/** Orders systems most recently seen first (then by id, for a stable answer). */
export const byMostRecent = (a: { system: string; lastSeenMs: number }, b: { system: string; lastSeenMs: number }): number =>
  b.lastSeenMs - a.lastSeenMs || (a.system < b.system ? -1 : a.system > b.system ? 1 : 0);

/** Each system with when it was seen as of `nowMs`, most recent first (`systems` of both adapters). */
export function listSystems(entries: Iterable<[string, SystemPresence]>, nowMs: number): Array<{ system: string; lastSeenMs: number }> {
  return [...entries].map(([system, presence]) => ({ system, lastSeenMs: seenAt(presence, nowMs) })).sort(byMostRecent);
}
