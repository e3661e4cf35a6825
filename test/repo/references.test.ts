/**
 * Everything a reader follows resolves inside the repository (a plain clone has no sibling folders): no path into
 * the folder beside the repository, and every requirement code and docs cite (`R4`, `REQUIREMENTS R4`) has its section in
 * docs/requirements.md. The only place outside the repository anything reads is the interoperability data
 * (LGSP_REFERENCE_DATA, `npm run test:interop`), and only the files that implement or describe that may name it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { repoRoot } from '../../scripts/platform.ts';

/** The files that locate or describe the interoperability data (its default location is decided in scripts/test-interop.ts). */
const INTEROP_DATA_LOCATORS = new Set([
  'scripts/test-interop.ts',
  'subgraphs/relay/src/edxml/README.md',
  '.ci/run',
  'README.md',
  'test/repo/references.test.ts',
]);

const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|md|json|ya?ml|sh)$|^\.ci\//.test(f) && f !== 'package-lock.json');

test('no file points into the folder beside the repository (the project material) except the interoperability-data locators', async () => {
  assert.ok(tracked.length > 100, 'git ls-files lists the repository');
  const offenders: string[] = [];
  for (const file of tracked) {
    if (INTEROP_DATA_LOCATORS.has(file)) continue;
    const text = await readFile(`${repoRoot}${file}`, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/\.\.\/shared\b|\bshared\/(data|seeds)\b|\b(STYLE|ARCHITECTURE|REQUIREMENTS)\.md\b/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('every requirement cited in code and docs has its section in docs/requirements.md', async () => {
  const requirements = await readFile(`${repoRoot}docs/requirements.md`, 'utf8');
  const sections = new Set([...requirements.matchAll(/^## (R\d+) — /gm)].map((m) => m[1]));
  assert.deepEqual(
    [...sections],
    Array.from({ length: 11 }, (_, i) => `R${i + 1}`),
  );
  const cited = new Map<string, string>();
  for (const file of tracked.filter((f) => /\.(ts|md)$/.test(f))) {
    const text = await readFile(`${repoRoot}${file}`, 'utf8');
    for (const m of text.matchAll(/(?<![\w.-])R(\d{1,2})(?![\w.-])(?=[\s),;:/]| step)/g)) if (!cited.has(`R${m[1]}`)) cited.set(`R${m[1]}`, file);
  }
  assert.ok(cited.has('R4'), 'the relay cites R4');
  for (const [requirement, file] of cited) assert.ok(sections.has(requirement), `${file} cites ${requirement}, which docs/requirements.md does not define`);
});
