/**
 * `npm run --silent registry -- <command>`: the operator's tool for the registry — list, show, approve, reject,
 * request-changes, suspend, resume and cancel access requests through the registry's internal HTTP API
 * (REGISTRY_URL, REGISTRY_INTERNAL_TOKEN), and `deadline <ISO date-time>`, offline. `--help` prints the usage; the
 * logic is in subgraphs/registry/src/cli/.
 *
 *   npm run --silent registry -- deadline 2026-02-13T10:00+07:00
 *   REGISTRY_URL=http://registry:4105 REGISTRY_INTERNAL_TOKEN=… npm run --silent registry -- approve ar-42 --by nguyen.van.a
 */
import { runRegistryCommand } from '../subgraphs/registry/src/cli/registry-command.ts';

process.exitCode = await runRegistryCommand(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
