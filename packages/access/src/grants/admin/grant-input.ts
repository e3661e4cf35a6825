/**
 * What `npm run grants -- put` accepts: one grant, or an array of grants, as JSON. Each is checked as the grant
 * store checks it (`parseGrant`), and against the supergraph the gateways serve: its service must be a subgraph and
 * each field set one of the `@policy` names, because a misspelt field set would be stored and silently grant nothing.
 * Every problem is reported at once, and nothing is written unless every grant passes.
 */
import { parseGrant, type Grant } from '../grant.ts';

/** What the supergraph declares that a grant may name (the gateway reads it: readSupergraphFieldSets). */
export interface SupergraphFieldSets {
  /** Absolute path of the SUPERGRAPH_FILE read, for messages. */
  file: string;
  /** Subgraph names (`national-data`). */
  services: string[];
  /** Every `@policy` name of the supergraph: the field sets a grant may name. */
  fieldSets: ReadonlySet<string>;
}

/** The input cannot be put; `problems` lists each, prefixed with the grant it concerns. */
export class GrantInputError extends Error {
  override name = 'GrantInputError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: nothing written\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses and checks the text of `source` (a file name, or `stdin`); throws GrantInputError listing every problem. */
export function parseGrantsInput(text: string, source: string, supergraph: SupergraphFieldSets): Grant[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GrantInputError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  const many = Array.isArray(value);
  const items: unknown[] = many ? (value as unknown[]) : [value];
  if (items.length === 0) throw new GrantInputError(source, ['an empty array: no grant to put']);

  const problems: string[] = [];
  const grants: Grant[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const id = typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : undefined;
    const label = [many ? `[${index}]` : undefined, id].filter((part) => part !== undefined).join(' ');
    const report = (message: string) => problems.push(label === '' ? message : `${label}: ${message}`);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      report(many ? 'must be a grant (a JSON object)' : 'must be a grant (a JSON object) or an array of grants');
      return;
    }
    let grant: Grant;
    try {
      grant = parseGrant(item);
    } catch (error) {
      report((error as Error).message);
      return;
    }
    if (seen.has(grant.id)) report(`grant id ${grant.id} appears twice`);
    seen.add(grant.id);
    for (const problem of supergraphProblems(grant, supergraph)) report(problem);
    grants.push(grant);
  });
  if (problems.length > 0) throw new GrantInputError(source, problems);
  return grants;
}

/** What in a (schema-valid) grant the supergraph does not know. */
export function supergraphProblems(grant: Grant, supergraph: SupergraphFieldSets): string[] {
  const where = `SUPERGRAPH_FILE=${supergraph.file}`;
  if (!supergraph.services.includes(grant.service)) {
    return [`service: ${grant.service} is not a subgraph of the supergraph (${where} has ${supergraph.services.join(', ')})`];
  }
  const known = [...supergraph.fieldSets].filter((f) => f.startsWith(`${grant.service}.`)).sort();
  return grant.fieldSets
    .filter((fieldSet) => !supergraph.fieldSets.has(fieldSet))
    .map(
      (fieldSet) =>
        `fieldSets: ${fieldSet} is not a @policy of the supergraph (${where}; ` +
        `${known.length === 0 ? `${grant.service} declares none` : `${grant.service} declares ${known.join(', ')}`})`,
    );
}
