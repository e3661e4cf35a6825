/**
 * Imports a new version of the administrative units from a file and reports what changed.
 *
 *   npm run import -w @lgsp/catalogs -- <file> [--effective YYYY-MM-DD] [--label NAME] [--dry-run] [--force] [--json]
 *
 * Formats: the thanglequoc/vietnamese-provinces-database two-tier "full JSON" (e.g. vn-units-2026-07-25.json)
 * and its three-tier simplified JSON. With REDIS_URL set, the result is published to Redis as a new version
 * (made current; running services pick it up within CATALOGS_VERSION_CHECK_MS) and announced as a
 * `catalog-changed` event `{catalog, version, occurredAt}` on the same Redis (stream
 * `<REDIS_KEY_PREFIX>events:catalog-changed`, trimmed to ~EVENTS_RETENTION), which the subscriptions subgraph
 * serves as `catalogChanged`. Without REDIS_URL there is nowhere to keep it: the file is compared with the
 * default data, nothing is stored and no event is published.
 * Exit codes: 0 done, 1 failed (nothing published), 2 bad usage, 3 the version was published and is current but
 * its catalog-changed event could not be published (the version is not rolled back: services read it anyway;
 * only catalogChanged subscribers were not told — `--force` with the same file publishes and announces a new
 * identical version).
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { redisEventPublisher } from '@lgsp/events';
import { ConfigError, connectRedis, LgspError, redactUrl, type RedisClient } from '@lgsp/kit';
import { loadCatalogsConfig } from './config.ts';
import type { AdminUnitChanges } from './domain/admin-import.ts';
import { noCatalogEvents } from './domain/catalog-events.ts';
import { CatalogChangeNotAnnouncedError, Catalogs, type ImportResult } from './domain/catalogs.ts';
import { defaultVersion } from './data/defaults.ts';
import { createTopicCatalogEvents } from './store/catalog-change-events.ts';
import { createMemoryCatalogStore } from './store/memory-catalog-store.ts';
import { createRedisCatalogStore } from './store/redis-catalog-store.ts';

const USAGE = 'usage: import <file> [--effective YYYY-MM-DD] [--label NAME] [--dry-run] [--force] [--json]';

/** Exit code when the version was published but its catalog-changed event was not (see the header). */
export const EXIT_PUBLISHED_NOT_ANNOUNCED = 3;

