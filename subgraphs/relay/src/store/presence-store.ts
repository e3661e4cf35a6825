/**
 * Presence (trạng thái trực tuyến): a system is online while it is active — it calls the platform, downloads, or
 * holds a subscription (the subscriptions subgraph marks it in the same store while a subscription is open).
 */
export interface PresenceStore {
  markActive(agency: string, system: string, atMs: number): Promise<void>;
  /** The last activity (ms) of any system of the agency; null when never seen. */
  lastSeen(agency: string): Promise<number | null>;
  /** Each system of the agency seen, with its last activity (ms), most recent first. */
  systems(agency: string): Promise<Array<{ system: string; lastSeenMs: number }>>;
}

/** Orders systems most recently seen first (then by id, for a stable answer). */
export const byMostRecent = (a: { system: string; lastSeenMs: number }, b: { system: string; lastSeenMs: number }): number =>
  b.lastSeenMs - a.lastSeenMs || (a.system < b.system ? -1 : a.system > b.system ? 1 : 0);
