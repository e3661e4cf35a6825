/**
 * A small circuit breaker (closed → open → half-open → closed) for calls to the national platform.
 *
 * Why not opossum: opossum 9 requires Node ≥ 22 and this platform targets Node 20; the state machine needed here
 * is a few dozen lines and is tested directly (see docs/decisions).
 *
 * - closed: calls pass; `failureThreshold` consecutive failures open the circuit.
 * - open: calls fail at once with CircuitOpenError for `resetTimeoutMs`, sparing a platform that is down.
 * - half-open: after that, up to `halfOpenMaxCalls` trial calls pass; one success closes the circuit, one failure
 *   opens it again for another `resetTimeoutMs`.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  name: string;
  failureThreshold: number;
  resetTimeoutMs: number;
  halfOpenMaxCalls?: number;
  /** Which errors count against the upstream (default: all). Caller mistakes should not open the circuit. */
  isFailure?: (error: unknown) => boolean;
  /** Clock, injectable for tests. */
  now?: () => number;
  onStateChange?: (state: CircuitState, name: string) => void;
}

export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
  constructor(
    readonly breaker: string,
    readonly retryAt: number,
  ) {
    super(`circuit "${breaker}" is open`);
  }
}

export class CircuitBreaker {
  private stateValue: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private halfOpenInFlight = 0;
  private readonly now: () => number;
  private readonly halfOpenMaxCalls: number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (options.failureThreshold < 1) throw new Error('failureThreshold must be at least 1');
    this.now = options.now ?? Date.now;
    this.halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1;
  }

  /** The state as a caller arriving now would see it (open turns half-open once the reset timeout has passed). */
  get state(): CircuitState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs) return 'half-open';
    return this.stateValue;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    this.admit();
    try {
      const result = await call();
      this.succeeded();
      return result;
    } catch (error) {
      const isFailure = this.options.isFailure?.(error) ?? true;
      if (isFailure) this.failed();
      else this.succeeded();
      throw error;
    }
  }

  private admit(): void {
    const state = this.state;
    if (state === 'open') throw new CircuitOpenError(this.options.name, this.openedAt + this.options.resetTimeoutMs);
    if (state === 'half-open') {
      if (this.stateValue === 'open') this.transition('half-open');
      if (this.halfOpenInFlight >= this.halfOpenMaxCalls) throw new CircuitOpenError(this.options.name, this.now());
      this.halfOpenInFlight++;
    }
  }

  private succeeded(): void {
    if (this.stateValue === 'half-open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this.transition('closed');
    }
    this.consecutiveFailures = 0;
  }

  private failed(): void {
    if (this.stateValue === 'half-open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this.open();
      return;
    }
    this.consecutiveFailures++;
    if (this.stateValue === 'closed' && this.consecutiveFailures >= this.options.failureThreshold) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.consecutiveFailures = 0;
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    if (state !== 'half-open') this.halfOpenInFlight = 0;
    this.options.onStateChange?.(state, this.options.name);
  }
}
