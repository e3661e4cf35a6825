/**
 * What `npm run token` and `npm run subscribe` share: where the identity provider and the gateway are, and the
 * DEVELOPMENT client named on the command line, checked against the realm (exit 2 with the list when unknown).
 *
 * Where, in this order: the environment (KEYCLOAK_URL or DEV_ISSUER_PORT; GATEWAY_WS_URL or GATEWAY_PORT, the
 * variables `npm start` takes), then the platform `npm start` runs in this checkout (running-platform.ts), then
 * `npm start`'s default ports. Each address says where it came from, so a failure can say what to change.
 */
import { assertionClients } from '../keycloak/src/dev-clients.ts';
import { loadRealmExport } from '../keycloak/src/realm.ts';
import { runningPlatform } from './running-platform.ts';

/** An address and how it was chosen ("DEV_ISSUER_PORT=8081", "the running npm start", "npm start's default port"). */
export interface Located {
  url: string;
  from: string;
}

const DEFAULT_DEV_ISSUER_PORT = 8080;
const DEFAULT_GATEWAY_PORT = 4000;

function portFrom(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    console.error(`${name}=${value}: must be a TCP port number (1-65535), the one \`npm start\` was given`);
    process.exit(2);
  }
  return Number(value);
}

/** The realm URL of the identity provider. */
export function locateIssuer(): Located {
  if (process.env.KEYCLOAK_URL) return { url: process.env.KEYCLOAK_URL.replace(/\/+$/, ''), from: 'KEYCLOAK_URL' };
  const port = portFrom('DEV_ISSUER_PORT');
  if (port !== undefined) return { url: `http://localhost:${port}/realms/lgsp`, from: `DEV_ISSUER_PORT=${port}` };
  const running = runningPlatform();
  if (running !== undefined) return { url: running.issuer, from: `the npm start running as process ${running.pid}` };
  return {
    url: `http://localhost:${DEFAULT_DEV_ISSUER_PORT}/realms/lgsp`,
    from: `npm start's default DEV_ISSUER_PORT (${DEFAULT_DEV_ISSUER_PORT}); no npm start of this checkout is running`,
  };
}

/** The gateway's graphql-ws URL. */
export function locateGatewayWs(): Located {
  if (process.env.GATEWAY_WS_URL) return { url: process.env.GATEWAY_WS_URL, from: 'GATEWAY_WS_URL' };
  const port = portFrom('GATEWAY_PORT');
  if (port !== undefined) return { url: `ws://localhost:${port}/graphql`, from: `GATEWAY_PORT=${port}` };
  const running = runningPlatform();
  if (running !== undefined) return { url: running.gatewayWs, from: `the npm start running as process ${running.pid}` };
  return {
    url: `ws://localhost:${DEFAULT_GATEWAY_PORT}/graphql`,
    from: `npm start's default GATEWAY_PORT (${DEFAULT_GATEWAY_PORT}); no npm start of this checkout is running`,
  };
}

/** What to tell a developer when nothing answers at `where`. */
export function notAnswering(what: string, where: Located, cause: string, settings: string): string {
  return [
    `no ${what} answers at ${where.url} (${cause}) — is \`npm start\` running?`,
    `That address comes from ${where.from}. This command finds an npm start running in this checkout by itself;`,
    `for another one, set ${settings} as that npm start was given.`,
  ].join('\n');
}

/** The cause of a failed fetch in a word or two: ECONNREFUSED, ENOTFOUND, a timeout… */
export function fetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function developmentClientFromArgs(clientId: string): Promise<{ issuer: Located; realm: Awaited<ReturnType<typeof loadRealmExport>> }> {
  const realm = await loadRealmExport();
  if (!assertionClients(realm).some((c) => c.clientId === clientId)) {
    console.error(
      `unknown client ${clientId}; development clients:\n${assertionClients(realm)
        .map((c) => `  ${c.clientId} (${c.kind})`)
        .join('\n')}`,
    );
    process.exit(2);
  }
  return { issuer: locateIssuer(), realm };
}

/**
 * A token for `clientId`, or exit 1 saying why: nothing answers at the issuer (with what to set), or it refused
 * (its answer). `npm run token` and the first connection of `npm run subscribe` go through here.
 */
export async function tokenOrExit(token: () => Promise<string>, issuer: Located): Promise<string> {
  try {
    return await token();
  } catch (error) {
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      console.error(notAnswering('identity provider', issuer, fetchFailure(error), 'DEV_ISSUER_PORT (or KEYCLOAK_URL, a realm URL)'));
    } else {
      console.error(`the identity provider at ${issuer.url} (from ${issuer.from}) refused: ${(error as Error).message}`);
    }
    process.exit(1);
  }
}
