/**
 * The quota part of the gateway's configuration (merged into config.ts's schema and table):
 *
 * | variable          | default | meaning |
 * | ----------------- | ------- | ------- |
 * | `GATEWAY_QUOTAS`  | `on`    | `on`: every operation counts against the quota of the caller agency's grants for each service it touches (429 `RATE_LIMITED` beyond it); `off`: quotas are not checked and no RateLimit headers are sent |
 *
 * With `REDIS_URL` the counts live in Redis (`lgsp:quotas:…`), so every replica counts against the same quota;
 * otherwise each process counts on its own.
 */
import { z } from 'zod';

export const quotasEnv = {
  GATEWAY_QUOTAS: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
};

/** What the quota step needs from the configuration. */
export interface QuotasConfig {
  /** GATEWAY_QUOTAS=on. */
  enabled: boolean;
}

/** The quota configuration from the parsed environment. */
export function quotasConfigFrom(parsed: { GATEWAY_QUOTAS: 'on' | 'off' }): QuotasConfig {
  return { enabled: parsed.GATEWAY_QUOTAS === 'on' };
}
