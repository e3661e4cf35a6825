/**
 * `npm run --silent subscribe -- <client-id> '<subscription>' [variables-json]`: follows a subscription through the
 * gateway over graphql-ws with a DEVELOPMENT client's token and prints each event as one JSON line — the quickest
 * way to watch an agency's inbox while trying the exchange with curl. Ctrl+C stops it.
 *
 *   npm run --silent subscribe -- sotuphap-h41-hotich 'subscription { packetAvailable { eventId packet { id title } source { name } } }'
 *
 * GATEWAY_WS_URL (default ws://localhost:4000/graphql), KEYCLOAK_URL / DEV_ISSUER_PORT as for `npm run token`.
 * The token is fetched again for every (re)connection, as an agency system should do.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { developmentClientToken } from '../keycloak/src/dev-clients.ts';
import { developmentClientFromArgs } from './dev-client.ts';

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
const url = process.env.GATEWAY_WS_URL ?? 'ws://localhost:4000/graphql';
const { issuer, realm } = await developmentClientFromArgs(clientId);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: async () => ({ authorization: `Bearer ${await developmentClientToken(issuer, clientId, realm)}` }),
  retryAttempts: 0,
  on: {
    connected: () => console.error(`connected to ${url} as ${clientId}; waiting for events (Ctrl+C stops)`),
    closed: (event) => {
      const { code, reason } = event as { code: number; reason: string };
      if (code !== 1000) console.error(`connection closed: ${code} ${reason}`);
    },
  },
});
const stop = client.subscribe(
  { query, variables },
  {
    next: (value) => console.log(JSON.stringify(value)),
    error: (error) => {
      console.error(`subscription failed: ${JSON.stringify(error, Object.getOwnPropertyNames(error as object))}`);
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
process.on('SIGINT', () => {
  stop();
  void Promise.resolve(client.dispose()).then(() => process.exit(0));
});
