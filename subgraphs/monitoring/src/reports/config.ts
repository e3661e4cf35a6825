/**
 * The reports module's environment (statistics and reconciliation need none), read and checked once at start. The
 * monitoring's config.ts does not list these (another helper's file): the lead may fold this schema into it.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `REPORT_LINK_SECRET` | (unset) | HMAC secret (≥ 32 chars) signing report download links; unset = a random key of the process (links die with it; refused when NODE_ENV=production) |
 * | `REPORT_LINK_SECRET_PREVIOUS` | (unset) | the secret `REPORT_LINK_SECRET` replaced: its links still download until they expire |
 * | `REPORT_LINK_TTL_SECONDS` | 600 | how long a report link works |
 * | `REPORT_PUBLIC_URL` | http://127.0.0.1:4000 | the public origin links point at: the gateway, which proxies `/reports/` to monitoring |
 */
import { z } from 'zod';
import { env, loadConfig } from '@lgsp/kit';

export const reportsConfigSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    REPORT_LINK_SECRET: env.secret().optional().describe('HMAC secret (≥ 32 chars) signing report download links; unset = a random key of the process'),
    REPORT_LINK_SECRET_PREVIOUS: env.secret().optional().describe('The secret REPORT_LINK_SECRET replaced: its links still download until they expire'),
    REPORT_LINK_TTL_SECONDS: env.positiveInt(600).describe('How long a report download link works, in seconds'),
    REPORT_PUBLIC_URL: env
      .url()
      .default('http://127.0.0.1:4000')
      .transform((u) => u.replace(/\/+$/, ''))
      .describe('The public origin report links point at: the gateway, which proxies /reports/ to monitoring'),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.REPORT_LINK_SECRET === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['REPORT_LINK_SECRET'],
        message: 'required when NODE_ENV=production (links must survive a restart and work on every replica)',
      });
  });

export type ReportsConfig = z.infer<typeof reportsConfigSchema>;

export function loadReportsConfig(environment: Record<string, string | undefined> = process.env): ReportsConfig {
  return loadConfig('monitoring', reportsConfigSchema, environment);
}
