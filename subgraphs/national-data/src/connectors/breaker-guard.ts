/** Wraps connector calls in a circuit breaker and turns an open circuit into UPSTREAM_UNAVAILABLE. */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.ts';

export interface BreakerSettings {
  failureThreshold: number;
  resetTimeoutMs: number;
}

/** Only the upstream's own failures count; NOT_FOUND answers and caller mistakes never open the circuit. */
export function isUpstreamFailure(error: unknown): boolean {
  return error instanceof LgspError && (error.code === ErrorCode.UPSTREAM_UNAVAILABLE || error.code === ErrorCode.UPSTREAM_TIMEOUT);
}

export class GuardedSource {
  readonly breaker: CircuitBreaker;

  constructor(
    readonly source: string,
    settings: BreakerSettings,
    onStateChange?: (state: CircuitState, source: string) => void,
  ) {
    this.breaker = new CircuitBreaker({ name: source, ...settings, isFailure: isUpstreamFailure, ...(onStateChange ? { onStateChange } : {}) });
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.run(call);
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        throw new LgspError(
          ErrorCode.UPSTREAM_UNAVAILABLE,
          `The national platform's ${this.source} service is failing; calls are paused for a moment (circuit open)`,
          { source: this.source },
        );
      }
      throw error;
    }
  }
}
