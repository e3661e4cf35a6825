/**
 * `npm run --silent grants -- <command>`: list, show, put and revoke the grants (thỏa thuận chia sẻ dữ liệu) of a
 * running deployment, in the Redis its gateway replicas share (REDIS_URL, REDIS_KEY_PREFIX); every change is also
 * recorded in the platform's change log. `--help` prints the usage; the command is `runGrantsCommand` of
 * @lgsp/access (packages/access/src/grants/admin/), with the gateway's configuration and supergraph
 * (gateway/src/authorization/grants-admin/).
 *
 * Next to `npm start` without Redis it finds the registry that holds the grants, as `npm run token` finds the gateway.
 *
 *   REDIS_URL=redis://redis:6379 npm run --silent grants -- list --consumer 000.00.20.H41
 *   REDIS_URL=redis://redis:6379 npm run --silent grants -- put grant.json --by nguyen.van.a >> grant-changes.jsonl
 */
import { runGrantsCommand } from '@lgsp/access';
import { gatewayGrantsCommandDeps } from '../gateway/src/authorization/grants-admin/grants-admin.ts';
import { runningPlatform } from './running-platform.ts';

// Next to `npm start` without Redis (another terminal, without its environment): the registry that holds the grants.
const running = process.env.REDIS_URL === undefined && process.env.REGISTRY_INTERNAL_URL === undefined ? runningPlatform()?.registry : undefined;
const env = running === undefined ? process.env : { ...process.env, REGISTRY_INTERNAL_URL: running.url, REGISTRY_INTERNAL_TOKEN: running.token };

process.exitCode = await runGrantsCommand(
  process.argv.slice(2),
  {
    env,
    // `npm run` starts in the repository root; INIT_CWD is where the operator typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  },
  gatewayGrantsCommandDeps(),
);
