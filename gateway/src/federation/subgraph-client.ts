/**
 * HTTP to subgraphs over one keep-alive connection pool (undici), shared by query execution and readiness
 * probes. Pipelining is off (one request per connection at a time): a slow response must not hold up the ones
 * queued behind it, and the pool opens more connections instead, up to `connections` per subgraph origin.
 */
import { Agent, errors as undiciErrors } from 'undici';

export interface SubgraphClientOptions {
  /** Connections per origin. */
  connections: number;
  /** Idle time after which the gateway closes a pooled connection (subgraphs keep theirs longer). */
  keepAliveMs: number;
  /** Default whole-request timeout. */
  timeoutMs: number;
}

export interface SubgraphHttpResponse {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Why a subgraph HTTP request produced no response. */
export class SubgraphTransportError extends Error {
  override name = 'SubgraphTransportError';
  constructor(
    readonly kind: 'timeout' | 'unreachable',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class SubgraphClient {
  private readonly agent: Agent;

  constructor(private readonly options: SubgraphClientOptions) {
    this.agent = new Agent({
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveMs,
      keepAliveMaxTimeout: options.keepAliveMs,
      connectTimeout: Math.min(options.timeoutMs, 5_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * POSTs a JSON body; resolves with any HTTP response, rejects with a SubgraphTransportError when there is none.
   * `timeoutMs` bounds the wait for the response headers and, separately, each wait for body data (undici's
   * timers, cheaper per request than an AbortSignal; a subgraph answer is one small body).
   */
  async postJson(url: string, body: string, headers: Record<string, string>, timeoutMs = this.options.timeoutMs): Promise<SubgraphHttpResponse> {
    try {
      const response = await this.agent.request({
        origin: originOf(url),
        path: pathOf(url),
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      const contentType = response.headers['content-type'];
      return { status: response.statusCode, contentType: Array.isArray(contentType) ? contentType[0] : contentType, body: text };
    } catch (error) {
      if (
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        error instanceof undiciErrors.ConnectTimeoutError
      ) {
        throw new SubgraphTransportError('timeout', `no answer within ${timeoutMs} ms`, { cause: error });
      }
      throw new SubgraphTransportError('unreachable', (error as Error).message, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

const origins = new Map<string, { origin: string; path: string }>();

function parts(url: string): { origin: string; path: string } {
  let hit = origins.get(url);
  if (hit === undefined) {
    const parsed = new URL(url);
    hit = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (origins.size > 1_000) origins.clear();
    origins.set(url, hit);
  }
  return hit;
}

function originOf(url: string): string {
  return parts(url).origin;
}

function pathOf(url: string): string {
  return parts(url).path;
}
