/**
 * Test code is found by its name: `*.test.ts` are the tests, `*.contract.ts` the contract suites every adapter of a
 * port runs, and a package's helpers for its tests are its `testing.ts` module or `testing/` folder (test/testing/ for
 * the tests that cross services). Code that imports the test runner or assert lives only there, so production code
 * never does and a reader knows where to look.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../scripts/platform.ts';

const roots = ['packages', 'subgraphs', 'simulator', 'gateway', 'schema', 'keycloak', 'scripts', 'test', 'bench'];
/** Known exceptions, each with its reason. */
const allowed = new Map([
  // The opening of every contract suite, published as its own entry point `@lgsp/kit/contract-fixture`.
  ['packages/kit/src/contract-fixture.ts', "the contract suites' shared before/after"],
]);

const isTestCode = (path: string) => /\.test\.ts$|\.contract\.ts$/.test(path) || /(^|\/)testing(\.ts$|\/)/.test(path);

async function sources(): Promise<string[]> {
  const found: string[] = [];
  for (const root of roots) {
    const names = await readdir(join(repoRoot, root), { recursive: true }).catch(() => [] as string[]);
    for (const name of names) {
      const path = relative(repoRoot, join(repoRoot, root, name));
      if (path.endsWith('.ts') && !path.split('/').includes('node_modules')) found.push(path);
    }
  }
  return found.sort();
}

test('test helpers follow one naming scheme: testing.ts or testing/, *.contract.ts for contract suites', async () => {
  const files = await sources();
  assert.ok(files.length > 100, `found the sources (${files.length})`);
  const misnamed = files.filter((path) => /(^|\/)(test-support|test-helpers?|test-utils?)\.ts$|(^|\/)(support|helpers|fixtures)\//.test(path));
  assert.deepEqual(misnamed, [], 'helpers named otherwise: rename to testing.ts / testing/');
  const outside: string[] = [];
  for (const path of files) {
    if (isTestCode(path) || allowed.has(path)) continue;
    if (/from 'node:(test|assert(\/strict)?)'/.test(await readFile(join(repoRoot, path), 'utf8'))) outside.push(path);
  }
  assert.deepEqual(outside, [], 'imports node:test or node:assert outside *.test.ts, *.contract.ts and testing.ts / testing/');
});
