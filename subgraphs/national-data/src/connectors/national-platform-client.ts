/**
 * HTTP client to the national platform (NDXP/NGSP adapter), shared by every connector: one undici Pool with
 * keep-alive to the platform's origin, connect and per-attempt timeouts, the WSO2 access token, retries with full
 * jitter for idempotent calls only, and upstream failures mapped to LgspError codes:
 *   404                          → returned to the connector (it decides what "not found" means)
 *   5xx, refused/reset socket    → UPSTREAM_UNAVAILABLE (retried when the call is idempotent)
 *   no answer within timeoutMs   → UPSTREAM_TIMEOUT (not retried: a slow platform is an overloaded one)
 *   401                          → token refreshed and the call repeated once (the platform did not process it)
 */
import { Pool, errors as undiciErrors } from 'undici';
import { ErrorCode, LgspError, type Environment, type Logger } from '@lgsp/kit';
import { Counter, Histogram, type Registry } from '@lgsp/kit';
import { fullJitterDelay, sleep } from './retry.ts';
import { Wso2TokenProvider } from './wso2-token.ts';

/**
 * The client's instruments, created once per registry and shared by the clients of both environments (a registry
 * refuses a second metric of the same name).
 */
export interface NationalPlatformMetrics {
  requests: Counter<'environment' | 'source' | 'endpoint' | 'outcome'>;
  duration: Histogram<'environment' | 'source' | 'endpoint'>;
}

