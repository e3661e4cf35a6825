/**
 * `npm run test:interop`: the interoperability tests (`*.interop.test.ts`), which read third-party material the
 * repository may not redistribute — real edXML packets and the community JSON mapping of edXML — from the folder
 * LGSP_REFERENCE_DATA names (default `../shared/data`, relative to the repository root; see
 * subgraphs/relay/src/edxml/README.md for its layout). Without that folder the run fails, naming the variable: an
 * interoperability check that did not run must not look like one that passed.
 *
 *   LGSP_REFERENCE_DATA=/path/to/data npm run test:interop
 *   npm run test:interop -- edxml     only interop files whose path contains one of these words
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { findTests, root, runTests, selectTests } from './test-run.ts';

/** What the folder must hold, relative to it. */
const EXPECTED = ['edxml/samples', 'edxml/json-mapping'];

const given = process.env.LGSP_REFERENCE_DATA;
const folder = resolve(root, given ?? '../shared/data');
const missing = EXPECTED.filter((path) => !existsSync(resolve(folder, path)) || !statSync(resolve(folder, path)).isDirectory());
if (missing.length > 0) {
  const named = given === undefined ? 'LGSP_REFERENCE_DATA is not set; the default is ../shared/data' : `LGSP_REFERENCE_DATA=${given}`;
  console.error(
    `\nnpm run test:interop needs the third-party reference data (real edXML packets, not redistributable, so not in this repository).\n` +
      `The folder ${folder} (${named}) ${existsSync(folder) ? `lacks ${missing.join(', ')}` : 'does not exist'}.\n` +
      `Set LGSP_REFERENCE_DATA to the folder that holds ${EXPECTED.map((p) => `${p}/`).join(' and ')}, e.g. LGSP_REFERENCE_DATA=/srv/lgsp-reference-data npm run test:interop\n`,
  );
  process.exit(1);
}

const words = process.argv.slice(2);
const selected = selectTests(await findTests('.interop.test.ts'), words);
if (selected.length === 0) {
  console.error(`No interop test files${words.length > 0 ? ` match ${words.join(', ')}` : ''}`);
  process.exit(1);
}
console.log(`Interoperability tests against ${folder}`);
process.exit(await runTests(selected, { LGSP_REFERENCE_DATA: folder }));
