/**
 * Every environment variable a service reads is in the Configuration reference of docs/operations.md, where operators
 * look (the config module that reads it documents it too, as a table or a comment on the field). A variable added to a schema
 * and not to the reference fails here, naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { repoRoot } from '../../scripts/platform.ts';

const CONFIG_MODULES = [
  'gateway/src/config.ts',
  'subgraphs/catalogs/src/config.ts',
  'subgraphs/national-data/src/config.ts',
  'subgraphs/relay/src/config.ts',
  'subgraphs/subscriptions/src/config.ts',
  'subgraphs/registry/src/config.ts',
  'subgraphs/monitoring/src/config.ts',
  'simulator/src/config.ts',
  'keycloak/src/config.ts',
];

const REFERENCE = 'docs/operations.md';

/** The operators' Configuration section (its subsections included), up to the next section of the same or a higher level. */
async function configurationReference(): Promise<string> {
  const reference = await readFile(`${repoRoot}${REFERENCE}`, 'utf8');
  const start = reference.indexOf('\n## Configuration\n');
  assert.notEqual(start, -1, `${REFERENCE} has a "## Configuration" section`);
  const end = reference.slice(start + 1).search(/\n#{1,2} /);
  return end === -1 ? reference.slice(start) : reference.slice(start, start + 1 + end);
}

for (const module of CONFIG_MODULES) {
  test(`every variable of ${module} is in the Configuration reference of ${REFERENCE}`, async () => {
    const { configSchema } = (await import(`${repoRoot}${module}`)) as { configSchema: { shape: Record<string, unknown> } };
    const variables = Object.keys(configSchema.shape);
    assert.ok(variables.length > 0, `${module}: configSchema has variables`);
    const reference = await configurationReference();
    // Written as code: `NAME`, or `NAME=value` in a sentence.
    const undocumented = variables.filter((name) => !reference.includes(`\`${name}\``) && !reference.includes(`\`${name}=`));
    assert.deepEqual(undocumented, [], `${REFERENCE} ## Configuration: variables of ${module} missing`);
  });
}
