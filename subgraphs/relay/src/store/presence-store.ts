/**
 * Presence (trạng thái trực tuyến): a system is online while it is active — it calls the platform, downloads, or
 * holds a subscription (the subscriptions subgraph marks it in the same store while a subscription is open).
 */
export interface PresenceStore {
  markActive(agency: string, system: string, atMs: number): Promise<void>;
  /** The last activity (ms) of any system of the agency; null when never seen. */
  lastSeen(agency: string): Promise<number | null>;
}
