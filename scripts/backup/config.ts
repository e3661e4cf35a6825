/**
 * The environment of `npm run backup` and `npm run restore`, read once and checked (loadConfig names each variable).
 *
 * | variable | default | what |
 * | --- | --- | --- |
 * | `REDIS_URL` | (required) | the platform's Redis |
 * | `REDIS_KEY_PREFIX` | `lgsp:` | the platform's key prefix: every key under it is archived / replaced |
 * | `BACKUP_KEY_FILE` | (required) | a file holding ≥ 32 random bytes (hex or raw): signs archives (HMAC-SHA256) and recognises this platform's |
 * | `BACKUP_PAUSE_WRITES_MS` | `10000` | how long Redis may hold writes (CLIENT PAUSE WRITE) while the keys are dumped; `0` = no pause |
 * | `BACKUP_CONFIG_FILES` | (none) | comma-separated configuration files to archive (with `--config`) |
 * | `AUDIT_EXPORT_DIR` | (none) | the audit trail's export folder (`npm run audit -- export`): archived when set (or `--audit-export`) |
 * | `AUDIT_SIGNING_KEY_FILE` | (none) | the platform's audit signing key (Ed25519 JWK): its public part checks the checkpoints' signatures |
 * | `KEYCLOAK_ADMIN_URL` | (none) | Keycloak's origin, for the realm export; unset: `--without-realm` is required |
 * | `KEYCLOAK_REALM` | `lgsp` | the realm to export |
 * | `BACKUP_KEYCLOAK_CLIENT_ID` | `lgsp-backup` | confidential client with realm-management view-realm, view-clients, view-users |
 * | `BACKUP_KEYCLOAK_CLIENT_SECRET_FILE` | (required with KEYCLOAK_ADMIN_URL) | a file holding that client's secret |
 * | `KEYCLOAK_ADMIN_TIMEOUT_MS` | `10000` | per Admin REST API call |
 */
import { z } from 'zod';
import { env } from '@lgsp/kit';

export const backupConfigSchema = z.object({
  REDIS_URL: env.redisUrl().describe("the platform's Redis"),
  REDIS_KEY_PREFIX: env.redisKeyPrefix().describe('prefix of every key of the platform: all of them are archived, or replaced by a restore'),
  BACKUP_KEY_FILE: z
    .string()
    .min(1, 'must name a file holding at least 32 random bytes')
    .describe("signs archives and recognises this platform's (HMAC-SHA256)"),
  BACKUP_PAUSE_WRITES_MS: env.nonNegativeInt(10_000).describe('writes held (CLIENT PAUSE WRITE) at most this long while the keys are dumped; 0: no pause'),
  BACKUP_CONFIG_FILES: z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? []
        : v
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
    )
    .describe('comma-separated configuration files to archive'),
  AUDIT_EXPORT_DIR: z.string().min(1).optional().describe("the audit trail's export folder (daily JSON-lines files and their manifest): archived when set"),
  AUDIT_SIGNING_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("the audit signing key (Ed25519 JWK): its public part checks the chain's checkpoint signatures"),
  KEYCLOAK_ADMIN_URL: env
    .url()
    .refine((u) => new URL(u).pathname.replace(/\/+$/, '') === '', 'must be an origin such as http://keycloak:8080 (no path)')
    .optional()
    .describe("Keycloak's origin, for the realm's partial export"),
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be a realm name such as lgsp')
    .default('lgsp'),
  BACKUP_KEYCLOAK_CLIENT_ID: z.string().min(1).default('lgsp-backup').describe('client with realm-management view-realm, view-clients, view-users'),
  BACKUP_KEYCLOAK_CLIENT_SECRET_FILE: z.string().min(1).optional().describe("a file holding that client's secret"),
  KEYCLOAK_ADMIN_TIMEOUT_MS: env.positiveInt(10_000),
});

export type BackupConfig = z.infer<typeof backupConfigSchema>;
