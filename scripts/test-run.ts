/**
 * What `npm test` (scripts/test.ts) and `npm run test:interop` (scripts/test-interop.ts) share: finding test files,
 * running them with node:test, and checking that a run left no Redis keys behind.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { connectRedis } from '@lgsp/kit';

export const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'subgraphs', 'simulator', 'gateway', 'schema', 'keycloak', 'test'];

/** Test files ending in `suffix` (`.test.ts` takes in every test file; filter interop ones out yourself). */
export async function findTests(suffix: string, dir?: string): Promise<string[]> {
  if (dir === undefined) return (await Promise.all(roots.map((r) => findTests(suffix, join(root, r))))).flat().sort();
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
    if (entry.isDirectory()) found.push(...(await findTests(suffix, path)));
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/** `files` whose path (from the repository root) contains one of `words`; all of them without words. */
export function selectTests(files: string[], words: string[]): string[] {
  return files.filter((f) => words.length === 0 || words.some((word) => relative(root, f).includes(word)));
}

/** Runs the files with node:test; resolves to the exit code. */
export function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files.map((f) => relative(root, f))], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/** Fails at once with instructions when Redis cannot be reached, instead of letting every test fail or skip. */
export async function requireRedis(redisUrl: string): Promise<void> {
  try {
    const redis = await connectRedis(redisUrl);
    await redis.quit();
  } catch (error) {
    console.error(`\nThe tests need a real Redis (REDIS_URL, default redis://127.0.0.1:6379).\n${(error as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * Keys under `runPrefix` still in Redis after the run; they are listed, then deleted so that a failed run does
 * not leave them for the next one. Only this run's prefix is scanned: other copies of the suite may be running
 * against the same database.
 */
export async function leftoverKeys(redisUrl: string, runPrefix: string): Promise<string[]> {
  const redis = await connectRedis(redisUrl);
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${runPrefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    return keys.sort();
  } finally {
    await redis.quit();
  }
}
