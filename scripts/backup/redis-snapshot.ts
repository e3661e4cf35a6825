/**
 * The platform's Redis data as one part of an archive, and back: every key under the prefix, found with SCAN, saved
 * with DUMP (Redis's own serialisation: streams keep their consumer groups, pending entries and last ids) and its
 * absolute expiry (PEXPIRETIME, Redis 7), one JSON line per key (`redis/keys.jsonl`); restored with RESTORE … ABSTTL into staging keys first, then
 * renamed over the live keys in one MULTI/EXEC under WATCH, so a restore either replaces the whole prefix or changes
 * nothing.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { RESP_TYPES } from 'redis';
import type { RedisClient } from '@lgsp/kit';
import { isStagingKey, stagingPrefix } from './keys.ts';

/** One key of the archive (a line of `redis/keys.jsonl`). */
export interface ArchivedKey {
  /** The key without the platform prefix. */
  k: string;
  /** Its Redis type (`string`, `hash`, `list`, `set`, `zset`, `stream`). */
  t: string;
  /** When it expires (Unix ms), or null when it does not. */
  x: number | null;
  /** DUMP's payload, base64. */
  d: string;
}

/** Keys fetched per round trip. */
const BATCH = 200;
/** How long staged keys live if a restore dies before renaming them (they are renamed with their real expiry). */
const STAGING_TTL_MS = 60 * 60 * 1000;

/** Every key under `prefix` except restore staging keys. */
export async function keysUnder(redis: RedisClient, prefix: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of batch) if (!isStagingKey(prefix, key)) keys.add(key);
  }
  return [...keys].sort();
}

export interface DumpResult {
  keys: number;
  types: Record<string, number>;
  writesPaused: boolean;
  /** When the snapshot was taken (when writes were paused). */
  at: Date;
}

/**
 * Dumps every key under `prefix` into the JSON-lines file `file`. With `pauseWritesMs`, Redis holds every client's
 * writes (CLIENT PAUSE … WRITE; reads go on) while the keys are listed and dumped, so the part is one instant of the
 * platform, with nothing half-moved between a queue and its index; `beforeResume` then runs inside the same instant
 * (the audit chain's head for the manifest). A dump that outlasts the pause fails rather than being inconsistent.
 */
export async function dumpPrefix(
  redis: RedisClient,
  prefix: string,
  file: string,
  options: { pauseWritesMs: number | null; beforeResume?: () => Promise<void> },
): Promise<DumpResult> {
  const binary = redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  const types: Record<string, number> = {};
  let count = 0;
  const paused = options.pauseWritesMs !== null;
  const started = Date.now();
  if (paused) await redis.sendCommand(['CLIENT', 'PAUSE', String(options.pauseWritesMs), 'WRITE']);
  const at = new Date();
  try {
    const keys = await keysUnder(redis, prefix);
    for (let i = 0; i < keys.length; i += BATCH) {
      const batch = keys.slice(i, i + BATCH);
      const rows = await Promise.all(
        batch.map(async (key) => {
          // PEXPIRETIME (Redis 7): the absolute expiry, exactly what RESTORE … ABSTTL takes back.
          const [type, expiresAt, payload] = await Promise.all([
            redis.type(key),
            redis.pExpireTime(key),
            binary.dump(key) as unknown as Promise<Buffer | null>,
          ]);
          return { key, type, expiresAt, payload };
        }),
      );
      for (const { key, type, expiresAt, payload } of rows) {
        if (payload === null || expiresAt === -2) continue; // expired or deleted (writes paused: only by expiry) since the scan
        const line: ArchivedKey = { k: key.slice(prefix.length), t: String(type), x: expiresAt >= 0 ? expiresAt : null, d: payload.toString('base64') };
        if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
        types[line.t] = (types[line.t] ?? 0) + 1;
        count += 1;
      }
    }
    await options.beforeResume?.();
    if (paused && Date.now() - started >= options.pauseWritesMs!) {
      throw new Error(
        `the dump took longer than the write pause (${options.pauseWritesMs} ms), so it may not be one instant: raise BACKUP_PAUSE_WRITES_MS or pass --no-pause`,
      );
    }
  } finally {
    if (paused) await redis.sendCommand(['CLIENT', 'UNPAUSE']);
    out.end();
    await once(out, 'close');
  }
  return { keys: count, types, writesPaused: paused, at };
}

