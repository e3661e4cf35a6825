/**
 * The portal's only way to the platform: GraphQL over HTTP to the gateway (POST, `application/graphql-response+json`),
 * with the signed-in person's access token. No back door: every screen gets what the gateway's grants and roles give.
 * An expired or refused session (401 / UNAUTHENTICATED) raises the `lgsp:session-expired` event the shell listens to.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { portalConfig } from './config.ts';
import { PortalError } from './errors.ts';

export const SESSION_EXPIRED_EVENT = 'lgsp:session-expired';

let tokenProvider: () => string | undefined = () => undefined;

/** The shell sets where the access token comes from. */
export function setAccessTokenProvider(provider: () => string | undefined): void {
  tokenProvider = provider;
}

export interface GraphQLOptions {
  /** Purpose of use (X-LGSP-Purpose), for reads of personal data. */
  purpose?: string;
  signal?: AbortSignal;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; requestId?: string } }>;
}

/**
 * Runs one operation; resolves with `data`, or throws a PortalError with the first error's code (NETWORK when the
 * gateway cannot be reached). Partial data with errors throws too: a screen shows either its data or why not.
 */
export async function graphql<T>(query: string, variables?: Record<string, unknown>, options: GraphQLOptions = {}): Promise<T> {
  const { graphqlPath } = await portalConfig();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  const token = tokenProvider();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (options.purpose !== undefined) headers['x-lgsp-purpose'] = encodeURIComponent(options.purpose);
  let response: Response;
  try {
    response = await fetch(graphqlPath, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: options.signal ?? null });
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw new PortalError('NETWORK', error instanceof Error ? error.message : String(error));
  }
  const requestId = response.headers.get('x-request-id') ?? undefined;
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new PortalError(response.status === 401 ? 'UNAUTHENTICATED' : 'NETWORK', `HTTP ${response.status}`, undefined, requestId);
  }
  const first = body.errors?.[0];
  if (first !== undefined) {
    const code = first.extensions?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL_SERVER_ERROR');
    if (code === 'UNAUTHENTICATED') window.dispatchEvent(new Event(SESSION_EXPIRED_EVENT));
    throw new PortalError(code, first.message, first.path, first.extensions?.requestId ?? requestId);
  }
  if (body.data === undefined || body.data === null)
    throw new PortalError('INTERNAL_SERVER_ERROR', `HTTP ${response.status} without data`, undefined, requestId);
  return body.data;
}

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs a query when the component mounts and when `variables` change (compared as JSON). */
export function useQuery<T>(query: string, variables?: Record<string, unknown>, options: { skip?: boolean; purpose?: string } = {}): QueryState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: options.skip !== true,
  });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables ?? {});
  const latest = useRef(0);
  useEffect(() => {
    if (options.skip === true) return;
    const controller = new AbortController();
    const run = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    graphql<T>(query, JSON.parse(key) as Record<string, unknown>, {
      signal: controller.signal,
      ...(options.purpose !== undefined ? { purpose: options.purpose } : {}),
    }).then(
      (data) => run === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => run === latest.current && !controller.signal.aborted && setState({ data: undefined, error, loading: false }),
    );
    return () => controller.abort();
  }, [query, key, generation, options.skip, options.purpose]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
