/**
 * Agency names for reports and for the audit records a citizen reads (`AuditRecord.agencyName`), from the registry's
 * `GET /internal/v1/agencies` (the registry is the source of truth for agencies; catalogs' AGENCIES follows it too),
 * kept for 5 minutes with its ETag. Without the registry, or when it cannot answer, a report names agencies by their
 * code (and says nothing is wrong: the figures do not depend on it) and `agencyName` is null.
 */
import type { Logger } from '@lgsp/kit';

/** The names (tên cơ quan) of the agencies known, by code (the codes asked for are a hint; more may be answered). */
export type AgencyNames = (codes: readonly string[]) => Promise<ReadonlyMap<string, string>>;

const FRESH_MS = 5 * 60_000;

/** Names from a fixed map (tests, the CLI's fallback). */
export function staticAgencyNames(names: Record<string, string> = {}): AgencyNames {
  const map = new Map(Object.entries(names));
  return async () => map;
}

export function registryAgencyNames(options: { baseUrl: string; token: string; logger: Logger; timeoutMs?: number }): AgencyNames {
  let cached = new Map<string, string>();
  let etag: string | null = null;
  let readAt = 0;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/internal/v1/agencies`;
  return async () => {
    if (Date.now() - readAt < FRESH_MS) return cached;
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, ...(etag === null ? {} : { 'if-none-match': etag }) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (response.status !== 304) {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { items?: Array<{ code?: unknown; name?: unknown }> };
        if (!Array.isArray(body.items)) throw new Error('the answer has no "items" list');
        cached = new Map(body.items.filter((a) => typeof a.code === 'string' && typeof a.name === 'string').map((a) => [a.code as string, a.name as string]));
        etag = response.headers.get('etag');
      }
      readAt = Date.now();
    } catch (error) {
      // Not an operator's emergency: the report shows codes instead of names until the registry answers.
      options.logger.warn({ err: (error as Error).message, url }, 'agency names for reports could not be read from the registry; codes are shown');
    }
    return cached;
  };
}
