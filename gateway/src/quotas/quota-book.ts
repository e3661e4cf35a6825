/**
 * The quotas of each agency, read from the GrantStore and cached per agency like the policy decider's grants: dropped
 * at once when the store reports a change (Redis pub/sub reaches every replica) or may have missed one, and after
 * `cacheTtlMs` at the latest. Validity dates are applied per request, so a grant's quota starts and stops on the
 * instant even while cached.
 */
import { environmentOf, type Principal } from '@lgsp/kit';
import type { Grant, Quota } from '@lgsp/access';
import type { GrantStore } from '@lgsp/access';
import { quotasFrom } from './limits.ts';

const NONE: ReadonlyMap<string, Quota> = new Map();

export class QuotaBook {
  private readonly cache = new Map<string, { grants: Promise<Grant[]>; loadedAt: number }>();
  private generation = 0;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly store: GrantStore,
    private readonly options: { cacheTtlMs: number; now?: () => number },
  ) {}

  /** Starts listening to grant changes (once, before serving). */
  async start(): Promise<void> {
    this.unsubscribe ??= await this.store.subscribe(() => {
      this.generation += 1;
      this.cache.clear();
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Service → the quota that limits this caller there; empty for a caller without an agency. */
  async quotasOf(principal: Principal): Promise<ReadonlyMap<string, Quota>> {
    const agency = principal.kind === 'anonymous' ? undefined : principal.agencyCode;
    if (agency === undefined) return NONE;
    const now = (this.options.now ?? Date.now)();
    return quotasFrom(await this.grantsOf(agency, now), environmentOf(principal), now);
  }

  private grantsOf(agency: string, now: number): Promise<Grant[]> {
    const hit = this.cache.get(agency);
    if (hit !== undefined && now - hit.loadedAt < this.options.cacheTtlMs) return hit.grants;
    const generation = this.generation;
    const entry = { grants: this.store.grantsFor(agency), loadedAt: now };
    this.cache.set(agency, entry);
    entry.grants.then(
      () => {
        // A change arrived while loading: this answer may predate it, so do not keep it.
        if (this.generation !== generation && this.cache.get(agency) === entry) this.cache.delete(agency);
      },
      () => {
        if (this.cache.get(agency) === entry) this.cache.delete(agency);
      },
    );
    return entry.grants;
  }
}
