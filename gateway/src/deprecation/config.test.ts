/** The deprecation variables of the gateway configuration: defaults, and the problems naming their variable. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@lgsp/kit';
import { gatewayConfigFromEnv } from '../config.ts';

const TOKEN = 'x'.repeat(32);

function problems(environment: Record<string, string>): string[] {
  try {
    gatewayConfigFromEnv(environment);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('gateway configuration: deprecation notices', () => {
  it('defaults: no registry (no notices), a 30 s poll, links to the gateway /deprecations page', () => {
    assert.deepEqual(gatewayConfigFromEnv({}).deprecation, {
      registryUrl: undefined,
      registryToken: undefined,
      pollMs: 30_000,
      timeoutMs: 5_000,
      infoUrl: '/deprecations',
    });
  });

  it('reads the registry, its secret, the poll and the link target', () => {
    const config = gatewayConfigFromEnv({
      REGISTRY_INTERNAL_URL: 'http://registry:4105',
      REGISTRY_INTERNAL_TOKEN: TOKEN,
      DEPRECATION_NOTICES_POLL_MS: '5000',
      DEPRECATION_INFO_URL: 'https://lgsp.nghean.gov.vn/thong-bao',
    }).deprecation;
    assert.equal(config.registryUrl, 'http://registry:4105');
    assert.equal(config.registryToken, TOKEN);
    assert.equal(config.pollMs, 5_000);
    assert.equal(config.infoUrl, 'https://lgsp.nghean.gov.vn/thong-bao');
  });

  const invalid: Array<[string, Record<string, string>, RegExp]> = [
    ['a registry without its secret', { REGISTRY_INTERNAL_URL: 'http://registry:4105' }, /^REGISTRY_INTERNAL_TOKEN: required with REGISTRY_INTERNAL_URL/],
    ['a short secret', { REGISTRY_INTERNAL_URL: 'http://registry:4105', REGISTRY_INTERNAL_TOKEN: 'short' }, /^REGISTRY_INTERNAL_TOKEN: must be at least 32/],
    ['a registry URL that is not one', { REGISTRY_INTERNAL_URL: 'registry', REGISTRY_INTERNAL_TOKEN: TOKEN }, /^REGISTRY_INTERNAL_URL: /],
    ['a poll under a second', { DEPRECATION_NOTICES_POLL_MS: '10' }, /^DEPRECATION_NOTICES_POLL_MS: must be at least 1000/],
  ];
  for (const [name, environment, message] of invalid) {
    it(`refuses ${name}, naming the variable`, () => {
      const found = problems(environment);
      assert.ok(
        found.some((p) => message.test(p)),
        found.join('\n'),
      );
      assert.ok(!found.join('\n').includes('short'), 'a secret is never echoed');
    });
  }
});
