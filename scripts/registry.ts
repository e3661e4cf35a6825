/**
 * `npm run --silent registry -- <command>`: the operator's tool for the registry — list, show, approve, reject,
 * request-changes, suspend, resume and cancel access requests through the registry's internal HTTP API
 * (REGISTRY_URL, REGISTRY_INTERNAL_TOKEN), and `deadline <ISO date-time>`, offline. `--help` prints the usage; the
 * logic is in subgraphs/registry/src/cli/.
 *
 * Next to `npm start` it finds the registry that runs, as `npm run token` finds the gateway.
 *
 *   npm run --silent registry -- deadline 2026-02-13T10:00+07:00
 *   REGISTRY_URL=http://registry:4105 REGISTRY_INTERNAL_TOKEN=… npm run --silent registry -- approve ar-42 --by nguyen.van.a
 */
import { runRegistryCommand } from '../subgraphs/registry/src/cli/registry-command.ts';
import { runningPlatform } from './running-platform.ts';

// Next to `npm start` (another terminal, without its environment): the registry it runs, and the secret made for it.
const running = process.env.REGISTRY_URL === undefined ? runningPlatform()?.registry : undefined;
const env = running === undefined ? process.env : { ...process.env, REGISTRY_URL: running.url, REGISTRY_INTERNAL_TOKEN: running.token };

process.exitCode = await runRegistryCommand(process.argv.slice(2), { env, stdout: process.stdout, stderr: process.stderr });
