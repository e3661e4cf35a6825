/**
 * The benchmark's baseline: the stock `@apollo/gateway` + `@apollo/server` with default settings, exactly as the
 * public graphql-gateways-benchmark runs it (`new ApolloGateway({ supergraphSdl })`, `new ApolloServer({ gateway })`,
 * `startStandaloneServer`), minus its `cluster` forking: one process, pinned to one CPU by the harness.
 *
 * Environment: SUPERGRAPH_FILE (required), PORT (default 0 = any free port), HOST (default 127.0.0.1).
 *
 * Two changes from stock, used only by the 100-citizen benchmark (part b), which runs our real subgraphs:
 *  - BENCH_SIGNING_KEY_FILE: when set, every subgraph request carries an internal token signed with this private
 *    JWK (through a `RemoteGraphQLDataSource` whose `willSendRequest` adds the Authorization header), because our
 *    subgraphs answer 401 without one. This is the one change to the request path.
 *  - A supergraph that links the authorization specs `for: SECURITY` is loaded with that `for:` argument removed,
 *    because @apollo/gateway 2.14 refuses such a supergraph (docs: docs/findings.md #1). The federation benchmark's
 *    supergraph has no such link, so part (a) runs on the unchanged file.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createInternalTokenIssuer, ANONYMOUS } from '@lgsp/kit';
import { readFileSync } from 'node:fs';
import { announceReady, closeOnSignal } from './lib/child.ts';

// tsx turns on source-mapped stack traces, which makes every Error more expensive; stock Apollo on plain node runs
// without them, so the baseline does too (our gateway runs under tsx as `npm start` runs it).
process.setSourceMapsEnabled(false);

const supergraphFile = process.env.SUPERGRAPH_FILE;
if (supergraphFile === undefined || supergraphFile === '') throw new Error('SUPERGRAPH_FILE: path of the supergraph SDL file is required');
const port = Number(process.env.PORT ?? '0');
const host = process.env.HOST ?? '127.0.0.1';

const supergraphSdl = readFileSync(supergraphFile, 'utf8').replace(
  /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v[0-9.]+"), for: SECURITY\)/g,
  '$1)',
);

const signingKeyFile = process.env.BENCH_SIGNING_KEY_FILE;
const issuer = signingKeyFile ? await createInternalTokenIssuer({ ttlSeconds: 300, privateJwkFile: signingKeyFile }) : undefined;

const gateway = new ApolloGateway({
  supergraphSdl,
  ...(issuer && {
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        async willSendRequest({ request }) {
          request.http?.headers.set('authorization', `Bearer ${await issuer.tokenFor(ANONYMOUS)}`);
        },
      }),
  }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port, host } });

closeOnSignal(() => server.stop());
announceReady({ url });
