/**
 * `npm run backup -- --to <dir | file.tar.gz>`: one archive of the platform — every Redis key under REDIS_KEY_PREFIX
 * (DUMP and expiry, streams with their consumer groups), the realm's partial export from Keycloak, the configuration
 * files named (secrets redacted unless --include-secrets), the audit trail's exported files — with a manifest signed
 * under BACKUP_KEY_FILE. `--help` prints the usage; the library is scripts/backup/ (NOTES-backup.md: the runbook).
 *
 *   REDIS_URL=redis://redis:6379 BACKUP_KEY_FILE=/run/secrets/backup-key KEYCLOAK_ADMIN_URL=http://keycloak:8080 \
 *   BACKUP_KEYCLOAK_CLIENT_SECRET_FILE=/run/secrets/lgsp-backup npm run --silent backup -- --to /var/backups/lgsp --config deploy/.env
 */
import { BACKUP_USAGE, runBackupCommand } from './backup/commands.ts';
import { repoRoot } from './platform.ts';

if (process.argv.includes('--help')) {
  console.log(BACKUP_USAGE);
} else {
  process.exitCode = await runBackupCommand(process.argv.slice(2), {
    env: process.env,
    // `npm run` starts in the repository root; INIT_CWD is where the operator typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    root: repoRoot,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
