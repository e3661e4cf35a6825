/**
 * `npm run --silent grants -- <command>`: list, show, put and revoke the grants (thỏa thuận chia sẻ dữ liệu) of a
 * running deployment, in the Redis its gateway replicas share (REDIS_URL, REDIS_KEY_PREFIX). `--help` prints the
 * usage; the logic is in gateway/src/authorization/grants/admin/.
 *
 *   REDIS_URL=redis://redis:6379 npm run --silent grants -- list --consumer 000.00.20.H41
 *   REDIS_URL=redis://redis:6379 npm run --silent grants -- put grant.json --by nguyen.van.a >> grant-changes.jsonl
 */
import { runGrantsCommand } from '../gateway/src/authorization/grants/admin/grants-command.ts';

process.exitCode = await runGrantsCommand(process.argv.slice(2), {
  env: process.env,
  // `npm run` starts in the repository root; INIT_CWD is where the operator typed the command.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
