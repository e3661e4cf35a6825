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
