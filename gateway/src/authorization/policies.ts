/**
 * Grants → policy decisions. The grants of each agency are cached (a small list per agency) and dropped at once
 * when the GrantStore reports a change (Redis pub/sub reaches every replica), when notifications may have been
 * missed (reconnect), or after `cacheTtlMs` at the latest. Validity dates are applied at decision time, so a grant
 * expires or starts on the instant even while cached.
 *
 * A policy is granted to a caller when an active grant to its agency (or to every agency) names it, serves its
 * environment (the grant's `environment`, absent = production, is the principal's, from the token's
 * `lgsp_environment`), and the purpose matches: the grant lists the purpose's category (X-LGSP-Purpose
 * `<category>:<reference>`, or the whole value when it has no ":"), or `*`. Personal-data field sets need a declared
 * purpose whatever the grant says.
 *
 * One policy is not decided by grants: `self-access` (self-access.ts) is granted to a citizen (role `citizen` with a
 * verified personal ID) whatever the purpose, and to nobody else (no grant can name it: it is no `<service>.<name>`).
 */
import { environmentOf, ErrorCode, type Logger, type Principal, type RowCondition } from '@lgsp/kit';
import { ANY_PURPOSE, grantEnvironment, isActive, type FieldSet, type Grant, type GrantStore } from '@lgsp/access';
import type { Access, DenialCode } from './rewrite.ts';
import { isSelfAccessCaller, SELF_ACCESS_POLICY } from './self-access.ts';

export type PolicyDecision = { granted: true; rowConditions: RowCondition[] | undefined } | { granted: false; code: DenialCode };

export interface CallerAccess extends Access {
  policy(name: string): PolicyDecision;
  /** Row conditions of the given granted policies (absent = unconditional), for the internal token. */
  rowConditionsFor(policies: Iterable<string>): Record<string, RowCondition[]> | undefined;
}

export interface PolicyDeciderOptions {
  /** Field sets as their providers declare them; a policy not listed is treated as personal data (needs a purpose). */
  fieldSets: FieldSet[];
  /** Longest time an agency's grants stay cached without a change notification. */
  cacheTtlMs: number;
  logger?: Logger;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/** The category of a declared purpose: `public-service:HS-001` → `public-service`. */
export function purposeCategory(purpose: string): string {
  const index = purpose.indexOf(':');
  return (index < 0 ? purpose : purpose.slice(0, index)).trim().toLowerCase();
}

export class PolicyDecider {
  private readonly fieldSets: Map<string, FieldSet>;
  private readonly cache = new Map<string, { grants: Promise<Grant[]>; loadedAt: number }>();
  private generation = 0;
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly store: GrantStore,
    private readonly options: PolicyDeciderOptions,
  ) {
    this.fieldSets = new Map(options.fieldSets.map((f) => [f.policy, f]));
    this.now = options.now ?? Date.now;
  }

  /** Starts listening to grant changes (call once before serving). */
  async start(): Promise<void> {
    this.unsubscribe ??= await this.store.subscribe(() => this.invalidate());
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Drops every cached decision now. */
  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    for (const listener of this.listeners) listener();
  }

  /** Called after each invalidation (tests wait on it instead of on the clock). */
  onInvalidated(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private grantsOf(agency: string): Promise<Grant[]> {
    const now = this.now();
    const hit = this.cache.get(agency);
    if (hit !== undefined && now - hit.loadedAt < this.options.cacheTtlMs) return hit.grants;
    const generation = this.generation;
    const grants = this.store.grantsFor(agency);
    const entry = { grants, loadedAt: now };
    this.cache.set(agency, entry);
    grants.then(
      () => {
        // A change arrived while loading: this answer may predate it, so do not keep it.
        if (this.generation !== generation && this.cache.get(agency) === entry) this.cache.delete(agency);
      },
      () => {
        if (this.cache.get(agency) === entry) this.cache.delete(agency);
      },
    );
    return grants;
  }

  /** What this caller holds: authentication, scopes, and a decision per policy. */
  async accessFor(principal: Principal): Promise<CallerAccess> {
    const authenticated = principal.kind !== 'anonymous';
    const agency = authenticated ? principal.agencyCode : undefined;
    const grants = agency === undefined ? [] : await this.grantsOf(agency);
    const now = this.now();
    // A grant serves only callers of its environment: test credentials read under test grants, never production ones.
    const environment = environmentOf(principal);
    const active = grants.filter((g) => isActive(g, now) && grantEnvironment(g) === environment);
    const purpose = principal.purpose !== undefined && principal.purpose.trim() !== '' ? purposeCategory(principal.purpose) : undefined;
    const decisions = new Map<string, PolicyDecision>();
    const selfAccess = isSelfAccessCaller(principal);
    const decide = (policy: string): PolicyDecision => {
      const cached = decisions.get(policy);
      if (cached !== undefined) return cached;
      const decision =
        policy === SELF_ACCESS_POLICY
          ? selfAccess
            ? { granted: true as const, rowConditions: undefined }
            : { granted: false as const, code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE }
          : decidePolicy(policy, active, purpose, this.fieldSets.get(policy)?.personalData ?? true);
      decisions.set(policy, decision);
      return decision;
    };
    return {
      authenticated,
      scopes: new Set(principal.scopes),
      policy: decide,
      rowConditionsFor(policies) {
        let found: Record<string, RowCondition[]> | undefined;
        for (const policy of policies) {
          const decision = decide(policy);
          if (decision.granted && decision.rowConditions !== undefined) (found ??= {})[policy] = decision.rowConditions;
        }
        return found;
      },
    };
  }
}

function decidePolicy(policy: string, active: Grant[], purpose: string | undefined, personalData: boolean): PolicyDecision {
  const covering = active.filter((g) => g.fieldSets.includes(policy));
  if (covering.length === 0) return { granted: false, code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE };
  let matching: Grant[];
  if (purpose === undefined) {
    if (personalData) return { granted: false, code: ErrorCode.PURPOSE_REQUIRED };
    matching = covering.filter((g) => g.purposes.includes(ANY_PURPOSE));
    if (matching.length === 0) return { granted: false, code: ErrorCode.PURPOSE_REQUIRED };
  } else {
    matching = covering.filter((g) => g.purposes.includes(ANY_PURPOSE) || g.purposes.includes(purpose));
    if (matching.length === 0) return { granted: false, code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE };
  }
  if (matching.some((g) => g.rowCondition === undefined)) return { granted: true, rowConditions: undefined };
  return { granted: true, rowConditions: matching.map((g) => g.rowCondition!) };
}
