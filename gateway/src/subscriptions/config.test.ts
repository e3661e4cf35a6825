import { ConfigError } from '@lgsp/kit';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayConfigFromEnv } from '../config.ts';

test('WebSocket limit leases: production defaults, and overrides', () => {
  const defaults = gatewayConfigFromEnv({}).subscriptions;
  assert.equal(defaults.limitLeaseTtlMs, 30_000);
  assert.equal(defaults.limitRefreshMs, 10_000);
  const set = gatewayConfigFromEnv({ GATEWAY_WS_LIMIT_LEASE_TTL_MS: '9000', GATEWAY_WS_LIMIT_REFRESH_MS: '3000' }).subscriptions;
  assert.deepEqual([set.limitLeaseTtlMs, set.limitRefreshMs], [9000, 3000]);
});

test('WebSocket limit leases: refusals name the variable', () => {
  const problemsOf = (environment: Record<string, string>): string[] => {
    try {
      gatewayConfigFromEnv(environment);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
    return assert.fail('expected a ConfigError');
  };
  assert.deepEqual(
    problemsOf({ GATEWAY_WS_LIMIT_LEASE_TTL_MS: '0', GATEWAY_WS_LIMIT_REFRESH_MS: '50' })
      .map((p) => p.split(':')[0])
      .sort(),
    ['GATEWAY_WS_LIMIT_LEASE_TTL_MS', 'GATEWAY_WS_LIMIT_REFRESH_MS'],
  );
  // A lease must outlive one missed refresh.
  assert.deepEqual(problemsOf({ GATEWAY_WS_LIMIT_LEASE_TTL_MS: '15000' }), [
    'GATEWAY_WS_LIMIT_LEASE_TTL_MS: must be at least twice GATEWAY_WS_LIMIT_REFRESH_MS, 20000 (got "15000")',
  ]);
  assert.deepEqual(problemsOf({ GATEWAY_WS_LIMIT_REFRESH_MS: '20000' }), [
    'GATEWAY_WS_LIMIT_LEASE_TTL_MS: must be at least twice GATEWAY_WS_LIMIT_REFRESH_MS, 40000 (got "30000")',
  ]);
});
