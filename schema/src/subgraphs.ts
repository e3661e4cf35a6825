/**
 * The subgraphs composed into the supergraph: name (as the gateway knows it, also in SUBGRAPH_<NAME>_URL),
 * the default routing URL written into the supergraph, and the SDL file that is the subgraph's contract (with, for a
 * subgraph assembled from modules, the fragments of its modules).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SubgraphSource {
  name: string;
  url: string;
  /** Path of the SDL file, relative to the repository root. */
  schemaFile: string;
  /**
   * A subgraph assembled from modules (monitoring): the folder, relative to the repository root, whose direct
   * subfolders' `schema.graphql` fragments follow `schemaFile` (in name order), as the subgraph assembles them.
   */
  moduleSchemasUnder?: string;
}

export const subgraphs: SubgraphSource[] = [
  { name: 'catalogs', url: 'http://127.0.0.1:4101/graphql', schemaFile: 'subgraphs/catalogs/src/schema.graphql' },
  { name: 'national-data', url: 'http://127.0.0.1:4102/graphql', schemaFile: 'subgraphs/national-data/src/schema.graphql' },
  { name: 'relay', url: 'http://127.0.0.1:4103/graphql', schemaFile: 'subgraphs/relay/src/schema.graphql' },
  { name: 'subscriptions', url: 'http://127.0.0.1:4104/graphql', schemaFile: 'subgraphs/subscriptions/src/schema.graphql' },
  { name: 'registry', url: 'http://127.0.0.1:4105/graphql', schemaFile: 'subgraphs/registry/src/schema.graphql' },
  {
    name: 'monitoring',
    url: 'http://127.0.0.1:4106/graphql',
    schemaFile: 'subgraphs/monitoring/src/schema.graphql',
    moduleSchemasUnder: 'subgraphs/monitoring/src',
  },
];

const repositoryRoot = new URL('../../', import.meta.url).pathname;

/** The SDL files of a subgraph, relative to the repository root: `schemaFile`, then its modules' fragments. */
export function subgraphSchemaFiles(source: SubgraphSource): string[] {
  if (source.moduleSchemasUnder === undefined) return [source.schemaFile];
  const under = source.moduleSchemasUnder;
  const fragments = readdirSync(join(repositoryRoot, under), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(repositoryRoot, under, entry.name, 'schema.graphql')))
    .map((entry) => `${under}/${entry.name}/schema.graphql`)
    .sort();
  return [source.schemaFile, ...fragments];
}

/** A subgraph's whole SDL: its files joined. */
export function readSubgraphSdl(source: SubgraphSource): string {
  return subgraphSchemaFiles(source)
    .map((file) => readFileSync(join(repositoryRoot, file), 'utf8'))
    .join('\n');
}
