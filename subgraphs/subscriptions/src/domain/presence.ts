/**
 * Presence (trạng thái trực tuyến) of listening systems: a system that holds a `packetAvailable` subscription on its
 * own inbox is online even if it makes no other call (R4). The tracker counts the open subscriptions per system and
 * reports every held system at once when it first subscribes, then every `intervalMs` while it stays subscribed.
 * Each report holds the systems at the relay for a lease (`presenceLeaseMs`) longer than the interval: while it runs
 * the relay sees them online whatever the policy's offline limit, so the interval need not be shorter than any
 * limit. When a system's last subscription ends, nothing is sent: its lease runs out by itself (the relay never
 * shortens a hold, since another replica may hold the same system). A failed report is logged and retried at the
 * next interval; the lease outlasts one lost renewal.
 */
import type { Environment, Logger } from '@lgsp/kit';

export interface PresentSystem {
  agencyCode: string;
  systemId: string;
  /**
   * The subscriber's environment (issue 16): `test` when its principal is of the test environment, so that the relay
   * records it in its test namespace only; absent = production.
   */
  environment?: Environment;
}

/** Sends one report: these systems are held for `heldForMs` from now. */
export type PresenceReport = (systems: PresentSystem[], heldForMs: number) => Promise<void>;

export interface PresenceTracker {
  /** Marks the system as listening until the returned release is called (idempotent). */
  hold(system: PresentSystem): () => void;
  /** Systems held now. */
  held(): PresentSystem[];
  close(): Promise<void>;
}

/**
 * The lease of a report: three intervals, so that one or two renewals lost or late do not drop a listening system.
 * (The relay times the lease from when it reads the report, on its own clock.) It is also how long a system that
 * stopped listening still counts as online.
 */
function presenceLeaseMs(intervalMs: number): number {
  return 3 * intervalMs;
}

export function createPresenceTracker(options: { report: PresenceReport; intervalMs: number; logger: Logger }): PresenceTracker {
  const counts = new Map<string, { system: PresentSystem; count: number }>();
  const leaseMs = presenceLeaseMs(options.intervalMs);
  let reporting: Promise<void> = Promise.resolve();
  // One report after the other: a slow relay does not pile up reports.
  const report = (systems: PresentSystem[], heldForMs: number) => {
    if (systems.length === 0) return;
    reporting = reporting
      .then(() => options.report(systems, heldForMs))
      .catch((error: unknown) =>
        options.logger.warn({ err: error, systems: systems.length, heldForMs }, 'presence not reported; retried at the next interval'),
      );
  };
  const timer = setInterval(
    () =>
      report(
        [...counts.values()].map((e) => e.system),
        leaseMs,
      ),
    options.intervalMs,
  );
  timer.unref();
  return {
    hold(system) {
      // The environment is part of the key: a test and a production system of one id are two listeners.
      const key = `${system.environment ?? 'production'}\u0000${system.agencyCode}\u0000${system.systemId}`;
      const entry = counts.get(key);
      if (entry === undefined) {
        counts.set(key, { system, count: 1 });
        report([system], leaseMs);
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
