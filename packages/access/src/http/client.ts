/**
 * The client side of the access API (`createAccessRouter`, mounted by the registry at `/internal/v1/access`): JSON
 * requests with `Authorization: Bearer <REGISTRY_INTERNAL_TOKEN>`, and the change stream (server-sent events) that
 * the HTTP adapters' `subscribe` listens to.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Where the access API is mounted on the registry. */
export const ACCESS_API_PATH = '/internal/v1/access';

export interface AccessClientOptions {
  /** The registry's origin (REGISTRY_INTERNAL_URL, e.g. http://127.0.0.1:4105); the API is at its `/internal/v1/access`. */
  baseUrl: string;
  /** REGISTRY_INTERNAL_TOKEN. */
  token: string;
  /** Longest one request may take (default 5000 ms). */
  timeoutMs?: number;
  /**
   * A change stream that carried nothing (not even its heartbeat) for this long is taken for dead and opened again
   * (default 45,000 ms; the router sends a heartbeat every 15,000 ms).
   */
  streamIdleMs?: number;
}

/** The server refused the input (HTTP 400): the message is the store's own (e.g. `invalid grant: …`). */
export class AccessInputError extends Error {
  override name = 'AccessInputError';
}

/** The server answered with an unexpected status (not 400): `message` names method, URL, status and the server's message. */
export class AccessHttpError extends Error {
  override name = 'AccessHttpError';
  constructor(
    message: string,
    readonly status: number,
    /** The first error of the answer (platform error shape), if any. */
    readonly error: { message?: string; extensions?: Record<string, unknown> } | undefined,
  ) {
    super(message);
  }
}

export interface AccessAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A small JSON client of the access API. */
export class AccessClient {
  private readonly root: string;
  private readonly timeoutMs: number;
  readonly streamIdleMs: number;

  constructor(private readonly options: AccessClientOptions) {
    this.root = `${options.baseUrl.replace(/\/+$/, '')}${ACCESS_API_PATH}`;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.streamIdleMs = options.streamIdleMs ?? 45_000;
  }

  /** The absolute URL of a path of the API (`/grants`). */
  url(path: string): string {
    return `${this.root}${path}`;
  }

  /**
   * Sends a request and answers status and JSON body when the status is one of `expect`. A 400 throws an
   * AccessInputError with the server's message; any other status, or no answer, throws an Error naming method, URL
   * and status.
   */
  async send(method: string, path: string, options: { body?: unknown; expect: number[] }): Promise<AccessAnswer> {
    const url = this.url(path);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: { message?: unknown } }).cause?.message;
      throw new Error(`${method} ${url} failed: ${(error as Error).message}${typeof cause === 'string' ? ` (${cause})` : ''}`);
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      /* not JSON: the status says what happened */
    }
    if (options.expect.includes(response.status)) return { status: response.status, body };
    const message = firstErrorMessage(body);
    if (response.status === 400 && message !== undefined) throw new AccessInputError(message);
    const first = Array.isArray(body.errors) ? (body.errors[0] as AccessHttpError['error']) : undefined;
    throw new AccessHttpError(`${method} ${url} failed: HTTP ${response.status}${message === undefined ? '' : ` (${message})`}`, response.status, first);
  }

  /**
   * Listens to a change stream (`/grants/changes`, `/revocations/changes`): `listener` is called on every change, and
   * after the stream was lost and opened again (changes may have been missed). Resolves once the stream is open (the
   * server listens to the store from then on); rejects when it cannot be opened. Answers the unsubscribe.
   */
  async listen(path: string, listener: () => void): Promise<() => Promise<void>> {
    const url = this.url(path);
    let stopped = false;
    const stopping = new AbortController();
    let current: AbortController | undefined;
    const open = async (): Promise<Response> => {
      current = new AbortController();
      let response: Response;
      try {
        response = await fetch(url, { headers: { authorization: `Bearer ${this.options.token}`, accept: 'text/event-stream' }, signal: current.signal });
      } catch (error) {
        const cause = (error as Error & { cause?: { message?: unknown } }).cause?.message;
        throw new Error(`GET ${url} failed: ${(error as Error).message}${typeof cause === 'string' ? ` (${cause})` : ''}`);
      }
      if (response.status !== 200 || response.body === null) {
        const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
        const message = firstErrorMessage(body);
        throw new Error(`GET ${url} failed: HTTP ${response.status}${message === undefined ? '' : ` (${message})`}`);
      }
      return response;
    };
    const read = async (response: Response, connection: AbortController): Promise<void> => {
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let idle = setTimeout(() => connection.abort(), this.streamIdleMs);
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          clearTimeout(idle);
          idle = setTimeout(() => connection.abort(), this.streamIdleMs);
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (event.split('\n').includes('event: change')) listener();
          }
        }
      } finally {
        clearTimeout(idle);
      }
    };
    const first = await open();
    const run = async () => {
      let response: Response | undefined = first;
      let backoff = 100;
      while (!stopped) {
        if (response !== undefined) {
          await read(response, current!).catch(() => undefined);
          response = undefined;
          if (stopped) return;
        }
        await sleep(backoff, undefined, { signal: stopping.signal }).catch(() => undefined);
        if (stopped) return;
        try {
          response = await open();
          backoff = 100;
          // Changes may have been made while the stream was down.
          listener();
        } catch {
          backoff = Math.min(backoff * 2, 5_000);
        }
      }
    };
    const running = run();
    return async () => {
      stopped = true;
      stopping.abort();
      current?.abort();
      await running;
    };
  }
}

function firstErrorMessage(body: Record<string, unknown>): string | undefined {
  const errors = body.errors;
  const message = Array.isArray(errors) ? (errors[0] as { message?: unknown } | undefined)?.message : undefined;
  return typeof message === 'string' ? message : undefined;
}
