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

/**
 * DEVELOPMENT-ONLY consumer credentials of the test environment (`/test/…`). The national platform issues separate
 * keys for its test endpoint (WSO2's sandbox keys), so these differ from the production ones: a token of one
 * environment is refused by the other.
 */
export const DEV_TEST_CONSUMER_KEY = 'lgsp-dev-test-consumer-key';
export const DEV_TEST_CONSUMER_SECRET = 'lgsp-dev-test-consumer-secret-NOT-FOR-PRODUCTION';

/**
 * DEVELOPMENT-ONLY settings of the VDXP simulator (the national e-ID, `<simulator>/vdxp`): the development issuer's
 * broker client (also in keycloak/realm-export.json and keycloak/dev-credentials/vdxp-broker.secret), the password
 * of every synthetic citizen, and the key that derives citizens' opaque subjects. Refused when NODE_ENV=production.
 */
export const DEV_VDXP_CLIENT_ID = 'lgsp-keycloak-broker';
export const DEV_VDXP_CLIENT_SECRET = 'dev-only-vdxp-broker-Yq3vN8rT2kLm5WpZ7cXe4HsJ';
export const DEV_VDXP_CITIZEN_PASSWORD = 'VNeID-Dev#2025';
export const DEV_VDXP_SUBJECT_KEY = 'dev-only-vdxp-subject-key-NOT-FOR-PRODUCTION';
/** The development issuer's broker endpoint under `npm start` (Keycloak's /realms/<realm>/broker/<alias>/endpoint). */
export const DEV_VDXP_REDIRECT_URI = 'http://localhost:8080/realms/lgsp/broker/vdxp/endpoint';

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
    /** Seed of the test environment's dataset (served under /test/); its records never repeat a production one. */
    SIMULATOR_TEST_SEED: env.nonNegativeInt(20251001),
    SIMULATOR_TEST_CITIZENS: env.positiveInt(3_000),
    SIMULATOR_TEST_ENTERPRISES: env.positiveInt(400),
    SIMULATOR_TEST_CONSUMER_KEY: z.string().min(8, 'must be at least 8 characters').default(DEV_TEST_CONSUMER_KEY),
    SIMULATOR_TEST_CONSUMER_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_TEST_CONSUMER_SECRET),
    /** Lifetime of issued access tokens (WSO2 default: 3600 s). */
    SIMULATOR_TOKEN_TTL_SECONDS: env.positiveInt(3600),
    /** Added delay before every answer, in ms. */
    SIMULATOR_LATENCY_MS: env.nonNegativeInt(0),
    /** Share of requests answered 503 (0–1). */
    SIMULATOR_FAILURE_RATE: env.ratio(0),
    /** Share of requests never answered (0–1), to exercise client timeouts. */
    SIMULATOR_HANG_RATE: env.ratio(0),
    /** VDXP's issuer identifier (public URL, path /vdxp); default http://localhost:<PORT>/vdxp. */
    VDXP_ISSUER_URL: env
      .url()
      .refine((u) => /^https?:\/\/[^/]+\/vdxp$/.test(u), 'must look like http://localhost:4200/vdxp (path /vdxp, no trailing slash)')
      .optional(),
    /** The broker client registered at VDXP (the LGSP realm's identity provider `vdxp`). */
    VDXP_CLIENT_ID: z.string().min(3, 'must be at least 3 characters').default(DEV_VDXP_CLIENT_ID),
    VDXP_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_VDXP_CLIENT_SECRET),
    /** The broker client's redirect URIs, comma-separated, matched exactly. */
    VDXP_REDIRECT_URIS: z
      .string()
      .default(DEV_VDXP_REDIRECT_URI)
      .transform((v) =>
        v
          .split(',')
          .map((u) => u.trim())
          .filter((u) => u !== ''),
      )
      .refine(
        (uris) => uris.length > 0 && uris.every((u) => URL.canParse(u) && /^https?:/.test(u)),
        'must be one or more absolute http(s) URLs, comma-separated',
      ),
    /** The password of every synthetic citizen at VDXP. */
    VDXP_CITIZEN_PASSWORD: z.string().min(8, 'must be at least 8 characters').default(DEV_VDXP_CITIZEN_PASSWORD),
    /** Key of the HMAC that turns a personal ID into the citizen's opaque, stable `sub`. */
    VDXP_SUBJECT_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_VDXP_SUBJECT_KEY),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && (config.SIMULATOR_CONSUMER_KEY === DEV_CONSUMER_KEY || config.SIMULATOR_CONSUMER_SECRET === DEV_CONSUMER_SECRET)) {
      ctx.addIssue({ code: 'custom', path: ['SIMULATOR_CONSUMER_SECRET'], message: 'the development credentials must not be used with NODE_ENV=production' });
    }
    if (
      config.NODE_ENV === 'production' &&
      (config.SIMULATOR_TEST_CONSUMER_KEY === DEV_TEST_CONSUMER_KEY || config.SIMULATOR_TEST_CONSUMER_SECRET === DEV_TEST_CONSUMER_SECRET)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_TEST_CONSUMER_SECRET'],
        message: 'the development credentials must not be used with NODE_ENV=production',
      });
    }
    for (const [name, development] of [
      ['VDXP_CLIENT_SECRET', DEV_VDXP_CLIENT_SECRET],
      ['VDXP_CITIZEN_PASSWORD', DEV_VDXP_CITIZEN_PASSWORD],
      ['VDXP_SUBJECT_KEY', DEV_VDXP_SUBJECT_KEY],
    ] as const) {
      if (config.NODE_ENV === 'production' && config[name] === development) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'the development value must not be used with NODE_ENV=production' });
      }
    }
    if (config.SIMULATOR_TEST_CONSUMER_KEY === config.SIMULATOR_CONSUMER_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR_TEST_CONSUMER_KEY'],
        message: 'must differ from SIMULATOR_CONSUMER_KEY (each environment has its own keys)',
      });
    }
  });

export type SimulatorConfig = z.infer<typeof configSchema>;
