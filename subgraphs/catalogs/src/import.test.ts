/**
 * The import command as an operator runs it: a real process, a real Redis (own key prefix), the 2026 file; the
 * `catalog-changed` event it publishes is read back from the topic's stream, where the subscriptions service reads it
 * (test/e2e/catalog-changed.test.ts checks that service delivers such an event as `catalogChanged`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { eventStreamKey, readTopicStream, topics } from '@lgsp/events';
import { connectRedis } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { referenceFile } from './data/reference/reference.ts';
import { createRedisCatalogStore } from './store/redis-catalog-store.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./import.ts', import.meta.url));
const reference = await referenceFile('vn-units-2026-07-25.json');
const file = reference.path;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();
const failingPrefix = testKeyPrefix();
const catalogChangedKey = (prefix: string) => eventStreamKey(prefix, topics.catalogChanged());

async function deleteKeys(prefix: string) {
  const redis = await connectRedis(redisUrl);
  const keys: string[] = [];
  // Everything under the prefix (this test's own), not only the catalogs' and events' keys.
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
  if (keys.length > 0) await redis.del(keys);
  await redis.quit();
}

describe('import command (src/import.ts)', () => {
  after(async () => {
    try {
      await deleteKeys(keyPrefix);
      await deleteKeys(failingPrefix);
    } finally {
      await reference.remove();
    }
  });

  it('seeds an empty Redis, imports the 2026 file as version 2, prints the changes and announces the version', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, file, '--effective', '2026-04-30'], {
      env: { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
    });
    assert.match(stdout, /Changes: 2 added, 2 removed, 11 renamed, 0 re-parented/);
    assert.match(stdout, /~ 75 Tỉnh Đồng Nai → Thành phố Đồng Nai/);
    assert.match(stdout, /~ 26485 Xã Nhơn Trạch → Phường Nhơn Trạch/);
    assert.match(stdout, /\+ 06978 Xã Ba Chẽ/);
    assert.match(stdout, /- 23737 Xã Ia Mơ/);
    const announced = /Published ADMINISTRATIVE_UNITS version 2 \(now current\); announced as catalog-changed event (\d+-\d+)\./.exec(stdout);
    assert.ok(announced, stdout);
    const eventId = announced[1]!;

    const redis = await connectRedis(redisUrl);
    try {
      const store = createRedisCatalogStore(redis, { keyPrefix });
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 2);
      const info = await store.versionInfo('ADMINISTRATIVE_UNITS', 2);
      assert.equal(info?.label, 'vn-units-2026-07-25');

      // One event, on the stream the subscriptions service reads; the seeds of the empty catalogs are not announced.
      assert.deepEqual(await readTopicStream(redis, keyPrefix, topics.catalogChanged()), [
        { id: eventId, fields: { catalog: 'ADMINISTRATIVE_UNITS', version: '2', occurredAt: info!.publishedAt } },
      ]);
    } finally {
      await redis.quit();
    }
  });

  it('prints JSON with --json --dry-run and publishes nothing', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, file, '--dry-run', '--json'], {
      env: { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
    });
    const result = JSON.parse(stdout) as { published: unknown; previous: { version: number }; changes: { unchanged: boolean } };
    assert.equal(result.published, null);
    assert.equal(result.previous.version, 2);
    assert.equal(result.changes.unchanged, true);
    const redis = await connectRedis(redisUrl);
    try {
      assert.equal(await redis.xLen(catalogChangedKey(keyPrefix)), 1, 'a dry run publishes no event');
    } finally {
      await redis.quit();
    }
  });

  it('exits 3 and says so when the version was published but its event could not be; the version stays current', async () => {
    const redis = await connectRedis(redisUrl);
    try {
      // A real Redis failure: the topic's key holds a string, so XADD answers WRONGTYPE after the version is stored.
      await redis.set(catalogChangedKey(failingPrefix), 'not a stream');
      await assert.rejects(
        run(process.execPath, ['--import', 'tsx', script, file], { env: { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: failingPrefix } }),
        (e: { code?: number; stdout?: string; stderr?: string }) => {
          assert.equal(e.code, 3, e.stderr);
          assert.match(e.stdout ?? '', /Published ADMINISTRATIVE_UNITS version 2 \(now current\); its catalog-changed event was NOT published/);
          assert.match(
            e.stderr ?? '',
            /import incomplete: ADMINISTRATIVE_UNITS version 2 was published and is current, but its catalog-changed event could not be published: WRONGTYPE/,
          );
          assert.match(e.stderr ?? '', /The version stays published/);
          return true;
        },
      );
      assert.equal(await createRedisCatalogStore(redis, { keyPrefix: failingPrefix }).currentVersion('ADMINISTRATIVE_UNITS'), 2);
    } finally {
      await redis.quit();
    }
  });

  it('without REDIS_URL compares only, and says that nothing is stored and no event published', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_KEY_PREFIX: keyPrefix };
    delete env.REDIS_URL;
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, file], { env });
    assert.match(stderr, /REDIS_URL is not set/);
    assert.match(stdout, /Nothing published: REDIS_URL is not set, so nothing is stored and no catalog-changed event is published\./);
    const redis = await connectRedis(redisUrl);
    try {
      assert.equal(await redis.xLen(catalogChangedKey(keyPrefix)), 1, 'no further catalog-changed event');
    } finally {
      await redis.quit();
    }
  });

  it('fails with exit code 2 and the usage line on bad arguments', async () => {
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', script]),
      (e: { code?: number; stderr?: string }) => e.code === 2 && /usage: import <file>/.test(e.stderr ?? ''),
    );
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', script, file, '--effective', '30/04/2026']),
      (e: { code?: number; stderr?: string }) => e.code === 2 && /--effective must be a date/.test(e.stderr ?? ''),
    );
  });
});