/** The human report; `stored: false` when there is no store to publish to (no REDIS_URL). */
export function formatImportReport(result: ImportResult, options: { limit?: number; stored?: boolean } = {}): string {
  const limit = options.limit ?? 50;
  const { changes } = result;
  const lines: string[] = [];
  lines.push(`File format: ${result.format} (${result.tier})`);
  lines.push(`Compared with: ADMINISTRATIVE_UNITS version ${result.previous.version} (${result.previous.label ?? result.previous.source})`);
  lines.push(
    `Changes: ${changes.added.length} added, ${changes.removed.length} removed, ${changes.renamed.length} renamed, ${changes.reparented.length} re-parented` +
      ` (${changes.respelled.length} respelled only: tone placement, Unicode form, apostrophe or case — not renames)`,
  );
  const section = <T>(title: string, items: T[], line: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length}):`);
    for (const item of items.slice(0, limit)) lines.push(`  ${line(item)}`);
    if (items.length > limit) lines.push(`  … and ${items.length - limit} more (--json lists all)`);
  };
  const where = (parent: string | null) => (parent === null ? '' : ` (under ${parent})`);
  section('Added', changes.added, (u) => `+ ${u.code} ${u.fullName}${where(u.parentCode)}`);
  section('Removed', changes.removed, (u) => `- ${u.code} ${u.fullName}${where(u.parentCode)}`);
  section('Renamed', changes.renamed, (u) => `~ ${u.code} ${u.from} → ${u.to}`);
  section(
    'Re-parented',
    changes.reparented,
    (u) => `> ${u.code} ${u.fullName}: ${u.from.code ?? '-'} ${u.from.fullName ?? ''} → ${u.to.code ?? '-'} ${u.to.fullName ?? ''}`,
  );
  section(
    'Possibly the same unit under a corrected code (listed above as removed + added)',
    changes.possibleRecodes,
    (r) => `${r.from} → ${r.to} ${r.fullName}`,
  );
  lines.push('');
  lines.push(publicationLine(result, options.stored ?? true));
  return lines.join('\n');
}

function publicationLine(result: ImportResult, stored: boolean): string {
  if (!stored) return 'Nothing published: REDIS_URL is not set, so nothing is stored and no catalog-changed event is published.';
  if (result.published === null) return 'Nothing published (dry run, or no change), so no catalog-changed event.';
  const published = `Published ADMINISTRATIVE_UNITS version ${result.published.version} (now current)`;
  return result.eventId === null
    ? `${published}; its catalog-changed event was NOT published (see the error below).`
    : `${published}; announced as catalog-changed event ${result.eventId}.`;
}

export function changeSummary(changes: AdminUnitChanges) {
  return {
    added: changes.added.length,
    removed: changes.removed.length,
    renamed: changes.renamed.length,
    reparented: changes.reparented.length,
    respelled: changes.respelled.length,
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        effective: { type: 'string' },
        label: { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  if (values.effective !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(values.effective) || Number.isNaN(Date.parse(values.effective)))) {
    console.error(`--effective must be a date YYYY-MM-DD (got "${values.effective}")\n${USAGE}`);
    return 2;
  }
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);

  let config;
  try {
    config = loadCatalogsConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    return 1;
  }

  let redis: RedisClient | undefined;
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as unknown;
    let dryRun = values['dry-run'] === true;
    if (config.REDIS_URL !== undefined) {
      redis = await connectRedis(config.REDIS_URL, { name: 'lgsp-catalogs-import' });
    } else if (!dryRun) {
      console.error('REDIS_URL is not set: comparing with the default data only; nothing will be stored and no catalog-changed event published.');
      dryRun = true;
    }
    const store = redis === undefined ? createMemoryCatalogStore() : createRedisCatalogStore(redis, { keyPrefix: config.REDIS_KEY_PREFIX });
    // The event goes to the same Redis as the version, where the subscriptions service reads its topics.
    const events =
      redis === undefined
        ? noCatalogEvents
        : createTopicCatalogEvents(redisEventPublisher(redis, { keyPrefix: config.REDIS_KEY_PREFIX, retention: config.EVENTS_RETENTION }));
    const catalogs = new Catalogs({ store, events, versionCheckIntervalMs: 0 });
    if ((await store.currentVersion('ADMINISTRATIVE_UNITS')) === null) {
      await catalogs.seed(defaultVersion);
      if (redis !== undefined) console.error(`Seeded the default catalogs into Redis at ${redactUrl(config.REDIS_URL!)} first.`);
    }
    const result = await catalogs.importAdministrativeUnits(data, {
      source: `file ${basename(path)}`,
      label: values.label ?? basename(path).replace(/\.json$/i, ''),
      effectiveFrom: values.effective,
      dryRun,
      force: values.force === true,
    });
    console.log(values.json === true ? JSON.stringify(result, null, 2) : formatImportReport(result, { stored: redis !== undefined }));
    return 0;
  } catch (error) {
    if (error instanceof CatalogChangeNotAnnouncedError) {
      console.log(values.json === true ? JSON.stringify(error.result, null, 2) : formatImportReport(error.result));
      console.error(
        `import incomplete: ${error.message}\n` +
          'The version stays published: running services read it anyway; only catalogChanged subscribers were not told. ' +
          'To announce it, run the import again with --force (publishes an identical new version and its event).',
      );
      return EXIT_PUBLISHED_NOT_ANNOUNCED;
    }
    console.error(error instanceof LgspError || error instanceof SyntaxError ? `${path}: ${error.message}` : `import failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await redis?.quit().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/import.ts')) {
  process.exitCode = await main();
}
