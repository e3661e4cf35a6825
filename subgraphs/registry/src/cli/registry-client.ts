/**
 * The operator CLI's client of the registry's internal HTTP API (`REGISTRY_URL`, `Authorization: Bearer
 * <REGISTRY_INTERNAL_TOKEN>`): the access requests, one request, and a step taken as the operator. Answers in the
 * platform's error shape become {@link RegistryApiError} with their `extensions.code`.
 */

/** What the CLI reads of an access request; the registry sends more (all of it is printed by `show` and `--json`). */
export interface AccessRequestView {
  id: string;
  state: string;
  [field: string]: unknown;
}

/** A step as the operator: the action (APPROVE, REJECT, …), who (`--by`) and why. */
export interface OperatorAction {
  action: string;
  by: string;
  reason?: string;
}

/** The registry answered with an error (its `extensions.code` and HTTP status), or could not be reached (code null). */
export class RegistryApiError extends Error {
  constructor(
    message: string,
    /** The platform error code (`ILLEGAL_TRANSITION`, `NOT_FOUND`, …), or null when there was no answer in that shape. */
    readonly code: string | null,
    /** The HTTP status, or null when the registry could not be reached. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'RegistryApiError';
  }
}

/** The client: one method per endpoint the CLI uses. */
export interface RegistryClient {
  /** `GET /internal/v1/access-requests[?state=S]`. */
  listAccessRequests(state?: string): Promise<AccessRequestView[]>;
  /** `GET /internal/v1/access-requests/:id`. */
  getAccessRequest(id: string): Promise<AccessRequestView>;
  /** `POST /internal/v1/access-requests/:id/actions`: the request after the step. */
  act(id: string, action: OperatorAction): Promise<AccessRequestView>;
}

/** A client of the registry at `baseUrl` (e.g. `http://registry:4105`) with the internal token. */
export function createRegistryClient(options: { baseUrl: string; token: string; timeoutMs?: number }): RegistryClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${base}/internal/v1${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new RegistryApiError(`the registry at ${base} cannot be reached (${cause}); check REGISTRY_URL`, null, null);
    }
    const text = await response.text();
    let answer: unknown = undefined;
    try {
      answer = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: reported below with the status.
    }
    if (!response.ok) {
      const first = (answer as { errors?: Array<{ message?: string; extensions?: { code?: string } }> } | undefined)?.errors?.[0];
      throw new RegistryApiError(
        `${method} ${url}: HTTP ${response.status}${first?.message ? ` — ${first.message}` : ''}`,
        first?.extensions?.code ?? null,
        response.status,
      );
    }
    if (answer === undefined) throw new RegistryApiError(`${method} ${url}: HTTP ${response.status} without a JSON answer`, null, response.status);
    return answer;
  }
  const request = (value: unknown, what: string): AccessRequestView => {
    const candidate = value as Partial<AccessRequestView> | null;
    if (candidate === null || typeof candidate !== 'object' || typeof candidate.id !== 'string' || typeof candidate.state !== 'string')
      throw new RegistryApiError(`${what}: the registry's answer is not an access request (no id and state)`, null, null);
    return candidate as AccessRequestView;
  };
  return {
    async listAccessRequests(state) {
      const answer = await call('GET', `/access-requests${state === undefined ? '' : `?state=${encodeURIComponent(state)}`}`);
      const items = Array.isArray(answer) ? answer : (answer as { items?: unknown }).items;
      if (!Array.isArray(items)) throw new RegistryApiError('GET /access-requests: the answer has no items', null, null);
      return items.map((item) => request(item, 'GET /access-requests'));
    },
    async getAccessRequest(id) {
      return request(await call('GET', `/access-requests/${encodeURIComponent(id)}`), `GET /access-requests/${id}`);
    },
    async act(id, action) {
      return request(await call('POST', `/access-requests/${encodeURIComponent(id)}/actions`, action), `POST /access-requests/${id}/actions`);
    },
  };
}
