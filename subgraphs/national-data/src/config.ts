/** The national-data subgraph's configuration: environment variables, validated once, errors naming the variable. */
import { env } from '@lgsp/kit';
import { auditConfigSchema } from '@lgsp/audit';
import { z } from 'zod';

/**
 * DEVELOPMENT-ONLY consumer credentials: they match the national-platform simulator's defaults so that
 * `npm start` works out of the box. Refused when NODE_ENV=production.
 */
export const DEV_CONSUMER_KEY = 'lgsp-dev-consumer-key';
export const DEV_CONSUMER_SECRET = 'lgsp-dev-consumer-secret-NOT-FOR-PRODUCTION';

/** DEVELOPMENT-ONLY consumer credentials of the platform's test endpoint (the simulator's `/test` defaults). */
export const DEV_TEST_CONSUMER_KEY = 'lgsp-dev-test-consumer-key';
export const DEV_TEST_CONSUMER_SECRET = 'lgsp-dev-test-consumer-secret-NOT-FOR-PRODUCTION';

/** Agency codes (QCVN 102:2016). */
const AGENCY_CODE = /^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$/;

export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    PORT: env.port(4102),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
    /** Base URL of the national platform adapter (the simulator locally). */
    NATIONAL_PLATFORM_URL: env.url().default('http://127.0.0.1:4200'),
    NATIONAL_PLATFORM_CONSUMER_KEY: z.string().min(1).default(DEV_CONSUMER_KEY),
    NATIONAL_PLATFORM_CONSUMER_SECRET: z.string().min(1).default(DEV_CONSUMER_SECRET),
    /**
     * Base URL of the national platform's test endpoint (WSO2's sandbox; the simulator's `/test` locally). Callers
     * whose credential is a test one (principal `environment: 'test'`) are served from here only, never from
     * NATIONAL_PLATFORM_URL, and production callers never from here.
     */
    NATIONAL_PLATFORM_TEST_URL: env.url().default('http://127.0.0.1:4200/test'),
    NATIONAL_PLATFORM_TEST_CONSUMER_KEY: z.string().min(1).default(DEV_TEST_CONSUMER_KEY),
    NATIONAL_PLATFORM_TEST_CONSUMER_SECRET: z.string().min(1).default(DEV_TEST_CONSUMER_SECRET),
    /** Deadline of one attempt, in ms. */
    NATIONAL_PLATFORM_TIMEOUT_MS: env.positiveInt(3_000),
    NATIONAL_PLATFORM_CONNECT_TIMEOUT_MS: env.positiveInt(1_000),
    /** Extra attempts for idempotent calls (0 = no retries). */
    NATIONAL_PLATFORM_RETRIES: env.nonNegativeInt(2),
    /** Base of the full-jitter backoff, in ms. */
    NATIONAL_PLATFORM_RETRY_BASE_MS: env.positiveInt(100),
    /** Keep-alive connections to the platform. */
    NATIONAL_PLATFORM_CONNECTIONS: env.positiveInt(32),
    /** Consecutive failed calls that open a source's circuit. */
    NATIONAL_PLATFORM_BREAKER_FAILURES: env.positiveInt(5),
    /** How long an open circuit refuses calls before a trial call, in ms. */
    NATIONAL_PLATFORM_BREAKER_RESET_MS: env.positiveInt(10_000),
    /** `on`: one `served` audit record per request answered (audit/served-records.ts); `off`: none. */
    NATIONAL_DATA_AUDIT: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
    /** With it, audit records go to the Redis stream every process appends to (`<REDIS_KEY_PREFIX>audit:…`). */
    REDIS_URL: env.redisUrl().optional(),
    REDIS_KEY_PREFIX: env.redisKeyPrefix(),
    // AUDIT_SUBJECT_KEY_FILE (required in production), MONITORING_URL, MONITORING_INTERNAL_TOKEN, AUDIT_WRITER_*.
    ...auditConfigSchema.shape,
    /** The provider agency of the population data (its `served` records' counterpart); default the development seed's. */
    NATIONAL_DATA_CITIZEN_PROVIDER: z.string().regex(AGENCY_CODE, 'must be an agency code AAA.BB.CC.XNN').default('000.00.02.H41'),
    /** The provider agency of the business register's data; default the development seed's. */
    NATIONAL_DATA_ENTERPRISE_PROVIDER: z.string().regex(AGENCY_CODE, 'must be an agency code AAA.BB.CC.XNN').default('000.00.03.H41'),
  })
  .superRefine((config, ctx) => {
    if (sameEndpoint(config.NATIONAL_PLATFORM_TEST_URL, config.NATIONAL_PLATFORM_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['NATIONAL_PLATFORM_TEST_URL'],
        message: 'must differ from NATIONAL_PLATFORM_URL: test callers must never reach production data',
      });
    }
    if (config.NODE_ENV !== 'production') return;
    if (config.NATIONAL_PLATFORM_CONSUMER_KEY === DEV_CONSUMER_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['NATIONAL_PLATFORM_CONSUMER_KEY'],
        message: 'set the consumer key the national platform issued (the development default is refused in production)',
      });
    }
    if (config.NATIONAL_PLATFORM_CONSUMER_SECRET === DEV_CONSUMER_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['NATIONAL_PLATFORM_CONSUMER_SECRET'],
        message: 'set the consumer secret the national platform issued (the development default is refused in production)',
      });
    }
    if (config.NATIONAL_PLATFORM_TEST_CONSUMER_KEY === DEV_TEST_CONSUMER_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['NATIONAL_PLATFORM_TEST_CONSUMER_KEY'],
        message: "set the consumer key of the national platform's test endpoint (the development default is refused in production)",
      });
    }
    if (config.NATIONAL_PLATFORM_TEST_CONSUMER_SECRET === DEV_TEST_CONSUMER_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['NATIONAL_PLATFORM_TEST_CONSUMER_SECRET'],
        message: "set the consumer secret of the national platform's test endpoint (the development default is refused in production)",
      });
    }
  });

/** Two base URLs naming the same endpoint (trailing slashes and letter case of the host aside). */
function sameEndpoint(a: string, b: string): boolean {
  const normal = (u: string) => {
    if (!URL.canParse(u)) return u;
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  };
  return normal(a) === normal(b);
}

export type NationalDataConfig = z.infer<typeof configSchema>;
