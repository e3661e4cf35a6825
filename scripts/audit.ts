/**
 * `npm run --silent audit -- <command>`: verify the audit chain, export it to the archive (and apply retention), check
 * an archive, sign the head, make a signing key. `--help` prints the usage; the command is `runAuditCommand` of
 * @lgsp/audit (packages/audit/src/cli/).
 *
 * It reads the log the platform writes: REDIS_URL (+ REDIS_KEY_PREFIX) in deployment; next to `npm start` without
 * Redis, the monitoring process that holds the log (as `npm run grants` finds the registry).
 *
 *   REDIS_URL=redis://redis:6379 npm run --silent audit -- verify
 *   npm run --silent audit -- verify --from 120000
 *   REDIS_URL=redis://redis:6379 AUDIT_RETENTION_DAYS=365 npm run --silent audit -- export --to /srv/lgsp/audit-archive
 *   npm run --silent audit -- verify-export /srv/lgsp/audit-archive --public-key audit-signing.pub.jwk
 */
import { runAuditCommand } from '@lgsp/audit';
import { runningPlatform } from './running-platform.ts';

/** The monitoring process of `npm start`, when its record names one (`monitoring: { url, token }`). */
const runningMonitoring = () => {
  const monitoring = (runningPlatform() as { monitoring?: { url?: unknown; token?: unknown } } | undefined)?.monitoring;
  return typeof monitoring?.url === 'string' && typeof monitoring.token === 'string' ? { url: monitoring.url, token: monitoring.token } : undefined;
};

process.exitCode = await runAuditCommand(
  process.argv.slice(2),
  {
    env: process.env,
    // `npm run` starts in the repository root; INIT_CWD is where the operator typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
  },
  { runningMonitoring },
);
