/**
 * `npm run compose` writes schema/supergraph.graphql; `npm run compose -- --check` fails when the committed
 * file differs from what the subgraphs compose to (stale contract) or when composition fails.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { composeSupergraph, supergraphFile } from './composition.ts';

const check = process.argv.includes('--check');
try {
  const composed = await composeSupergraph();
  if (check) {
    const committed = await readFile(supergraphFile, 'utf8').catch(() => '');
    if (committed !== composed) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit the result.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
  } else {
    await writeFile(supergraphFile, composed);
    console.log(`wrote ${supergraphFile}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
