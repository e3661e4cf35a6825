/**
 * `npm run restore -- --from <archive> [--force]`: puts an archive of `npm run backup` back, all or nothing: the whole
 * archive is verified first (signature, checksums, platform, audit chain) and refused as INVALID_ARCHIVE with the
 * reason; data under REDIS_KEY_PREFIX is replaced only with --force, and then at once. `--help` prints the usage.
 *
 *   REDIS_URL=redis://redis:6379 BACKUP_KEY_FILE=/run/secrets/backup-key npm run --silent restore -- --from /var/backups/lgsp/lgsp-backup-….tar.gz
 */
import { RESTORE_USAGE, runRestoreCommand } from './backup/commands.ts';

if (process.argv.includes('--help')) {
  console.log(RESTORE_USAGE);
} else {
  process.exitCode = await runRestoreCommand(process.argv.slice(2), {
    env: process.env,
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