/** Reads `redis/keys.jsonl`, checking every line's shape; throws with the line number of the first bad one. */
export async function* readArchivedKeys(file: string): AsyncGenerator<ArchivedKey> {
  let number = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    number += 1;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`redis/keys.jsonl line ${number} is not JSON`);
    }
    const line = value as Partial<ArchivedKey>;
    if (
      typeof line.k !== 'string' ||
      line.k === '' ||
      typeof line.t !== 'string' ||
      typeof line.d !== 'string' ||
      !(line.x === null || (typeof line.x === 'number' && Number.isInteger(line.x)))
    ) {
      throw new Error(`redis/keys.jsonl line ${number} is not a key record {k, t, x, d}`);
    }
    yield line as ArchivedKey;
  }
}

export interface StagedRestore {
  /** Where the archive's keys now sit (readable as a platform: the audit chain is verified there). */
  prefix: string;
  /** Archive key (relative) → its expiry, for the keys staged (the ones expired by now are left out). */
  staged: Map<string, number | null>;
  skippedExpired: number;
  /** Deletes the staged keys (after a failure, or when nothing is to be committed). */
  discard(): Promise<void>;
}

/**
 * RESTOREs every archived key under a staging prefix of its own (`<prefix>restore-staging:<run>:`). A payload Redis
 * refuses (a damaged DUMP, another Redis version's format) fails the whole staging, which is then discarded.
 */
export async function stageKeys(redis: RedisClient, prefix: string, run: string, file: string): Promise<StagedRestore> {
  const target = stagingPrefix(prefix, run);
  const staged = new Map<string, number | null>();
  let skippedExpired = 0;
  const discard = async () => {
    const keys = [...staged.keys()].map((k) => target + k);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(keys.slice(i, i + 1000));
  };
  try {
    const now = Date.now();
    let batch: ArchivedKey[] = [];
    const flush = async () => {
      await Promise.all(
        batch.map(async (line) => {
          const stagingExpiry = Math.min(line.x ?? Infinity, now + STAGING_TTL_MS);
          staged.set(line.k, line.x);
          try {
            await redis.restore(target + line.k, stagingExpiry, Buffer.from(line.d, 'base64'), { ABSTTL: true });
          } catch (error) {
            throw new Error(`Redis refuses the archived value of ${line.k} (${(error as Error).message})`);
          }
        }),
      );
      batch = [];
    };
    for await (const line of readArchivedKeys(file)) {
      if (staged.has(line.k) || batch.some((b) => b.k === line.k)) throw new Error(`redis/keys.jsonl holds ${line.k} twice`);
      if (line.x !== null && line.x <= now) {
        skippedExpired += 1; // it would have expired by now
        continue;
      }
      batch.push(line);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } catch (error) {
    await discard();
    throw error;
  }
  return { prefix: target, staged, skippedExpired, discard };
}

/** Why a commit did not happen although the staging was fine. */
export class CommitConflictError extends Error {
  override name = 'CommitConflictError';
}

/**
 * Replaces every key under `prefix` by the staged ones, in one MULTI/EXEC: the keys there now are deleted, the staged
 * ones renamed to their names and given their archived expiry. WATCH on both sides: if anything among them changed
 * since they were listed (a service still writing, a staged key gone), Redis runs none of it and this throws
 * CommitConflictError, nothing replaced. Answers how many live keys were replaced.
 */
export async function commitStaged(redis: RedisClient, prefix: string, staging: StagedRestore): Promise<{ removed: number; restored: number }> {
  const live = await keysUnder(redis, prefix);
  const stagedKeys = [...staging.staged.keys()];
  await redis.watch([...live, ...stagedKeys.map((k) => staging.prefix + k)]);
  const missing = (await Promise.all(stagedKeys.map(async (k) => ((await redis.exists(staging.prefix + k)) === 1 ? null : k)))).filter((k) => k !== null);
  if (missing.length > 0) {
    await redis.unwatch();
    throw new CommitConflictError(`${missing.length} staged key(s) disappeared before the commit (e.g. ${missing[0]}): nothing was replaced`);
  }
  const multi = redis.multi();
  for (let i = 0; i < live.length; i += 1000) multi.unlink(live.slice(i, i + 1000));
  for (const [key, expiresAt] of staging.staged) {
    multi.rename(staging.prefix + key, prefix + key);
    if (expiresAt === null) multi.persist(prefix + key);
    else multi.pExpireAt(prefix + key, expiresAt);
  }
  try {
    await multi.exec();
  } catch (error) {
    if ((error as Error).name === 'WatchError') {
      throw new CommitConflictError('keys under the prefix changed while the restore was committing (stop the platform services first): nothing was replaced');
    }
    throw error;
  }
  return { removed: live.length, restored: staging.staged.size };
}
