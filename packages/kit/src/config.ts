/**
 * One validated configuration object per service: the environment is read and checked once, at start-up,
 * and every problem names the variable it comes from.
 */
import { z } from 'zod';
import { redactUrl } from './redact-url.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` with a zod object schema whose keys are the environment variable names.
 * Throws a ConfigError listing every offending variable with what was expected.
 */
export function loadConfig<S extends z.ZodObject>(service: string, schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    // An empty variable means "not set": `FOO= npm start` must not turn into an invalid empty URL.
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const got = input[variable];
    return `${variable}: ${issue.message}${got === undefined ? '' : ` (got "${redactIfSecret(variable, got)}")`}`;
  });
  throw new ConfigError(service, problems);
}

/**
 * What a configuration error may echo of a value: nothing of a secret (a name ending in SECRET, PASSWORD, TOKEN or
 * KEY: RELAY_MASTER_KEY, EVENTS_PUBLISH_TOKEN), and no password inside a URL (`redis://:pw@host` → `redis://:***@host`).
 * Names that only contain such a word (REDIS_KEY_PREFIX, KEYCLOAK_URL, GATEWAY_MAX_TOKENS) are shown: their values
 * are what the operator must see to fix them.
 */
export function redactIfSecret(variable: string, value: string): string {
  if (/(SECRET|PASSWORD|TOKEN|KEY)$/i.test(variable)) return '***';
  return redactUrl(value);
}

/** Reusable field schemas for environment variables. */
export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ message: 'must be a TCP port number' })
      .int('must be an integer')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  host: (fallback = '127.0.0.1') => z.string().min(1).default(fallback),
  url: () => z.url({ message: 'must be an absolute URL such as http://127.0.0.1:4000/path' }),
  redisUrl: () =>
    z.url({ message: 'must be a Redis URL such as redis://127.0.0.1:6379' }).refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://'),
  positiveInt: (fallback: number) => z.coerce.number({ message: 'must be a number' }).int('must be an integer').positive('must be > 0').default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0, 'must be >= 0').default(fallback),
  ratio: (fallback: number) =>
    z.coerce.number({ message: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('development'),
  /** Prefix of every Redis key of a service (`<prefix>relay:…`), shared by the services of one platform. */
  redisKeyPrefix: () =>
    z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+:$/, 'must be letters, digits, _ . - : and end with ":" (e.g. lgsp:)')
      .default('lgsp:'),
  /** A secret given in the environment (signing keys, shared bearer secrets): long enough to resist guessing. */
  secret: () => z.string().min(32, 'must be at least 32 characters'),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
};
