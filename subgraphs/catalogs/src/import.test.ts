/** The import command as an operator runs it: a real process, a real Redis (own key prefix), the 2026 file. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { connectRedis } from '@lgsp/kit';
import { catalogKeyPattern } from './store/keys.ts';
import { createRedisCatalogStore } from './store/redis-catalog-store.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./import.ts', import.meta.url));
const file = fileURLToPath(new URL('../../../../shared/data/admin-units/vn-units-2026-07-25.json', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `lgsp-test:${randomUUID()}:`;

describe('import command (src/import.ts)', () => {
  after(async () => {
    const redis = await connectRedis(redisUrl);
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: catalogKeyPattern(keyPrefix), COUNT: 100 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('seeds an empty Redis, imports the 2026 file as version 2 and prints the changes', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, file, '--effective', '2026-04-30'], {
      env: { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
    });
    assert.match(stdout, /Changes: 2 added, 2 removed, 11 renamed, 0 re-parented/);
    assert.match(stdout, /~ 75 Tỉnh Đồng Nai → Thành phố Đồng Nai/);
    assert.match(stdout, /~ 26485 Xã Nhơn Trạch → Phường Nhơn Trạch/);
    assert.match(stdout, /\+ 06978 Xã Ba Chẽ/);
    assert.match(stdout, /- 23737 Xã Ia Mơ/);
    assert.match(stdout, /Published ADMINISTRATIVE_UNITS version 2/);

    const redis = await connectRedis(redisUrl);
    try {
      const store = createRedisCatalogStore(redis, { keyPrefix });
      assert.equal(await store.currentVersion('ADMINISTRATIVE_UNITS'), 2);
      const info = await store.versionInfo('ADMINISTRATIVE_UNITS', 2);
      assert.equal(info?.label, 'vn-units-2026-07-25');
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
  });

  it('fails with exit code 2 and the usage line on bad arguments', async () => {
    await assert.rejects(run(process.execPath, ['--import', 'tsx', script]), (e: { code?: number; stderr?: string }) => e.code === 2 && /usage: import <file>/.test(e.stderr ?? ''));
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', script, file, '--effective', '30/04/2026']),
      (e: { code?: number; stderr?: string }) => e.code === 2 && /--effective must be a date/.test(e.stderr ?? ''),
    );
  });
});