/** Registers `lgsp_national_platform_requests_total` and `lgsp_national_platform_request_duration_seconds`. */
export function createNationalPlatformMetrics(registry: Registry): NationalPlatformMetrics {
  return {
    requests: new Counter({
      name: 'lgsp_national_platform_requests_total',
      help: 'HTTP requests to the national platform, by environment, source, endpoint and outcome (attempts, including retries)',
      labelNames: ['environment', 'source', 'endpoint', 'outcome'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'lgsp_national_platform_request_duration_seconds',
      help: 'Duration of one HTTP attempt to the national platform',
      labelNames: ['environment', 'source', 'endpoint'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export interface NationalPlatformClientOptions {
  /** Base URL of the platform adapter, e.g. https://api.ngsp.gov.vn or http://127.0.0.1:4200 (a path is kept: …/test). */
  baseUrl: string;
  /** Which of the platform's endpoints this client talks to (production, or the test endpoint); a metric label. */
  environment?: Environment;
  consumerKey: string;
  consumerSecret: string;
  /** Deadline of one attempt (request sent → body read). */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Extra attempts for idempotent calls after a retryable failure. */
  retries: number;
  retryBaseMs: number;
  retryCapMs?: number;
  connections: number;
  logger: Logger;
  metrics?: NationalPlatformMetrics;
  /** Randomness for jitter (tests); timing only. */
  random?: () => number;
}

export interface PlatformCall {
  /** Connector name for logs and metrics ("population", "enterprise-registry"). */
  source: string;
  /** Endpoint name for logs and metrics ("congdan.batch"). */
  endpoint: string;
  method: 'GET' | 'POST';
  /** Path and query, relative to the base URL. */
  path: string;
  body?: unknown;
  /**
   * Whether repeating the call is harmless. GET is; a POST is only when the caller says so (the batch lookups
   * are reads sent as POST because of their body).
   */
  idempotent?: boolean;
}

export interface PlatformAnswer {
  status: number;
  body: unknown;
}

/** An attempt's failure, classified. */
class AttemptFailure extends Error {
  constructor(
    readonly error: LgspError,
    readonly retryable: boolean,
  ) {
    super(error.message);
  }
}

export class NationalPlatformClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly tokens: Wso2TokenProvider;
  private readonly environment: Environment;

  constructor(private readonly options: NationalPlatformClientOptions) {
    const url = new URL(options.baseUrl);
    this.basePath = url.pathname.replace(/\/$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connect: { timeout: options.connectTimeoutMs },
      // Backstops only: undici ticks these with a 1 s resolution; the precise deadline is the AbortSignal below.
      headersTimeout: options.timeoutMs + 1_000,
      bodyTimeout: options.timeoutMs + 1_000,
    });
    this.tokens = new Wso2TokenProvider(() => this.fetchToken());
    this.environment = options.environment ?? 'production';
  }

  /** Number of access tokens fetched so far. */
  get tokensFetched(): number {
    return this.tokens.fetched;
  }

  async call(call: PlatformCall): Promise<PlatformAnswer> {
    const idempotent = call.idempotent ?? call.method === 'GET';
    const maxAttempts = idempotent ? this.options.retries + 1 : 1;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.token();
      try {
        const answer = await this.attempt(call, { authorization: `Bearer ${token}` });
        if (answer.status === 401 && !refreshedToken) {
          // The token expired or was revoked on the platform's side: fetch a new one and repeat once.
          refreshedToken = true;
          this.tokens.invalidate(token);
          attempt--;
          continue;
        }
        if (answer.status === 401) {
          throw new AttemptFailure(
            new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, "The national platform refused this platform's credentials", { source: call.source }),
            false,
          );
        }
        return answer;
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        if (!error.retryable || attempt >= maxAttempts) throw error.error;
        const wait = fullJitterDelay(attempt - 1, { baseMs: this.options.retryBaseMs, capMs: this.options.retryCapMs ?? 2_000, random: this.options.random });
        this.options.logger.debug(
          { environment: this.environment, source: call.source, endpoint: call.endpoint, attempt, wait },
          'retrying national platform call',
        );
        await sleep(wait);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** One HTTP exchange; 2xx, 401 and 4xx answers are returned, everything else becomes an AttemptFailure. */
  private async attempt(call: PlatformCall, headers: Record<string, string>, contentType = 'application/json'): Promise<PlatformAnswer> {
    const labels = { environment: this.environment, source: call.source, endpoint: call.endpoint };
    const endTimer = this.options.metrics?.duration.startTimer(labels);
    const outcome = (name: string) => {
      endTimer?.();
      this.options.metrics?.requests.inc({ ...labels, outcome: name });
    };
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const body = call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
      const response = await this.pool.request({
        method: call.method,
        path: this.basePath + call.path,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }), ...headers },
        body,
        signal,
      });
      const text = await response.body.text();
      if (response.statusCode >= 500) {
        outcome(`http_${response.statusCode}`);
        throw new AttemptFailure(
          new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `The national platform is unavailable (${call.source}: HTTP ${response.statusCode})`, {
            source: call.source,
          }),
          true,
        );
      }
      let parsed: unknown = null;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          outcome('malformed');
          throw new AttemptFailure(
            new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `The national platform sent a malformed answer (${call.source})`, { source: call.source }),
            false,
          );
        }
      }
      outcome(response.statusCode < 300 ? 'ok' : `http_${response.statusCode}`);
      return { status: response.statusCode, body: parsed };
    } catch (error) {
      if (error instanceof AttemptFailure) throw error;
      const failure = classify(error, signal, call.source, this.options.timeoutMs);
      outcome(failure.error.code === ErrorCode.UPSTREAM_TIMEOUT ? 'timeout' : 'unreachable');
      throw failure;
    }
  }

  private async fetchToken(): Promise<{ access_token: string; expires_in: number }> {
    const basic = Buffer.from(`${this.options.consumerKey}:${this.options.consumerSecret}`).toString('base64');
    // POST /token issues a new token each time: not idempotent, so never retried here (the next call tries again).
    let answer: PlatformAnswer;
    try {
      answer = await this.attempt(
        { source: 'token', endpoint: 'token', method: 'POST', path: '/token', body: 'grant_type=client_credentials' },
        { authorization: `Basic ${basic}` },
        'application/x-www-form-urlencoded',
      );
    } catch (error) {
      if (error instanceof AttemptFailure) throw error.error;
      throw error;
    }
    const body = answer.body as { access_token?: unknown; expires_in?: unknown } | null;
    if (answer.status !== 200 || typeof body?.access_token !== 'string' || typeof body.expires_in !== 'number') {
      const variables = this.environment === 'test' ? 'NATIONAL_PLATFORM_TEST_CONSUMER_KEY/SECRET' : 'NATIONAL_PLATFORM_CONSUMER_KEY/SECRET';
      this.options.logger.error({ environment: this.environment, status: answer.status }, `national platform token request refused; check ${variables}`);
      throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, 'Could not obtain an access token from the national platform', { source: 'token' });
    }
    return { access_token: body.access_token, expires_in: body.expires_in };
  }
}

function classify(error: unknown, signal: AbortSignal, source: string, timeoutMs: number): AttemptFailure {
  const timedOut =
    signal.aborted ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    (error as Error | undefined)?.name === 'TimeoutError';
  if (timedOut) {
    return new AttemptFailure(
      new LgspError(ErrorCode.UPSTREAM_TIMEOUT, `The national platform did not answer within ${timeoutMs} ms (${source})`, { source }),
      false,
    );
  }
  // Refused, reset or unreachable connections (and connect timeouts) are worth another try on a fresh socket.
  const code = (error as { code?: string } | undefined)?.code ?? (error as { cause?: { code?: string } } | undefined)?.cause?.code ?? 'unknown';
  return new AttemptFailure(new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `The national platform cannot be reached (${source}: ${code})`, { source }), true);
}
