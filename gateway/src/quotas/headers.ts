/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers (draft 10/11, the two-field form): one
 * policy per limited service the operation touched, named after the service.
 *
 * - `RateLimit-Policy: "national-data";q=100;w=60` — the quota: `q` requests per window of `w` seconds;
 * - `RateLimit: "national-data";r=42;t=17` — what is left: `r` requests for the next `t` seconds;
 * - `Retry-After: 17` (RFC 9110 §10.2.3, delay-seconds) on a 429: when every refused quota is whole again.
 *   The draft: Retry-After takes precedence, and should not name an earlier time than the `t` of a refused policy.
 *
 * Several policies are one Structured Fields list (`"a";q=…, "b";q=…`), in the order the services were counted.
 */
import type { Quota } from '@lgsp/access';
import type { QuotaCount } from './counter.ts';

/** One counted quota of one service. */
export interface CountedQuota {
  service: string;
  quota: Quota;
  count: QuotaCount;
}

/** Whole seconds until a window ends, never 0 while it has not (a client must not retry at once). */
export function secondsUntil(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** An sf-string (RFC 9651 §3.3.3): service names are `[a-z0-9-]+`, but escape anyway. */
function sfString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The header fields for these counts; `Retry-After` only when one was refused. */
export function rateLimitHeaders(counted: readonly CountedQuota[]): Record<string, string> {
  if (counted.length === 0) return {};
  const headers: Record<string, string> = {
    'ratelimit-policy': counted.map((c) => `${sfString(c.service)};q=${c.quota.requests};w=${c.quota.perSeconds}`).join(', '),
    ratelimit: counted.map((c) => `${sfString(c.service)};r=${c.count.remaining};t=${secondsUntil(c.count.msBeforeReset)}`).join(', '),
  };
  const refused = counted.filter((c) => !c.count.allowed);
  if (refused.length > 0) headers['retry-after'] = String(Math.max(...refused.map((c) => secondsUntil(c.count.msBeforeReset))));
  return headers;
}
