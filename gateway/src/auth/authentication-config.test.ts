/** The authentication variables of the gateway configuration: defaults, bounds, and the messages naming them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@lgsp/kit';
import { gatewayConfigFromEnv } from '../config.ts';

function problems(environment: Record<string, string>): string[] {
  try {
    gatewayConfigFromEnv(environment);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('gateway configuration: authentication', () => {
  it('defaults: no realm (anonymous only), strict algorithms, 30 s skew, lgsp-gateway audience', () => {
    assert.deepEqual(gatewayConfigFromEnv({}).authentication, {
      realmUrl: undefined,
      jwksUrl: undefined,
      required: false,
      audience: 'lgsp-gateway',
      algorithms: ['RS256', 'PS256', 'ES256'],
      clockSkewSeconds: 30,
      maxTokenBytes: 8192,
      jwksCacheSeconds: 300,
      jwksRefreshCooldownSeconds: 10,
      jwksTimeoutMs: 5000,
      tokenCacheSize: 10_000,
      revocationPollMs: 2_000,
    });
  });

  it('CREDENTIAL_REVOCATION_POLL_MS: how often revoked credentials are re-read', () => {
    assert.equal(gatewayConfigFromEnv({ CREDENTIAL_REVOCATION_POLL_MS: '500' }).authentication.revocationPollMs, 500);
  });

  it('reads the realm URL (trailing slash dropped) and the AUTH_* variables', () => {
    const auth = gatewayConfigFromEnv({
      KEYCLOAK_URL: 'http://localhost:8080/realms/lgsp/',
      AUTH_REQUIRED: 'true',
      AUTH_ALLOWED_ALGS: 'RS256, ES256,RS256',
      AUTH_CLOCK_SKEW_SECONDS: '0',
      AUTH_AUDIENCE: 'lgsp-gateway-test',
    }).authentication;
    assert.equal(auth.realmUrl, 'http://localhost:8080/realms/lgsp');
    assert.equal(auth.required, true);
    assert.deepEqual(auth.algorithms, ['RS256', 'ES256']);
    assert.equal(auth.clockSkewSeconds, 0);
    assert.equal(auth.audience, 'lgsp-gateway-test');
  });

  it('AUTH_TOKEN_CACHE_SIZE: a count, 0 turning the cache off', () => {
    assert.equal(gatewayConfigFromEnv({ AUTH_TOKEN_CACHE_SIZE: '0' }).authentication.tokenCacheSize, 0);
    assert.equal(gatewayConfigFromEnv({ AUTH_TOKEN_CACHE_SIZE: '250' }).authentication.tokenCacheSize, 250);
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['AUTH_REQUIRED without a realm', { AUTH_REQUIRED: 'true' }, /^AUTH_REQUIRED: true needs KEYCLOAK_URL/],
    ['a URL that is not a realm', { KEYCLOAK_URL: 'http://localhost:8080/' }, /^KEYCLOAK_URL: must be a realm URL/],
    ['a symmetric algorithm', { AUTH_ALLOWED_ALGS: 'RS256,HS256' }, /^AUTH_ALLOWED_ALGS: must be a comma-separated list .*never accepted/],
    ['alg none', { AUTH_ALLOWED_ALGS: 'none' }, /^AUTH_ALLOWED_ALGS: /],
    ['a skew over 300 s', { AUTH_CLOCK_SKEW_SECONDS: '301' }, /^AUTH_CLOCK_SKEW_SECONDS: must be at most 300 seconds/],
    ['a token limit Node cannot receive', { AUTH_MAX_TOKEN_BYTES: '20000' }, /^AUTH_MAX_TOKEN_BYTES: must be between 1024 and 12288/],
    ['a negative token cache size', { AUTH_TOKEN_CACHE_SIZE: '-1' }, /^AUTH_TOKEN_CACHE_SIZE: must be >= 0/],
    ['a token cache size that is not a number', { AUTH_TOKEN_CACHE_SIZE: 'lots' }, /^AUTH_TOKEN_CACHE_SIZE: must be a number/],
    ['a token cache size over a million', { AUTH_TOKEN_CACHE_SIZE: '2000000' }, /^AUTH_TOKEN_CACHE_SIZE: must be at most 1000000/],
    ['a revocation poll that breaks the 5 s bound', { CREDENTIAL_REVOCATION_POLL_MS: '5000' }, /^CREDENTIAL_REVOCATION_POLL_MS: must be between 100 and 4000/],
    ['a revocation poll of 0', { CREDENTIAL_REVOCATION_POLL_MS: '0' }, /^CREDENTIAL_REVOCATION_POLL_MS: /],
  ];
  for (const [name, environment, message] of invalid) {
    it(`refuses ${name}, naming the variable`, () => {
      const found = problems(environment);
      assert.ok(
        found.some((p) => message.test(p)),
        found.join('\n'),
      );
    });
  }
});
