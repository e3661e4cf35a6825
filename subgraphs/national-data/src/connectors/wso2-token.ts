/**
 * Access tokens of the national platform's WSO2 API Manager: client-credentials grant with HTTP Basic
 * consumerKey:consumerSecret. A token is cached until shortly before it expires; concurrent callers share one
 * fetch; a 401 on a data call invalidates it (see NationalPlatformClient).
 */
export interface TokenFetcher {
  /** POSTs grant_type=client_credentials and returns the token response. */
  (): Promise<{ access_token: string; expires_in: number }>;
}

export class Wso2TokenProvider {
  private current: { token: string; renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  /** How many tokens were fetched (exposed for metrics and tests). */
  fetched = 0;

  constructor(
    private readonly fetchToken: TokenFetcher,
    private readonly options: { expirySkewSeconds?: number; now?: () => number } = {},
  ) {}

  async token(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.current !== undefined && this.current.renewAt > now) return this.current.token;
    if (this.inFlight === undefined) {
      this.inFlight = this.fetchToken()
        .then((answer) => {
          this.fetched++;
          // Renew before expiry (default 30 s, at most half the lifetime) so a token never expires in flight.
          const skew = Math.min(this.options.expirySkewSeconds ?? 30, answer.expires_in / 2);
          this.current = { token: answer.access_token, renewAt: (this.options.now ?? Date.now)() + (answer.expires_in - skew) * 1000 };
          return answer.access_token;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  /** Forgets `token` if it is the cached one (the platform refused it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }
}
