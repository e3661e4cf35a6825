/**
 * The subgraphs composed into the supergraph: name (as the gateway knows it, also in SUBGRAPH_<NAME>_URL),
 * the default routing URL written into the supergraph, and the SDL file that is the subgraph's contract.
 */
export interface SubgraphSource {
  name: string;
  url: string;
  /** Path of the SDL file, relative to the repository root. */
  schemaFile: string;
}

export const subgraphs: SubgraphSource[] = [
  { name: 'catalogs', url: 'http://127.0.0.1:4101/graphql', schemaFile: 'subgraphs/catalogs/src/schema.graphql' },
  { name: 'national-data', url: 'http://127.0.0.1:4102/graphql', schemaFile: 'subgraphs/national-data/src/schema.graphql' },
  { name: 'relay', url: 'http://127.0.0.1:4103/graphql', schemaFile: 'subgraphs/relay/src/schema.graphql' },
  { name: 'subscriptions', url: 'http://127.0.0.1:4104/graphql', schemaFile: 'subgraphs/subscriptions/src/schema.graphql' },
  { name: 'registry', url: 'http://127.0.0.1:4105/graphql', schemaFile: 'subgraphs/registry/src/schema.graphql' },
];
