/**
 * The portal's build (`portal/dist`, served by the gateway at /portal/): `npm install` makes it (the root `prepare`
 * script); `npm start` and the browser tests make it again when it is missing or older than the portal's sources
 * (a quick look at modification times, then `vite build`, about 2 s).
 *
 * The build goes to a folder of its own and then replaces `portal/dist` by renames, so a gateway serving the old
 * build never sees half a new one; a lock folder keeps two processes (test files running side by side) from building
 * at once.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const portalDir = join(repoRoot, 'portal');
export const portalDist = join(portalDir, 'dist');
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];
const LOCK = join(portalDir, '.build.lock');
const LOCK_STALE_MS = 120_000;

/** `fresh`, `missing` (no index.html) or `stale` (a source is newer than the build). */
export async function portalBuildState(): Promise<'fresh' | 'missing' | 'stale'> {
  let built: number;
  try {
    built = (await stat(join(portalDist, 'index.html'))).mtimeMs;
  } catch {
    return 'missing';
  }
  for (const source of SOURCES) if ((await newest(join(portalDir, source))) > built) return 'stale';
  return 'fresh';
}

async function newest(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs; // a deleted file changes its folder's time
  for (const entry of await readdir(path)) latest = Math.max(latest, await newest(join(path, entry)));
  return latest;
}

/**
 * Builds the portal unless its build is fresh. Returns what it found (`fresh` means nothing was done). `log` hears
 * one line when a build starts. Fails with vite's output when the build fails.
 */
export async function ensurePortalBuilt(log: (line: string) => void = () => undefined): Promise<'fresh' | 'missing' | 'stale'> {
  const state = await portalBuildState();
  if (state === 'fresh') return state;
  await withLock(async () => {
    const now = await portalBuildState(); // another process may have built it while this one waited
    if (now === 'fresh') return;
    log(now === 'missing' ? 'Building the portal (portal/dist is missing)…' : 'Building the portal (portal/src changed since the last build)…');
    await buildPortal();
  });
  return state;
}

/** `vite build` into a fresh folder, then swapped in for portal/dist. */
export async function buildPortal(): Promise<void> {
  const next = join(portalDir, `.dist-${process.pid}-${Date.now()}`);
  // The build is as new as the sources it read: a source saved while vite runs must make it stale.
  const startedAt = new Date(Date.now() - 1_000);
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--outDir', next, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: portalDir,
    // A production build whatever the caller's NODE_ENV (the tests run with `test` or `development`: vite would then
    // build React's and Ant Design's development code).
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    await rm(next, { recursive: true, force: true });
    throw new Error(`the portal's build failed (vite build exited with ${code}):\n${output.trim()}`);
  }
  const old = join(portalDir, `.dist-old-${process.pid}-${Date.now()}`);
  await rename(portalDist, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await utimes(join(next, 'index.html'), startedAt, startedAt);
  await rename(next, portalDist);
  await rm(old, { recursive: true, force: true });
}

async function withLock(work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age =
        Date.now() -
        (await stat(LOCK).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > LOCK_STALE_MS || Date.now() > deadline)
        await rm(LOCK, { recursive: true, force: true }); // left by a killed build
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}
