import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.ts';

const schema = z.object({ PORT: env.port(4000), REDIS_URL: env.redisUrl().optional(), API_SECRET: z.string().min(8) });

test('valid environment parses with defaults', () => {
  const config = loadConfig('test', schema, { API_SECRET: 'long-enough', REDIS_URL: '' });
  assert.deepEqual(config, { PORT: 4000, REDIS_URL: undefined, API_SECRET: 'long-enough' });
});

test('every invalid variable is named, and secrets are not echoed', () => {
  assert.throws(
    () => loadConfig('test', schema, { PORT: 'eighty', REDIS_URL: 'http://x', API_SECRET: 'short' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT: must be a TCP port number \(got "eighty"\)/);
      assert.match(error.message, /REDIS_URL: must start with redis:\/\//);
      assert.match(error.message, /API_SECRET: .*\(got "\*\*\*"\)/);
      assert.doesNotMatch(error.message, /short/);
      return true;
    },
  );
});

test('secrets are named but never echoed; other values are shown, URLs without their password', () => {
  const secrets = z.object({
    RELAY_MASTER_KEY: z.string().length(64),
    EVENTS_PUBLISH_TOKEN: z.string().min(16),
    DB_PASSWORD: z.string().min(12),
    REDIS_KEY_PREFIX: z.string().regex(/:$/, 'must end with ":"'),
    GATEWAY_MAX_TOKENS: z.coerce.number().min(100),
    REDIS_URL: z
      .string()
      .url()
      .refine((u) => u.startsWith('rediss://'), 'must start with rediss://'),
  });
  assert.throws(
    () =>
      loadConfig('test', secrets, {
        RELAY_MASTER_KEY: 'abc123',
        EVENTS_PUBLISH_TOKEN: 'tok',
        DB_PASSWORD: 'pw',
        REDIS_KEY_PREFIX: 'lgsp',
        GATEWAY_MAX_TOKENS: '5',
        REDIS_URL: 'redis://lgsp:hunter2@redis:6379/0',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['RELAY_MASTER_KEY', 'EVENTS_PUBLISH_TOKEN', 'DB_PASSWORD'])
        assert.match(error.message, new RegExp(`${name}: .*\\(got "\\*\\*\\*"\\)`));
      assert.match(error.message, /REDIS_KEY_PREFIX: must end with ":" \(got "lgsp"\)/);
      assert.match(error.message, /GATEWAY_MAX_TOKENS: .*\(got "5"\)/);
      assert.match(error.message, /REDIS_URL: must start with rediss:\/\/ \(got "redis:\/\/lgsp:\*\*\*@redis:6379\/0"\)/);
      assert.doesNotMatch(error.message, /abc123|hunter2|"tok"|"pw"/);
      return true;
    },
  );
});
