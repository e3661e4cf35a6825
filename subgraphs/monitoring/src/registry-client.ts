/**
 * The registry's internal API as the monitoring reads it: `GET /internal/v1/systems` (every information system with
 * its agency, environments and health endpoints), with `If-None-Match` so an unchanged list costs a 304.
 */
export interface HealthEndpointRecord {
  level: 1 | 2;
  url: string;
  intervalSeconds: number;
}

/** The `/internal/v1/systems` item (subgraphs/registry/src/http/systems-route.ts). */
export interface SystemRecord {
  id: string;
  agencyCode: string;
  name: string;
  environments: Array<'production' | 'test'>;
  healthEndpoints: HealthEndpointRecord[];
}

export interface RegistryClient {
  /** Every registered system; the cached list when the registry answers 304. Throws when the registry cannot answer. */
  systems(): Promise<SystemRecord[]>;
}

export function createRegistryClient(options: { baseUrl: string; token: string; timeoutMs?: number }): RegistryClient {
  let etag: string | null = null;
  let cached: SystemRecord[] = [];
  const url = `${options.baseUrl}/internal/v1/systems`;
  return {
    async systems() {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, ...(etag === null ? {} : { 'if-none-match': etag }) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (response.status === 304) return cached;
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
      const body = (await response.json()) as { items?: unknown };
      if (!Array.isArray(body.items)) throw new Error(`GET ${url}: the answer has no "items" list`);
      cached = body.items as SystemRecord[];
      etag = response.headers.get('etag');
      return cached;
    },
  };
}
