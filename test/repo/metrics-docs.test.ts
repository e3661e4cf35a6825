/**
 * Every Prometheus metric of ours (`lgsp_…`) that a service defines is in the "Metrics and alerts" table of
 * docs/operations.md, where operators choose what to alert on. A metric added without a row fails here, naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/platform.ts';

const SOURCE_ROOTS = ['gateway/src', 'subgraphs', 'packages'];

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...(await sourceFiles(path)));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const REFERENCE = 'docs/operations.md';

test(`every lgsp_ metric a service defines is in the Metrics and alerts table of ${REFERENCE}`, async () => {
  const defined = new Set<string>();
  for (const root of SOURCE_ROOTS) {
    for (const file of await sourceFiles(join(repoRoot, root))) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/name: '(lgsp_[a-z0-9_]+)'/g)) defined.add(match[1]!);
    }
  }
  assert.ok(defined.size >= 30, `the scan finds the metrics (${defined.size})`);
  const reference = await readFile(join(repoRoot, REFERENCE), 'utf8');
  const start = reference.indexOf('\n## Metrics and alerts\n');
  assert.notEqual(start, -1, `${REFERENCE} has a "## Metrics and alerts" section`);
  const end = reference.slice(start + 1).search(/\n#{1,2} /);
  const section = end === -1 ? reference.slice(start) : reference.slice(start, start + 1 + end);
  assert.deepEqual([...defined].filter((name) => !section.includes(`\`${name}\``)).sort(), [], `metrics missing from ${REFERENCE} "Metrics and alerts"`);
});
