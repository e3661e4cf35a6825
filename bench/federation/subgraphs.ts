/**
 * The four benchmark subgraphs (accounts, inventory, products, reviews), shaped like the public
 * graphql-gateways-benchmark (github.com/graphql-hive/graphql-gateways-benchmark, `federation/subgraphs/*` and the
 * composed `federation/gateways/hive-gateway/supergraph.graphql`): same types, fields, keys, @requires/@provides,
 * and the same deterministic data. Written here as Federation 2 SDL (`@link`), served by graphql-js.
 *
 * They deliberately do NOT use `@lgsp/kit`'s `startSubgraph` and do not check the gateway's internal token: the
 * same subgraphs are shared by the stock Apollo gateway (which sends no token) and ours (whose token they ignore),
 * so that both gateways are measured against exactly the same upstreams. They are built for speed, so that the
 * gateway under test stays the bottleneck: node:http, documents parsed and validated once per distinct query
 * text, synchronous resolvers, no logging.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

// ---------------------------------------------------------------------------------------------------------------
// Data: copied from the upstream benchmark's Rust subgraphs (USERS, PRODUCTS, INVENTORY, REVIEWS).

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  product: { upc: string };
}

const USERS: User[] = [
  { id: '1', name: 'Uri Goldshtein', username: 'urigo', birthday: 1234567890 },
  { id: '2', name: 'Dotan Simha', username: 'dotansimha', birthday: 1234567890 },
  { id: '3', name: 'Kamil Kisiela', username: 'kamilkisiela', birthday: 1234567890 },
  { id: '4', name: 'Arda Tanrikulu', username: 'ardatan', birthday: 1234567890 },
  { id: '5', name: 'Gil Gardosh', username: 'gilgardosh', birthday: 1234567890 },
  { id: '6', name: 'Laurin Quast', username: 'laurin', birthday: 1234567890 },
];

const PRODUCTS: Product[] = [
  { upc: '1', name: 'Table', price: 899, weight: 100 },
  { upc: '2', name: 'Couch', price: 1299, weight: 1000 },
  { upc: '3', name: 'Glass', price: 15, weight: 20 },
  { upc: '4', name: 'Chair', price: 499, weight: 100 },
  { upc: '5', name: 'TV', price: 1299, weight: 1000 },
  { upc: '6', name: 'Lamp', price: 6999, weight: 300 },
  { upc: '7', name: 'Grill', price: 3999, weight: 2000 },
  { upc: '8', name: 'Fridge', price: 100000, weight: 6000 },
  { upc: '9', name: 'Sofa', price: 9999, weight: 800 },
];

const IN_STOCK: Record<string, boolean> = { '1': true, '2': false, '3': false, '4': false, '5': true, '6': true, '7': true, '8': false, '9': true };

const LOREM_1 =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const LOREM_2 =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';
const LOREM_3 =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';
const LOREM_4 =
  'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem';
const LOREM_5 =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.';

const REVIEWS: Review[] = [
  { id: '1', body: LOREM_1, product: { upc: '1' } },
  { id: '2', body: LOREM_2, product: { upc: '1' } },
  { id: '3', body: LOREM_3, product: { upc: '1' } },
  { id: '4', body: LOREM_4, product: { upc: '1' } },
  { id: '5', body: LOREM_1, product: { upc: '2' } },
  { id: '6', body: LOREM_2, product: { upc: '2' } },
  { id: '7', body: LOREM_3, product: { upc: '2' } },
  { id: '8', body: LOREM_4, product: { upc: '2' } },
  { id: '9', body: LOREM_4, product: { upc: '3' } },
  { id: '10', body: LOREM_4, product: { upc: '4' } },
  { id: '11', body: LOREM_5, product: { upc: '4' } },
];

// ---------------------------------------------------------------------------------------------------------------
// Schemas and resolvers.

interface BenchSubgraph {
  name: 'accounts' | 'inventory' | 'products' | 'reviews';
  typeDefs: string;
  resolvers: GraphQLResolverMap<unknown>;
}

export const BENCH_SUBGRAPHS: BenchSubgraph[] = [
  {
    name: 'accounts',
    typeDefs: `${FEDERATION_LINK}
      "Benchmark root queries of the accounts subgraph."
      type Query {
        "The signed-in user (always user 1 in the benchmark)."
        me: User
        "One user by id."
        user("User id." id: ID!): User
        "All users."
        users: [User]
      }
      "A user account (benchmark data)."
      type User @key(fields: "id") {
        "User id."
        id: ID!
        "Display name."
        name: String
        "Login name (shareable: reviews provides it on review authors)."
        username: String @shareable
        "Birthday as a Unix timestamp."
        birthday: Int
      }`,
    resolvers: {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, args: { id: string }) => USERS.find((u) => u.id === args.id) ?? null,
        users: () => USERS,
      },
      User: {
        __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id) ?? null,
      },
    },
  },
  {
    name: 'inventory',
    typeDefs: `${FEDERATION_LINK}
      "A product, as the inventory subgraph extends it."
      type Product @key(fields: "upc") {
        "Universal product code."
        upc: String!
        "Weight, owned by products."
        weight: Int @external
        "Price, owned by products."
        price: Int @external
        "Whether the product is in stock."
        inStock: Boolean
        "Shipping estimate computed from price and weight."
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number | null; weight?: number | null }) => ({ ...ref, inStock: IN_STOCK[ref.upc] ?? null }),
        // The upstream Rust subgraph ignores the @requires fields and so always answers null; we compute the
        // estimate from them (the original Apollo demo's rule) so that the @requires round trip carries real data.
        shippingEstimate: (product: { price?: number | null; weight?: number | null }) => {
          if (product.price === undefined || product.price === null) return null;
          if (product.price > 1000) return 0;
          return product.weight === undefined || product.weight === null ? null : Math.trunc(product.weight / 2);
        },
      },
    },
  },
  {
    name: 'products',
    typeDefs: `${FEDERATION_LINK}
      "Benchmark root queries of the products subgraph."
      type Query {
        "The first products of the catalogue."
        topProducts("How many products." first: Int = 5): [Product]
      }
      "A product (benchmark data)."
      type Product @key(fields: "upc") {
        "Universal product code."
        upc: String!
        "Product name."
        name: String
        "Price."
        price: Int
        "Weight."
        weight: Int
      }`,
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, args.first ?? 5),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => PRODUCTS.find((p) => p.upc === ref.upc) ?? null,
      },
    },
  },
  {
    name: 'reviews',
    typeDefs: `${FEDERATION_LINK}
      "A product, as the reviews subgraph extends it."
      type Product @key(fields: "upc") {
        "Universal product code."
        upc: String!
        "Reviews of this product."
        reviews: [Review]
      }
      "A product review (benchmark data)."
      type Review @key(fields: "id") {
        "Review id."
        id: ID!
        "Review text."
        body: String
        "The reviewed product."
        product: Product
        "Who wrote it."
        author: User @provides(fields: "username")
      }
      "A user, as the reviews subgraph extends it."
      type User @key(fields: "id") {
        "User id."
        id: ID!
        "Login name, owned by accounts."
        username: String @external
        "Reviews written by this user."
        reviews: [Review]
      }`,
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => REVIEWS.find((r) => r.id === ref.id) ?? null,
        // As upstream: every review's author is user 1, provided with its username.
        author: () => ({ id: '1', username: 'urigo' }),
      },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        // As upstream: every user has the first two reviews.
        reviews: () => REVIEWS.slice(0, 2),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
        reviews: (product: { upc: string }) => REVIEWS.filter((r) => r.product.upc === product.upc),
      },
    },
  },
];

/** The nested users/reviews/products query of graphql-hive/graphql-gateways-benchmark (`k6.js`), copied verbatim. */
export const BENCH_QUERY = `fragment User on User {
      id
      username
      name
    }

    fragment Review on Review {
      id
      body
    }

    fragment Product on Product {
      inStock
      name
      price
      shippingEstimate
      upc
      weight
    }

    query TestQuery {
      users {
        ...User
        reviews {
          ...Review
          product {
            ...Product
            reviews {
              ...Review
              author {
                ...User
                reviews {
                  ...Review
                  product {
                    ...Product
                  }
                }
              }
            }
          }
        }
      }
      topProducts {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }`;

