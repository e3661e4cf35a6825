/**
 * Presence (trạng thái trực tuyến) of listening systems: a system that holds a `packetAvailable` subscription on its
 * own inbox is online even if it makes no other call (R4). The tracker counts the open subscriptions per system and
 * reports every held system at once when it first subscribes, then every `intervalMs` while it stays subscribed;
 * the relay keeps the time of the last report and turns a delivery UNDELIVERABLE only after the policy's offline
 * limit, which is far longer than the interval. A failed report is logged and retried at the next interval.
 */
import type { Logger } from '@lgsp/kit';

export interface PresentSystem {
  agencyCode: string;
  systemId: string;
}

export interface PresenceTracker {
  /** Marks the system as listening until the returned release is called (idempotent). */
  hold(system: PresentSystem): () => void;
  /** Systems held now. */
  held(): PresentSystem[];
  close(): Promise<void>;
}

export function createPresenceTracker(options: { report: (systems: PresentSystem[]) => Promise<void>; intervalMs: number; logger: Logger }): PresenceTracker {
  const counts = new Map<string, { system: PresentSystem; count: number }>();
  let reporting: Promise<void> = Promise.resolve();
  const report = (systems: PresentSystem[]) => {
    if (systems.length === 0) return;
    reporting = reporting
      .then(() => options.report(systems))
      .catch((error: unknown) => options.logger.warn({ err: error, systems: systems.length }, 'presence not reported; retried at the next interval'));
  };
  const timer = setInterval(() => report([...counts.values()].map((e) => e.system)), options.intervalMs);
  timer.unref();
  return {
    hold(system) {
      const key = `${system.agencyCode}\u0000${system.systemId}`;
      const entry = counts.get(key);
      if (entry === undefined) {
        counts.set(key, { system, count: 1 });
        report([system]);
      } else {
        entry.count += 1;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const current = counts.get(key);
        if (current === undefined) return;
        current.count -= 1;
        if (current.count === 0) counts.delete(key);
      };
    },
    held: () => [...counts.values()].map((e) => e.system),
    async close() {
      clearInterval(timer);
      await reporting;
    },
  };
}
