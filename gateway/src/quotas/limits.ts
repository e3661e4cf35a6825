/**
 * Which quota applies: for each service, the largest `quota` among the caller agency's grants that are in force for
 * that service in the caller's environment. A service with no such quota is not limited (nor is a caller without an
 * agency: anonymous callers and operators are counted only where a grant to their agency sets a quota).
 *
 * "Largest" is the highest rate (requests ÷ perSeconds); between equal rates, the one allowing more requests at once.
 * Several grants may cover one service (one per field set, or one to every agency `*`): the consumer gets the most
 * generous of the rates they were given, never their sum.
 */
import type { Environment } from '@lgsp/kit';
import { isActive, type Grant, type Quota } from '@lgsp/access';

/** A grant as it is after the grant model gains `environment` (absent = production). */
type EnvironmentGrant = Grant & { environment?: Environment | undefined };

/** Whether `a` lets the consumer do more than `b`. */
export function moreGenerous(a: Quota, b: Quota): boolean {
  const rateA = a.requests / a.perSeconds;
  const rateB = b.requests / b.perSeconds;
  return rateA !== rateB ? rateA > rateB : a.requests > b.requests;
}

/** Service → the quota that limits the caller there, from the grants of its agency (validity applied at `now`). */
export function quotasFrom(grants: readonly Grant[], environment: Environment, now: number): Map<string, Quota> {
  const found = new Map<string, Quota>();
  for (const grant of grants as readonly EnvironmentGrant[]) {
    if (grant.quota === undefined || (grant.environment ?? 'production') !== environment || !isActive(grant, now)) continue;
    const current = found.get(grant.service);
    if (current === undefined || moreGenerous(grant.quota, current)) found.set(grant.service, grant.quota);
  }
  return found;
}
