/** The simulator's configuration: environment variables, validated once, with messages naming the variable. */
import { env } from '@lgsp/kit';
import { z } from 'zod';

/**
 * DEVELOPMENT-ONLY consumer credentials. The real national platform issues a consumer key and secret per
 * registered application; these defaults exist so that `npm start` works out of the box and are refused when
 * NODE_ENV=production.
 */
export const DEV_CONSUMER_KEY = 'lgsp-dev-consumer-key';
export const DEV_CONSUMER_SECRET = 'lgsp-dev-consumer-secret-NOT-FOR-PRODUCTION';

export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    PORT: env.port(4200),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    /** Seed of the synthetic data; the same seed gives the same records. */
    SIMULATOR_SEED: env.nonNegativeInt(20250701),
    SIMULATOR_CITIZENS: env.positiveInt(12_000),
    SIMULATOR_ENTERPRISES: env.positiveInt(1_500),
    SIMULATOR_CONSUMER_KEY: z.string().min(8, 'must be at least 8 characters').default(DEV_CONSUMER_KEY),
    SIMULATOR_CONSUMER_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_CONSUMER_SECRET),
    /** Lifetime of issued access tokens (WSO2 default: 3600 s). */
    SIMULATOR_TOKEN_TTL_SECONDS: env.positiveInt(3600),
    /** Added delay before every answer, in ms. */
    SIMULATOR_LATENCY_MS: env.nonNegativeInt(0),
    /** Share of requests answered 503 (0–1). */
    SIMULATOR_FAILURE_RATE: env.ratio(0),
    /** Share of requests never answered (0–1), to exercise client timeouts. */
    SIMULATOR_HANG_RATE: env.ratio(0),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && (config.SIMULATOR_CONSUMER_KEY === DEV_CONSUMER_KEY || config.SIMULATOR_CONSUMER_SECRET === DEV_CONSUMER_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['SIMULATOR_CONSUMER_SECRET'], message: 'the development credentials must not be used with NODE_ENV=production' });
    }
  });

export type SimulatorConfig = z.infer<typeof configSchema>;
