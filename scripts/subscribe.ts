/**
 * `npm run --silent subscribe -- <client-id> '<subscription>' [variables-json]`: follows a subscription through the
 * gateway over graphql-ws with a DEVELOPMENT client's token and prints each event as one JSON line — the quickest
 * way to watch an agency's inbox while trying the exchange with curl. Ctrl+C stops it.
 *
 *   npm run --silent subscribe -- sotuphap-h41-hotich 'subscription { packetAvailable { eventId packet { id title } source { name } } }'
 *
 * It finds the gateway and the identity provider `npm start` runs, on whatever ports (dev-client.ts): GATEWAY_WS_URL
 * or GATEWAY_PORT, and KEYCLOAK_URL or DEV_ISSUER_PORT, else the running `npm start` of this checkout, else the
 * default ports. The token is fetched again for every (re)connection, as an agency system should do.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { developmentClientToken } from '../keycloak/src/dev-clients.ts';
import { developmentClientFromArgs, locateGatewayWs, notAnswering, tokenOrExit } from './dev-client.ts';

const [clientId, query, variablesJson] = process.argv.slice(2);
if (clientId === undefined || query === undefined) {
  console.error("usage: npm run --silent subscribe -- <client-id> '<subscription>' [variables-json]");
  process.exit(2);
}
let variables: Record<string, unknown> = {};
try {
  variables = variablesJson === undefined ? {} : (JSON.parse(variablesJson) as Record<string, unknown>);
} catch (error) {
  console.error(`variables are not JSON: ${(error as Error).message}`);
  process.exit(2);
}
const gateway = locateGatewayWs();
const { issuer, realm } = await developmentClientFromArgs(clientId);
const tokenFor = () => developmentClientToken(issuer.url, clientId, realm);
// The first token before connecting: an identity provider that does not answer is said so, not seen as a closed socket.
let firstToken: string | undefined = await tokenOrExit(tokenFor, issuer);

let connected = false;
const client = createClient({
  url: gateway.url,
  webSocketImpl: WebSocket,
  connectionParams: async () => {
    const token = firstToken ?? (await tokenFor());
    firstToken = undefined;
    return { authorization: `Bearer ${token}` };
  },
  retryAttempts: 0,
  on: {
    connected: () => {
      connected = true;
      console.error(`connected to ${gateway.url} as ${clientId}; waiting for events (Ctrl+C stops)`);
    },
    closed: (event) => {
      const { code, reason } = event as { code: number; reason: string };
      if (connected && code !== 1000) console.error(`connection closed: ${code} ${reason}`);
    },
  },
});

/** Why the subscription failed, for a person: what the gateway said, or that no gateway answered (and what to set). */
function failure(error: unknown): string {
  if (Array.isArray(error)) return `the gateway refused the subscription: ${JSON.stringify(error)}`;
  const { code, reason, message } = error as { code?: number; reason?: string; message?: string };
  if (!connected && (code === 1006 || code === undefined)) {
    return notAnswering(
      'gateway',
      gateway,
      code === 1006 ? 'the connection was refused or dropped: 1006' : (message ?? String(error)),
      'GATEWAY_PORT (or GATEWAY_WS_URL)',
    );
  }
  if (code !== undefined) return `the gateway closed the connection: ${code} ${reason ?? ''}`.trim();
  return `subscription failed: ${message ?? String(error)}`;
}

const stop = client.subscribe(
  { query, variables },
  {
    next: (value) => console.log(JSON.stringify(value)),
    error: (error) => {
      console.error(failure(error));
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
process.on('SIGINT', () => {
  stop();
  void Promise.resolve(client.dispose()).then(() => process.exit(0));
});
