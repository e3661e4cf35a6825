/**
 * The maintenance windows' part of the gateway configuration (config.ts spreads `maintenanceEnv` into its schema).
 * The windows are read from the registry named by `REGISTRY_INTERNAL_URL` and `REGISTRY_INTERNAL_TOKEN` (see
 * deprecation/config.ts); unset, the gateway knows no window.
 *
 * | variable                   | default | meaning |
 * | -------------------------- | ------- | ------- |
 * | `MAINTENANCE_POLL_MS`      | `15000` | how often the windows are read again from the registry's `/internal/v1/maintenance` (with `If-None-Match`); at least 1000 |
 * | `MAINTENANCE_NOTICE_DAYS`  | `7`     | how long before a window starts every GraphQL response carries `extensions.maintenance` (0–90; 0 = only during a window that does not block the operation) |
 */
import { env } from '@lgsp/kit';
import { z } from 'zod';

export const maintenanceEnv = {
  MAINTENANCE_POLL_MS: env
    .positiveInt(15_000)
    .refine((v) => v >= 1_000, 'must be at least 1000')
    .describe('how often the gateway reads the maintenance windows from the registry (ms)'),
  MAINTENANCE_NOTICE_DAYS: env
    .nonNegativeInt(7)
    .refine((v) => v <= 90, 'must be at most 90')
    .describe('days before a maintenance window during which responses carry extensions.maintenance'),
};

type MaintenanceEnv = z.infer<z.ZodObject<typeof maintenanceEnv>>;

export interface MaintenanceConfig {
  pollMs: number;
  /** MAINTENANCE_NOTICE_DAYS in milliseconds. */
  noticeMs: number;
  /** How long one read of the windows may take. */
  timeoutMs: number;
}

export function maintenanceConfigFrom(parsed: MaintenanceEnv): MaintenanceConfig {
  return { pollMs: parsed.MAINTENANCE_POLL_MS, noticeMs: parsed.MAINTENANCE_NOTICE_DAYS * 86_400_000, timeoutMs: 5_000 };
}
