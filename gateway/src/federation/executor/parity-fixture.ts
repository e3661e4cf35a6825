/**
 * Real subgraphs for the executor parity tests, shaped like the federation benchmark (accounts, catalog,
 * reviews, inventory with `@requires`) plus what the benchmark lacks: an interface and a union across entities,
 * lists with null items, subgraph errors at entity paths, entities a subgraph cannot resolve (gateway-side
 * non-null violations), and a `ratings` subgraph that is down (its URL points at a closed port).
 *
 * Each runs on the kit's `startSubgraph` (real HTTP, real internal-token check).
 */
import {
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  ErrorCode,
  LgspError,
  startSubgraph,
  type BaseContext,
  type InternalTokenIssuer,
  type RunningSubgraph,
} from '@lgsp/kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { gatewayConfig, type GatewayConfig } from '../../config.ts';
import { composeSupergraph, supergraphFileWith } from '../../testing/fixtures.ts';

const link = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports.map((i) => `"${i}"`).join(', ')}])`;

const accountsSdl = `${link(['@key', '@shareable'])}
"""Account queries."""
type Query {
  """The signed-in user (always user 1 in the tests)."""
  me: User
  """Users by id, in order; unknown ids are null items."""
  users(ids: [ID!]!): [User]!
}
"""A user account."""
type User @key(fields: "id") {
  """Identifier."""
  id: ID!
  """Display name."""
  name: String!
  """E-mail; fails for user 3 (tests subgraph errors at entity paths)."""
  email: String
  """Nickname; null for user 2 although declared non-null (tests null propagation in the subgraph)."""
  nickname: String!
}
`;

const catalogSdl = `${link(['@key', '@shareable'])}
"""Catalog queries."""
type Query {
  """Products, the first ones when \`first\` is given."""
  products(first: Int): [Product]!
  """One product by UPC."""
  product(upc: ID!): Product
  """Books, films and products matching a text (all of them for an empty text)."""
  search(text: String!): [SearchResult!]!
  """Everything on the media shelf; item 3 is null."""
  media: [Media]!
}
"""A sellable product."""
type Product @key(fields: "upc") {
  """Universal product code."""
  upc: ID!
  """Name."""
  name: String!
  """Price in VND."""
  price: Int!
  """Weight in grams, null when unknown."""
  weight: Int
  """Tags, with null items."""
  tags: [String]!
}
"""Something on the media shelf."""
interface Media {
  """Identifier."""
  id: ID!
  """Title."""
  title: String!
}
"""A book."""
type Book implements Media @key(fields: "id") {
  """Identifier."""
  id: ID!
  """Title."""
  title: String!
  """Number of pages."""
  pages: Int
}
"""A film."""
type Film implements Media @key(fields: "id") {
  """Identifier."""
  id: ID!
  """Title."""
  title: String!
  """Running time in minutes."""
  minutes: Int!
}
"""A search hit."""
union SearchResult = Book | Film | Product
`;

const reviewsSdl = `${link(['@key', '@shareable'])}
"""Review queries."""
type Query {
  """One review."""
  review(id: ID!): Review
  """Every review."""
  reviews: [Review!]!
}
"""A review of a product."""
type Review {
  """Identifier."""
  id: ID!
  """Text."""
  body: String!
  """1–5."""
  rating: Int!
  """Who wrote it (user 99 does not exist in accounts)."""
  author: User!
  """What it reviews (product 99 does not exist in the catalog)."""
  product: Product
}
"""A user, as the reviews subgraph knows them."""
type User @key(fields: "id") {
  """Identifier."""
  id: ID!
  """Reviews written."""
  reviews: [Review!]!
}
"""A product, as the reviews subgraph knows it."""
type Product @key(fields: "upc") {
  """Universal product code."""
  upc: ID!
  """Reviews, with null items where a review was withdrawn."""
  reviews: [Review]!
}
"""A book, as the reviews subgraph knows it."""
type Book @key(fields: "id") {
  """Identifier."""
  id: ID!
  """Number of reviews."""
  reviewCount: Int!
}
`;

const inventorySdl = `${link(['@key', '@external', '@requires'])}
"""Inventory queries."""
type Query {
  """Whether the warehouse is open."""
  warehouseOpen: Boolean!
}
"""A product, as the inventory knows it."""
type Product @key(fields: "upc") {
  """Universal product code."""
  upc: ID!
  """Price (from the catalog)."""
  price: Int! @external
  """Weight (from the catalog)."""
  weight: Int @external
  """In stock."""
  inStock: Boolean!
  """Shipping estimate from price and weight; null when the weight is unknown."""
  shippingEstimate: Int @requires(fields: "price weight")
}
`;

const ratingsSdl = `${link(['@key'])}
"""Rating queries."""
type Query {
  """Highest rated UPC."""
  topRated: ID
}
"""A product, as the ratings service knows it."""
type Product @key(fields: "upc") {
  """Universal product code."""
  upc: ID!
  """Average stars."""
  stars: Float
}
`;

const USERS: Record<string, { id: string; name: string; nickname: string | null }> = {
  '1': { id: '1', name: 'Nguyễn Thị Ada', nickname: 'ada' },
  '2': { id: '2', name: 'Trần Văn Bình', nickname: null },
  '3': { id: '3', name: 'Lê Minh Chi', nickname: 'chi' },
};
const PRODUCTS: Record<string, { upc: string; name: string; price: number; weight: number | null; tags: Array<string | null> }> = {
  '1': { upc: '1', name: 'Bàn', price: 899, weight: 100, tags: ['gỗ', null, 'nội thất'] },
  '2': { upc: '2', name: 'Ghế', price: 499, weight: 40, tags: [] },
  '3': { upc: '3', name: 'Đèn', price: 69, weight: null, tags: [null] },
};
const MEDIA: Array<{ __typename: 'Book' | 'Film'; id: string; title: string; pages?: number | null; minutes?: number } | null> = [
  { __typename: 'Book', id: 'b1', title: 'Truyện Kiều', pages: 300 },
  { __typename: 'Film', id: 'f1', title: 'Mùi đu đủ xanh', minutes: 104 },
  null,
  { __typename: 'Book', id: 'b2', title: 'Số đỏ', pages: null },
];
const REVIEWS: Record<string, { id: string; body: string; rating: number; authorId: string; upc: string }> = {
  r1: { id: 'r1', body: 'Rất tốt', rating: 5, authorId: '1', upc: '1' },
  r2: { id: 'r2', body: 'Tạm được', rating: 3, authorId: '2', upc: '1' },
  r3: { id: 'r3', body: 'Chắc chắn', rating: 4, authorId: '3', upc: '2' },
  r4: { id: 'r4', body: 'Sáng', rating: 4, authorId: '1', upc: '3' },
  r5: { id: 'r5', body: 'Người viết đã xoá tài khoản', rating: 2, authorId: '99', upc: '2' },
  r6: { id: 'r6', body: 'Sản phẩm đã ngừng bán', rating: 1, authorId: '1', upc: '99' },
};
const WITHDRAWN = 'withdrawn';
const PRODUCT_REVIEWS: Record<string, string[]> = { '1': ['r1', 'r2'], '2': ['r3', WITHDRAWN, 'r5'], '3': ['r4'] };

type Resolvers = GraphQLResolverMap<BaseContext>;

const accountsResolvers: Resolvers = {
  Query: { me: () => USERS['1'], users: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => USERS[id] ?? null) },
  User: {
    __resolveReference: (ref: { id: string }) => USERS[ref.id] ?? null,
    email: (user: { id: string }) => {
      if (user.id === '3') throw new LgspError(ErrorCode.NOT_FOUND, `user ${user.id} has no e-mail on file`);
      return `user${user.id}@example.vn`;
    },
  },
};

const catalogResolvers: Resolvers = {
  Query: {
    products: (_: unknown, { first }: { first?: number | null }) => Object.values(PRODUCTS).slice(0, first ?? undefined),
    product: (_: unknown, { upc }: { upc: string }) => PRODUCTS[upc] ?? null,
    search: () => [MEDIA[0], PRODUCTS['2'], MEDIA[1]],
    media: () => MEDIA,
  },
  Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS[ref.upc] ?? null },
  Book: { __resolveReference: (ref: { id: string }) => MEDIA.find((m) => m?.id === ref.id) ?? null },
  Film: { __resolveReference: (ref: { id: string }) => MEDIA.find((m) => m?.id === ref.id) ?? null },
  Media: { __resolveType: (m: { __typename: string }) => m.__typename },
  SearchResult: { __resolveType: (v: { __typename?: string }) => v.__typename ?? 'Product' },
};

const reviewOut = (id: string) => {
  const r = REVIEWS[id];
  return r === undefined ? null : { ...r, author: { id: r.authorId }, product: { upc: r.upc } };
};

const reviewsResolvers: Resolvers = {
  Query: { review: (_: unknown, { id }: { id: string }) => reviewOut(id), reviews: () => Object.keys(REVIEWS).map(reviewOut) },
  User: {
    __resolveReference: (ref: { id: string }) => ref,
    reviews: (user: { id: string }) =>
      Object.values(REVIEWS)
        .filter((r) => r.authorId === user.id)
        .map((r) => reviewOut(r.id)),
  },
  Product: {
    __resolveReference: (ref: { upc: string }) => ref,
    reviews: (product: { upc: string }) => (PRODUCT_REVIEWS[product.upc] ?? []).map((id) => (id === WITHDRAWN ? null : reviewOut(id))),
  },
  Book: { __resolveReference: (ref: { id: string }) => ref, reviewCount: (book: { id: string }) => (book.id === 'b1' ? 2 : 0) },
};

const inventoryResolvers: Resolvers = {
  Query: { warehouseOpen: () => true },
  Product: {
    __resolveReference: (ref: { upc: string; price?: number; weight?: number | null }) => ref,
    inStock: (product: { upc: string }) => product.upc !== '2',
    shippingEstimate: (product: { price: number; weight: number | null }) =>
      product.weight === null ? null : product.price > 500 ? 0 : Math.round(product.weight / 2),
  },
};

async function start(issuer: InternalTokenIssuer, name: string, sdl: string, resolvers: Resolvers): Promise<RunningSubgraph & { name: string; sdl: string }> {
  const running = await startSubgraph<BaseContext>({
    name,
    typeDefs: parse(sdl),
    resolvers,
    host: '127.0.0.1',
    port: 0,
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger(name, 'silent'),
    metrics: createMetricsRegistry(name),
    context: (base) => base,
  });
  return { ...running, name, sdl };
}

/** Starts accounts, catalog, reviews and inventory; `ratings` is composed in but its server is already closed. */
export async function startParityFederation(overrides: Partial<GatewayConfig> = {}) {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const running = await Promise.all([
    start(issuer, 'accounts', accountsSdl, accountsResolvers),
    start(issuer, 'catalog', catalogSdl, catalogResolvers),
    start(issuer, 'reviews', reviewsSdl, reviewsResolvers),
    start(issuer, 'inventory', inventorySdl, inventoryResolvers),
  ]);
  const ratings = await start(issuer, 'ratings', ratingsSdl, { Query: { topRated: () => '1' } });
  await ratings.close();
  const supergraph = await supergraphFileWith(composeSupergraph([...running, ratings]));
  const config = gatewayConfig({ port: 0, host: '127.0.0.1', supergraphFile: supergraph.path, logLevel: 'silent', subgraphTimeoutMs: 2_000, ...overrides });
  return {
    issuer,
    config,
    async cleanup() {
      await Promise.allSettled(running.map((s) => s.close()));
      await supergraph.cleanup();
    },
  };
}
