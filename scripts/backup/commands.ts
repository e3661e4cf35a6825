/**
 * `npm run backup` and `npm run restore` as functions of their arguments and environment (the scripts only call
 * these), so tests run them in-process as well as as child processes.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkpointPublicKeys } from './audit.ts';
import { createBackup } from './backup.ts';
import { UsageError, openContext, parseArguments, runCommand, type CommandIo } from './cli.ts';
import { RestoreRefusedError, restoreBackup } from './restore.ts';

export const BACKUP_USAGE = `Usage: npm run backup -- --to <dir | file.tar.gz> [options]

  --to <path>             an existing directory (the archive is named lgsp-backup-<time>.tar.gz there) or a new .tar.gz
  --config <file>         a configuration file to archive (repeat; also BACKUP_CONFIG_FILES); secrets in .env files are
                          replaced by *** unless --include-secrets
  --include-secrets       archive configuration files as they are (store the archive encrypted)
  --audit-export <dir>    the audit trail's export folder (default AUDIT_EXPORT_DIR)
  --without-realm         no realm export (required when KEYCLOAK_ADMIN_URL is not set)
  --no-pause              do not hold Redis writes while dumping (the snapshot is then not one instant)
  --by <name>             who runs it, for the audit record (default: the OS user)

Environment: REDIS_URL, REDIS_KEY_PREFIX, BACKUP_KEY_FILE (required); KEYCLOAK_ADMIN_URL, KEYCLOAK_REALM,
BACKUP_KEYCLOAK_CLIENT_ID, BACKUP_KEYCLOAK_CLIENT_SECRET_FILE; BACKUP_PAUSE_WRITES_MS; AUDIT_EXPORT_DIR, AUDIT_SIGNING_KEY_FILE.
Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.`;

export const RESTORE_USAGE = `Usage: npm run restore -- --from <archive.tar.gz | unpacked dir> [--force] [--extract <dir>] [--by <name>]

  --from <path>     an archive made by npm run backup (or the directory it was unpacked into)
  --force           replace the data under REDIS_KEY_PREFIX (refused without it when there is any)
  --extract <dir>   also put the realm export, configuration and audit export there (a new or empty directory)
  --by <name>       who runs it, for the audit record (default: the OS user)

The whole archive is verified first (signature, checksums, platform, audit chain); nothing is changed unless all of
it holds, and then every key under the prefix is replaced at once. Stop the platform's services before, start them after.
Environment: REDIS_URL, REDIS_KEY_PREFIX, BACKUP_KEY_FILE (required); AUDIT_SIGNING_KEY_FILE (checks checkpoint signatures).
Exit codes: 0 restored, 1 refused or failed (nothing overwritten), 2 bad arguments or configuration.`;

export function runBackupCommand(argv: string[], io: CommandIo & { cwd: string; root: string }): Promise<number> {
  return runCommand(io, BACKUP_USAGE, async () => {
    const args = parseArguments(argv, {
      to: { type: 'string' },
      config: { type: 'string', multiple: true },
      'include-secrets': { type: 'boolean' },
      'audit-export': { type: 'string' },
      'without-realm': { type: 'boolean' },
      'no-pause': { type: 'boolean' },
      by: { type: 'string' },
    });
    if (args.to === undefined) throw new UsageError('--to is required');
    const { config, key, redis } = await openContext('backup', io.env);
    try {
      if (config.KEYCLOAK_ADMIN_URL === undefined && args['without-realm'] !== true) {
        throw new UsageError('KEYCLOAK_ADMIN_URL is not set: set it (and BACKUP_KEYCLOAK_CLIENT_SECRET_FILE) to archive the realm, or pass --without-realm');
      }
      if (config.KEYCLOAK_ADMIN_URL !== undefined && args['without-realm'] !== true && config.BACKUP_KEYCLOAK_CLIENT_SECRET_FILE === undefined) {
        throw new UsageError('BACKUP_KEYCLOAK_CLIENT_SECRET_FILE: required with KEYCLOAK_ADMIN_URL (the lgsp-backup client secret), or pass --without-realm');
      }
      const auditExport = args['audit-export'] ?? config.AUDIT_EXPORT_DIR;
      const result = await createBackup({
        redis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        key,
        to: resolve(io.cwd, args.to),
        realm:
          args['without-realm'] === true || config.KEYCLOAK_ADMIN_URL === undefined
            ? null
            : {
                adminUrl: config.KEYCLOAK_ADMIN_URL,
                realm: config.KEYCLOAK_REALM,
                clientId: config.BACKUP_KEYCLOAK_CLIENT_ID,
                clientSecretFile: config.BACKUP_KEYCLOAK_CLIENT_SECRET_FILE!,
                timeoutMs: config.KEYCLOAK_ADMIN_TIMEOUT_MS,
              },
        configFiles: [...config.BACKUP_CONFIG_FILES, ...(args.config ?? [])].map((f) => resolve(io.cwd, f)),
        includeSecrets: args['include-secrets'] === true,
        auditExportDir: auditExport === undefined ? null : resolve(io.cwd, auditExport),
        auditSigningKeyFile: config.AUDIT_SIGNING_KEY_FILE,
        pauseWritesMs: args['no-pause'] === true || config.BACKUP_PAUSE_WRITES_MS === 0 ? null : config.BACKUP_PAUSE_WRITES_MS,
        root: io.root,
        by: args.by,
      });
      const { manifest } = result;
      io.stderr.write(
        `backup written: ${result.archive} (${result.bytes} bytes, sha256 ${result.sha256}); ${manifest.redis.keys} Redis keys, ` +
          `audit chain up to record ${manifest.audit.head?.seq ?? 'none'}, realm ${manifest.realm.included ? 'included' : 'not included'}, ` +
          `${manifest.configuration.files.length} configuration file(s), ${manifest.parts.filter((p) => p.kind === 'audit-export').length} audit export file(s)\n`,
      );
      return {
        ok: true,
        archive: result.archive,
        bytes: result.bytes,
        sha256: result.sha256,
        platformId: manifest.platform.id,
        createdAt: manifest.createdAt,
        redisKeys: manifest.redis.keys,
        auditHead: manifest.audit.head,
        parts: manifest.parts.map((p) => p.path),
      };
    } finally {
      await redis.quit();
    }
  });
}

export function runRestoreCommand(argv: string[], io: CommandIo & { cwd: string }): Promise<number> {
  return runCommand(io, RESTORE_USAGE, async () => {
    const args = parseArguments(argv, { from: { type: 'string' }, force: { type: 'boolean' }, by: { type: 'string' }, extract: { type: 'string' } });
    if (args.from === undefined) throw new UsageError('--from is required');
    if (!existsSync(resolve(io.cwd, args.from))) throw new UsageError(`--from ${args.from}: no such file or directory`);
    const { config, key, redis } = await openContext('restore', io.env);
    try {
      let checkpointKeys;
      try {
        checkpointKeys = await checkpointPublicKeys(config.AUDIT_SIGNING_KEY_FILE);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const result = await restoreBackup({
        redis,
        keyPrefix: config.REDIS_KEY_PREFIX,
        key,
        from: resolve(io.cwd, args.from),
        force: args.force === true,
        by: args.by,
        checkpointKeys,
        extractTo: args.extract === undefined ? undefined : resolve(io.cwd, args.extract),
      });
      if (!result.chain.ok) {
        // Verified on the staged copy before the commit: only a write between the commit and this check gets here.
        io.stderr.write(`restored, but the audit chain no longer verifies: ${result.chain.problem} (run npm run audit -- verify)\n`);
      }
      io.stderr.write(
        `restored ${result.restoredKeys} keys (replaced ${result.replacedKeys}, ${result.skippedExpiredKeys} expired meanwhile) from the archive of ` +
          `${result.manifest.createdAt}; audit chain ${result.chain.ok ? `verifies (${result.chain.records} records)` : 'BROKEN'}. ` +
          `${result.manifest.realm.included ? 'The realm export is in the archive (realm/realm-export.json): import it into Keycloak if it was lost. ' : ''}` +
          'Start the platform services now.\n',
      );
      return {
        ok: result.chain.ok,
        platformId: result.manifest.platform.id,
        archiveCreatedAt: result.manifest.createdAt,
        restoredKeys: result.restoredKeys,
        replacedKeys: result.replacedKeys,
        skippedExpiredKeys: result.skippedExpiredKeys,
        auditChain: result.chain,
      };
    } finally {
      await redis.quit();
    }
  });
}

export { RestoreRefusedError };
