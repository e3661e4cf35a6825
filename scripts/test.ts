/**
 * `npm test`: every test of the project, with real parts. Unit tests sit next to the code (`*.test.ts`),
 * tests that cross services sit in `test/`. Redis is required (REDIS_URL, default redis://127.0.0.1:6379):
 * when it cannot be reached the run fails at once with instructions instead of skipping anything. The
 * interoperability tests (`*.interop.test.ts`, third-party data) are not part of it: `npm run test:interop`.
 *
 * Each run has a name (LGSP_TEST_RUN) and every Redis key a test writes starts with `lgsp-test:<run>:`
 * (`testKeyPrefix()` of @lgsp/kit/testing), so copies of the suite can share a database; the run fails if a key
 * of its own is left afterwards.
 *
 *   npm test                      type check, lint (`npm run lint`: ESLint and Prettier), then all tests
 *   npm test -- gateway catalogs  only test files whose path contains one of these words (no type check, no lint)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { testRunKeyPrefix } from '@lgsp/kit/testing';
import { findTests, leftoverKeys, requireRedis, root, runTests, selectTests } from './test-run.ts';

const INTEROP = '.interop.test.ts';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
await requireRedis(redisUrl);

const filters = process.argv.slice(2);

// The whole tree is type-checked (tsx runs sources without checking types) and linted first; a filtered run skips both.
if (filters.length === 0) {
  // The services' tree and the portal's (a browser bundle: DOM types, JSX, bundler resolution) are checked apart.
  const typeCheck = (project: string) =>
    spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' }).status;
  if (typeCheck('tsconfig.json') !== 0 || typeCheck('portal/tsconfig.json') !== 0) {
    console.error('\nType check failed (npm run typecheck).');
    process.exit(1);
  }
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    console.error('\nLint failed (npm run lint). Run `npm run format` to lay the code out and apply the automatic fixes, then fix what ESLint still reports.');
    process.exit(1);
  }
}
const files = (await findTests('.test.ts')).filter((f) => !f.endsWith(INTEROP));
const selected = selectTests(files, filters);
if (selected.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}

const run = randomBytes(6).toString('hex');
const code = await runTests(selected, { REDIS_URL: redisUrl, LGSP_TEST_RUN: run });
const left = await leftoverKeys(redisUrl, testRunKeyPrefix(run));
if (left.length > 0) {
  // Grouped by test prefix (one per test or fixture) and the first segment after it (the service that wrote them).
  const groups = new Map<string, number>();
  for (const key of left) {
    const [, test = '?', service = '?'] = /^lgsp-test:[^:]+:([^:]+):([^:]+)/.exec(key) ?? [];
    groups.set(`${test} ${service}`, (groups.get(`${test} ${service}`) ?? 0) + 1);
  }
  console.error(`\n${left.length} Redis key(s) of this run were left behind (now deleted); the test that wrote them must delete its keys:`);
  for (const [group, count] of groups) console.error(`  prefix ${group}…: ${count}`);
  for (const key of left.slice(0, 10)) console.error(`  ${key}`);
  if (left.length > 10) console.error(`  … and ${left.length - 10} more`);
  process.exit(code === 0 ? 1 : code);
}
process.exit(code);