// ---------------------------------------------------------------------------------------------------------------
// Server.

export interface RunningBenchSubgraphs {
  /** name → GraphQL endpoint URL */
  urls: Record<string, string>;
  /** name → requests received since the last reset */
  counters: Record<string, number>;
  resetCounters(): void;
  close(): Promise<void>;
}

/** Serves one schema over HTTP POST at /graphql; each distinct query text is parsed and validated once. */
function graphqlHandler(schema: GraphQLSchema, onRequest: () => void) {
  const documents = new Map<string, { document: DocumentNode } | { errors: readonly unknown[] }>();
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/graphql') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void respond());
    // @apollo/subgraph's `_entities` resolver is asynchronous even over synchronous reference resolvers.
    const respond = async () => {
      onRequest();
      let body: string;
      try {
        const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          query: string;
          variables?: Record<string, unknown>;
          operationName?: string;
        };
        let prepared = documents.get(query);
        if (prepared === undefined) {
          try {
            const document = parse(query);
            const errors = validate(schema, document);
            prepared = errors.length > 0 ? { errors } : { document };
          } catch (error) {
            prepared = { errors: [{ message: (error as Error).message }] };
          }
          if (documents.size < 1000) documents.set(query, prepared);
        }
        if ('errors' in prepared) {
          body = JSON.stringify({ errors: prepared.errors });
        } else {
          const result = await execute({ schema, document: prepared.document, variableValues: variables ?? null, operationName: operationName ?? null });
          body = JSON.stringify(result);
        }
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    };
  };
}

export async function startBenchSubgraphs(host = '127.0.0.1'): Promise<RunningBenchSubgraphs> {
  const counters: Record<string, number> = {};
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  for (const subgraph of BENCH_SUBGRAPHS) {
    const schema = buildSubgraphSchema([{ typeDefs: parse(subgraph.typeDefs), resolvers: subgraph.resolvers }]);
    counters[subgraph.name] = 0;
    const server = createServer(
      graphqlHandler(schema, () => {
        counters[subgraph.name]! += 1;
      }),
    );
    server.keepAliveTimeout = 120_000;
    server.listen(0, host);
    await once(server, 'listening');
    servers.push(server);
    urls[subgraph.name] = `http://${host}:${(server.address() as AddressInfo).port}/graphql`;
  }
  return {
    urls,
    counters,
    resetCounters() {
      for (const name of Object.keys(counters)) counters[name] = 0;
    },
    async close() {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** The subgraphs' SDL with their URLs, ready for `@apollo/composition`. */
export function benchServiceDefinitions(urls: Record<string, string>): { name: string; url: string; typeDefs: DocumentNode }[] {
  return BENCH_SUBGRAPHS.map((s) => ({ name: s.name, url: urls[s.name]!, typeDefs: parse(s.typeDefs) }));
}
