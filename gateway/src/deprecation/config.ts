/**
 * The deprecation notices' part of the gateway configuration (config.ts spreads `deprecationEnv` into its schema):
 *
 * | variable                       | default       | meaning |
 * | ------------------------------ | ------------- | ------- |
 * | `REGISTRY_INTERNAL_URL`        | unset         | the registry's origin (e.g. `http://registry:4105`); the notices are read from its `/internal/v1/notices`. Unset: no notices |
 * | `REGISTRY_INTERNAL_TOKEN`      | unset         | the bearer secret of the registry's internal API (at least 32 characters); required with `REGISTRY_INTERNAL_URL` |
 * | `DEPRECATION_NOTICES_POLL_MS`  | `30000`       | how often the notices are read again (with `If-None-Match`) |
 * | `DEPRECATION_INFO_URL`         | `/deprecations` on the gateway | where `Link: rel="deprecation"` points; `#<notice id>` is appended |
 */
import { env } from '@lgsp/kit';
import { z } from 'zod';
import { DEPRECATIONS_PATH } from './deprecation-step.ts';

export const deprecationEnv = {
  REGISTRY_INTERNAL_URL: env.url().optional(),
  REGISTRY_INTERNAL_TOKEN: env.secret().optional(),
  DEPRECATION_NOTICES_POLL_MS: env.positiveInt(30_000).refine((v) => v >= 1_000, 'must be at least 1000'),
  DEPRECATION_INFO_URL: env.url().optional(),
};

type DeprecationEnv = z.infer<z.ZodObject<typeof deprecationEnv>>;

export interface DeprecationConfig {
  /** REGISTRY_INTERNAL_URL; undefined → no notices. */
  registryUrl: string | undefined;
  /** REGISTRY_INTERNAL_TOKEN. */
  registryToken: string | undefined;
  pollMs: number;
  /** How long one read of the notices may take. */
  timeoutMs: number;
  /** DEPRECATION_INFO_URL, or DEPRECATIONS_PATH (a reference relative to the request, RFC 8288 §3.1). */
  infoUrl: string;
}

/** Problems across variables (each names its variable). */
export function deprecationConfigProblems(parsed: DeprecationEnv): string[] {
  return parsed.REGISTRY_INTERNAL_URL !== undefined && parsed.REGISTRY_INTERNAL_TOKEN === undefined
    ? ['REGISTRY_INTERNAL_TOKEN: required with REGISTRY_INTERNAL_URL (the bearer secret of the registry internal API)']
    : [];
}

export function deprecationConfigFrom(parsed: DeprecationEnv): DeprecationConfig {
  return {
    registryUrl: parsed.REGISTRY_INTERNAL_URL,
    registryToken: parsed.REGISTRY_INTERNAL_TOKEN,
    pollMs: parsed.DEPRECATION_NOTICES_POLL_MS,
    timeoutMs: 5_000,
    infoUrl: parsed.DEPRECATION_INFO_URL ?? DEPRECATIONS_PATH,
  };
}
