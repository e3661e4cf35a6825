/**
 * One loaded supergraph: the SDL as composed (kept parsed, so authorization can read `@authenticated`,
 * `@requiresScopes` and `@policy` from it), the SDL handed to Apollo Gateway, and the subgraphs it names.
 */
import { Kind, parse, type DocumentNode, type EnumValueDefinitionNode } from 'graphql';

export interface SubgraphEndpoint {
  /** The subgraph's name as composed (`national-data`). */
  name: string;
  /** The `join__Graph` enum value the query planner uses for it (`NATIONAL_DATA`). */
  graph: string;
  /** The URL written into the supergraph at composition time. */
  url: string;
}

export interface LoadedSupergraph {
  /** The composed SDL, exactly as read. */
  originalSdl: string;
  /** `originalSdl` parsed: the source of the authorization metadata. */
  document: DocumentNode;
  /** What Apollo Gateway loads (see `sdlForApolloGateway`). */
  gatewaySdl: string;
  subgraphs: SubgraphEndpoint[];
}

/** The feature specs `@apollo/gateway` 2.14 refuses while they are marked `for: SECURITY`. */
const SECURITY_FEATURES = ['authenticated', 'requiresScopes', 'policy'];

const securityLink = new RegExp(
  String.raw`(@link\(\s*url:\s*"https://specs\.apollo\.dev/(?:${SECURITY_FEATURES.join('|')})/v[0-9.]+"[^)]*?)\s*,?\s*for:\s*SECURITY`,
  'g',
);

/**
 * docs/findings.md #1: `@apollo/gateway` 2.14.4 fails to load a supergraph whose authorization `@link`s say
 * `for: SECURITY` ("feature … is for: SECURITY but is unsupported"), because it does not enforce them. The gateway
 * enforces them itself (from `LoadedSupergraph.document`), so Apollo Gateway gets the SDL without that marker.
 */
export function sdlForApolloGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(securityLink, '$1');
}

/** Parses a supergraph SDL file's content; throws with a readable message when it is not a supergraph. */
export function loadSupergraph(originalSdl: string): LoadedSupergraph {
  const document = parse(originalSdl);
  const subgraphs = subgraphsOf(document);
  if (subgraphs.length === 0) throw new Error('not a supergraph: no join__Graph enum with @join__graph(name:, url:) values');
  return { originalSdl, document, gatewaySdl: sdlForApolloGateway(originalSdl), subgraphs };
}

function subgraphsOf(document: DocumentNode): SubgraphEndpoint[] {
  const found: SubgraphEndpoint[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const endpoint = endpointOf(value);
      if (endpoint !== undefined) found.push(endpoint);
    }
  }
  return found;
}

function endpointOf(value: EnumValueDefinitionNode): SubgraphEndpoint | undefined {
  const directive = value.directives?.find((d) => d.name.value === 'join__graph');
  if (directive === undefined) return undefined;
  const argument = (name: string) => {
    const arg = directive.arguments?.find((a) => a.name.value === name);
    return arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
  };
  const name = argument('name');
  const url = argument('url');
  if (name === undefined || url === undefined) return undefined;
  return { name, graph: value.name.value, url };
}
