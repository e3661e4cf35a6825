import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@lgsp/kit';
import { loadMonitoringConfig } from './config.ts';

test('defaults: port 4106, history kept 100 days, raw samples 7', () => {
  const config = loadMonitoringConfig({});
  assert.equal(config.PORT, 4106);
  assert.equal(config.HEALTH_HISTORY_DAYS, 100);
  assert.equal(config.HEALTH_RAW_RETENTION_DAYS, 7);
  assert.equal(config.HEALTH_POLL, true);
});

test('each problem names its variable; secrets are not echoed', () => {
  assert.throws(
    () =>
      loadMonitoringConfig({
        REGISTRY_URL: 'http://127.0.0.1:4105',
        HEALTH_HISTORY_DAYS: '30',
        HEALTH_PRESENCE: 'redis',
        MONITORING_INTERNAL_TOKEN: 'short-secret',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      assert.match(text, /REGISTRY_INTERNAL_TOKEN: required with REGISTRY_URL/);
      assert.match(text, /HEALTH_HISTORY_DAYS: must be at least 93/);
      assert.match(text, /HEALTH_PRESENCE: redis needs REDIS_URL/);
      assert.match(text, /MONITORING_INTERNAL_TOKEN/);
      assert.doesNotMatch(text, /short-secret/);
      return true;
    },
  );
});

test('report links: REPORT_LINK_SECRET is required when NODE_ENV=production; the public URL loses its trailing slash', () => {
  assert.throws(
    () => loadMonitoringConfig({ NODE_ENV: 'production' }),
    (error: unknown) => error instanceof ConfigError && error.problems.some((p) => /REPORT_LINK_SECRET: required when NODE_ENV=production/.test(p)),
  );
  const config = loadMonitoringConfig({ REPORT_PUBLIC_URL: 'https://lgsp.example/', REPORT_LINK_SECRET: 'report-links-test-secret-0123456789abcdef' });
  assert.equal(config.REPORT_PUBLIC_URL, 'https://lgsp.example');
  assert.equal(config.REPORT_LINK_TTL_SECONDS, 600);
});
