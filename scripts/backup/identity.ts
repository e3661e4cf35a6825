/**
 * Which platform an archive belongs to: an installation identity kept in Redis (`<prefix>platform:identity`, a
 * random UUID and when it was made), written once by the first backup (SET NX: two backups at once agree), archived
 * and restored with the data. A restore into a platform that has another identity is a foreign archive.
 * And which code made it: the root package's version and the git commit when the checkout has one.
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from '@lgsp/kit';
import { platformIdentityKey } from './keys.ts';

export interface PlatformIdentity {
  id: string;
  createdAt: string;
}

function parseIdentity(text: string | null): PlatformIdentity | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<PlatformIdentity>;
    return typeof value.id === 'string' && typeof value.createdAt === 'string' ? { id: value.id, createdAt: value.createdAt } : null;
  } catch {
    return null;
  }
}

/** The platform's identity, or null when it has none yet (never backed up, or an empty Redis). */
export async function readPlatformIdentity(redis: RedisClient, prefix: string): Promise<PlatformIdentity | null> {
  return parseIdentity(await redis.get(platformIdentityKey(prefix)));
}

/** The platform's identity, made now if it has none. */
export async function ensurePlatformIdentity(redis: RedisClient, prefix: string): Promise<PlatformIdentity> {
  const made: PlatformIdentity = { id: randomUUID(), createdAt: new Date().toISOString() };
  await redis.set(platformIdentityKey(prefix), JSON.stringify(made), { condition: 'NX' });
  const identity = await readPlatformIdentity(redis, prefix);
  if (identity === null) throw new Error(`${platformIdentityKey(prefix)} holds something that is not a platform identity`);
  return identity;
}

/** The code's version: the root package.json's `version` and `git rev-parse HEAD` (null outside a git checkout). */
export function platformVersion(root: string): { package: string; commit: string | null } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  let commit: string | null = process.env.LGSP_COMMIT ?? null;
  if (commit === null) {
    try {
      commit =
        execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim() || null;
    } catch {
      commit = null; // not a checkout (an image): LGSP_COMMIT names it
    }
  }
  return { package: pkg.version ?? '0.0.0', commit };
}
