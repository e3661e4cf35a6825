/**
 * `npm test`: every test of the project, with real parts. Unit tests sit next to the code (`*.test.ts`),
 * tests that cross services sit in `test/`. Redis is required (REDIS_URL, default redis://127.0.0.1:6379):
 * when it cannot be reached the run fails at once with instructions instead of skipping anything.
 *
 *   npm test                      type check, lint (`npm run lint`: ESLint and Prettier), then all tests
 *   npm test -- gateway catalogs  only test files whose path contains one of these words (no type check, no lint)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { connectRedis } from '@lgsp/kit';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'subgraphs', 'simulator', 'gateway', 'schema', 'keycloak', 'test'];

async function findTests(dir: string): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findTests(path)));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
try {
  const redis = await connectRedis(redisUrl);
  await redis.quit();
} catch (error) {
  console.error(`\nThe tests need a real Redis.\n${(error as Error).message}\n`);
  process.exit(1);
}

const filters = process.argv.slice(2);

// The whole tree is type-checked (tsx runs sources without checking types) and linted first; a filtered run skips both.
if (filters.length === 0) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('\nType check failed (npm run typecheck).');
    process.exit(1);
  }
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: root, stdio: 'inherit' });
  if (lint.status !== 0) {
    console.error('\nLint failed (npm run lint). Run `npm run format` to lay the code out and apply the automatic fixes, then fix what ESLint still reports.');
    process.exit(1);
  }
}
const files = (await Promise.all(roots.map((r) => findTests(join(root, r))))).flat().sort();
const selected = files.filter((f) => filters.length === 0 || filters.some((word) => relative(root, f).includes(word)));
if (selected.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, REDIS_URL: redisUrl, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 1)));
