// Follows your agency's inbox over graphql-ws and prints each event as a JSON line, resuming without loss after
// a reconnection. Node 20 has no global WebSocket: pass the `ws` package as webSocketImpl (it works on any Node).
//
//   npm install graphql-ws ws
//   LGSP_GATEWAY_WS_URL  default ws://localhost:4000/graphql
//   and the LGSP_REALM_URL, LGSP_CLIENT_* of token.mjs
//
//   node docs/examples/subscribe.mjs
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freshAccessToken } from './token.mjs';

const client = createClient({
  url: process.env.LGSP_GATEWAY_WS_URL ?? 'ws://localhost:4000/graphql',
  webSocketImpl: WebSocket,
  // A function: every (re)connection sends a fresh token (a connection closes with 4403 when its token expires).
  connectionParams: async () => ({ authorization: `Bearer ${await freshAccessToken()}` }),
  // Reconnect here rather than inside graphql-ws: its retries would subscribe again with the variables of the first
  // subscribe, and the events sent while disconnected would be missed. follow() subscribes from the last one.
  retryAttempts: 0,
  on: { connected: () => console.error('connected; waiting for events') },
});

let last; // the last eventId processed: keep it in your database, and subscribe from it after a restart
function follow() {
  client.subscribe(
    { query: 'subscription($after: ID) { packetAvailable(after: $after) { eventId packet { id title } source { code name } } }', variables: { after: last } },
    {
      next: ({ data, errors }) => {
        if (errors) return console.error(JSON.stringify(errors));
        console.log(JSON.stringify(data.packetAvailable)); // here: claimPacket, download, acknowledgePacket
        last = data.packetAvailable.eventId;
      },
      error: (error) => {
        console.error('subscription ended:', error instanceof Error ? error.message : JSON.stringify(error));
        setTimeout(follow, 5_000); // from `last`: the events missed meanwhile are replayed first
      },
      complete: () => {},
    },
  );
}
follow();
process.on('SIGINT', () => void Promise.resolve(client.dispose()).then(() => process.exit(0)));
