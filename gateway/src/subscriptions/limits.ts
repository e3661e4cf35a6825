/**
 * Per-agency counters for the WebSocket limits (connections, subscriptions), on one gateway process. A slot is
 * taken before the work it guards starts and handed back exactly once (`Lease.release` is idempotent), so a
 * connection or subscription that fails half-way never leaks a slot.
 */
import type { Principal } from '@lgsp/kit';

/** The bucket a principal's connections and subscriptions count in. */
export function agencyOf(principal: Principal): string {
  return principal.agencyCode ?? `(${principal.kind})`;
}

export interface Lease {
  release(): void;
}

export class AgencyCounter {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Takes a slot for the agency, or returns undefined when its limit is reached. */
  acquire(agency: string): Lease | undefined {
    const current = this.counts.get(agency) ?? 0;
    if (current >= this.limit) return undefined;
    this.counts.set(agency, current + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.counts.get(agency) ?? 1) - 1;
        if (left <= 0) this.counts.delete(agency);
        else this.counts.set(agency, left);
      },
    };
  }

  count(agency: string): number {
    return this.counts.get(agency) ?? 0;
  }
}
