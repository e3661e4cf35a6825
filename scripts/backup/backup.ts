/**
 * Making an archive (`npm run backup`): the Redis data of the prefix, the realm export, the configuration files and
 * the audit archive's exported files, with a signed manifest, written as one `.tar.gz` that appears under its final
 * name only once complete (written beside it as `.partial`, synced, renamed). Each backup, failed or not, leaves a
 * `kind: 'operation'` audit record.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { verifyExport } from '@lgsp/audit';
import type { RedisClient } from '@lgsp/kit';
import { checkpointPublicKeys, auditLogAt, auditSummary, operationEntry, operatorName, type AuditSummary } from './audit.ts';
import { collectConfiguration } from './configuration.ts';
import { ensurePlatformIdentity, platformVersion } from './identity.ts';
import { ARCHIVE_FORMAT, MANIFEST_FILE, signManifest, type BackupKey, type Manifest, type ManifestPart, type PartKind } from './manifest.ts';
import { REALM_EXPORT_NOTE, fetchRealmExport, type RealmExportSource } from './realm-export.ts';
import { dumpPrefix } from './redis-snapshot.ts';
import { writeTarGz } from './tar.ts';

export interface BackupOptions {
  redis: RedisClient;
  keyPrefix: string;
  key: BackupKey;
  /** A `.tar.gz` path to create, or an existing directory to create `lgsp-backup-<time>.tar.gz` in. */
  to: string;
  /** Where to fetch the realm export; null: none (the operator said `--without-realm`). */
  realm: RealmExportSource | null;
  configFiles: readonly string[];
  includeSecrets: boolean;
  /** The audit trail's export folder (daily JSON-lines files and their manifest); null: none. */
  auditExportDir: string | null;
  /** AUDIT_SIGNING_KEY_FILE: checks the export's checkpoint signatures. */
  auditSigningKeyFile?: string | undefined;
  /** CLIENT PAUSE … WRITE for at most this long while the keys are dumped; null: no pause. */
  pauseWritesMs: number | null;
  /** The repository root (package version, git commit). */
  root: string;
  by?: string | undefined;
}

export interface BackupResult {
  archive: string;
  bytes: number;
  sha256: string;
  manifest: Manifest;
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Files of a folder given as a part (the audit export): plain names only, no sub-folders. */
const PART_FILE = /^[A-Za-z0-9._-]+$/;

async function archivePath(to: string, at: Date): Promise<string> {
  const info = await stat(to).catch(() => null);
  if (info?.isDirectory()) return join(to, `lgsp-backup-${at.toISOString().replace(/[:.]/g, '-')}.tar.gz`);
  if (!/\.(tar\.gz|tgz)$/.test(to)) throw new Error(`--to ${to}: name an existing directory or a file ending in .tar.gz`);
  if (info !== null) throw new Error(`--to ${to}: the file exists; a backup never overwrites one`);
  if (!(await stat(dirname(to)).catch(() => null))?.isDirectory()) throw new Error(`--to ${to}: the directory ${dirname(to)} does not exist`);
  return to;
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const user = operatorName(options.by);
  const log = auditLogAt(options.redis, options.keyPrefix);
  const work = await mkdtemp(join(tmpdir(), 'lgsp-backup-'));
  let target: string | undefined;
  try {
    await archivePath(options.to, new Date()); // a wrong --to fails before anything is dumped
    const identity = await ensurePlatformIdentity(options.redis, options.keyPrefix);
    const parts: Array<{ path: string; kind: PartKind; file: string }> = [];

    // Redis first: the instant the archive stands for.
    await mkdir(join(work, 'redis'));
    const redisFile = join(work, 'redis', 'keys.jsonl');
    // Paused, the chain's ends are read inside the instant of the dump; unpaused, before it (the dumped stream then
    // holds at least these records, and maybe a few more: restore checks that it contains this head).
    let audit: AuditSummary = options.pauseWritesMs === null ? await auditSummary(log) : { firstSeq: null, firstHash: null, head: null, checkpointKeyId: null };
    const dumped = await dumpPrefix(options.redis, options.keyPrefix, redisFile, {
      pauseWritesMs: options.pauseWritesMs,
      ...(options.pauseWritesMs === null
        ? {}
        : {
            beforeResume: async () => {
              audit = await auditSummary(log);
            },
          }),
    });
    parts.push({ path: 'redis/keys.jsonl', kind: 'redis', file: redisFile });
    target = await archivePath(options.to, dumped.at);

    let realmName: string | null = null;
    if (options.realm !== null) {
      await mkdir(join(work, 'realm'));
      const file = join(work, 'realm', 'realm-export.json');
      await writeFile(file, `${JSON.stringify(await fetchRealmExport(options.realm), null, 2)}\n`, { mode: 0o600 });
      parts.push({ path: 'realm/realm-export.json', kind: 'realm', file });
      realmName = options.realm.realm;
    }

    const configFiles: string[] = [];
    if (options.configFiles.length > 0) {
      await mkdir(join(work, 'configuration'));
      for (const { name, from } of await collectConfiguration(options.configFiles, join(work, 'configuration'), options.includeSecrets)) {
        parts.push({ path: `configuration/${name}`, kind: 'configuration', file: join(work, 'configuration', name) });
        configFiles.push(`${name} ← ${from}`);
      }
    }

    let auditExport: Manifest['auditExport'] = null;
    if (options.auditExportDir !== null) {
      const publicKeys = await checkpointPublicKeys(options.auditSigningKeyFile);
      const verified = await verifyExport(options.auditExportDir, publicKeys.length > 0 ? { publicKey: publicKeys } : {});
      const bad = verified.firstBad;
      auditExport = {
        files: verified.files,
        throughSeq: verified.throughSeq,
        verified: verified.ok,
        problem: bad === undefined ? null : `${bad.file}${bad.seq === undefined ? '' : ` record ${bad.seq}`}: ${bad.reason} (${bad.detail})`,
      };
      await mkdir(join(work, 'audit-export'));
      const names = (await readdir(options.auditExportDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      for (const name of names.sort()) {
        if (!PART_FILE.test(name)) throw new Error(`audit export ${options.auditExportDir}: unexpected file name ${JSON.stringify(name)}`);
        const file = join(work, 'audit-export', name);
        await copyFile(join(options.auditExportDir, name), file);
        parts.push({ path: `audit-export/${name}`, kind: 'audit-export', file });
      }
    }

    const manifestParts: ManifestPart[] = [];
    for (const part of parts) manifestParts.push({ path: part.path, kind: part.kind, ...(await sha256File(part.file)) });
    const manifest = signManifest(
      {
        format: ARCHIVE_FORMAT,
        createdAt: dumped.at.toISOString(),
        platform: identity,
        version: platformVersion(options.root),
        keyPrefix: options.keyPrefix,
        redis: { keys: dumped.keys, types: dumped.types, writesPaused: dumped.writesPaused },
        audit,
        realm: {
          included: realmName !== null,
          name: realmName,
          note: realmName === null ? 'not included (--without-realm)' : REALM_EXPORT_NOTE,
        },
        configuration: { files: configFiles, secretsIncluded: options.includeSecrets },
        auditExport,
        parts: manifestParts,
      },
      options.key,
    );
    const manifestFile = join(work, MANIFEST_FILE);
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });

    const partial = `${target}.partial`;
    await rm(partial, { force: true });
    await writeTarGz(partial, [{ name: MANIFEST_FILE, path: manifestFile }, ...parts.map((p) => ({ name: p.path, path: p.file }))]);
    await rename(partial, target);
    const { sha256, bytes } = await sha256File(target);
    await log.append([
      operationEntry({
        action: 'backup',
        user,
        outcome: 'success',
        durationMs: Date.now() - started,
        bytes,
        details: { archive: basename(target), sha256, platformId: identity.id, keys: dumped.keys, auditHeadSeq: audit.head?.seq ?? null },
      }),
    ]);
    return { archive: target, bytes, sha256, manifest };
  } catch (error) {
    if (target !== undefined) await rm(`${target}.partial`, { force: true });
    await log
      .append([
        operationEntry({
          action: 'backup',
          user,
          outcome: 'error',
          errorCodes: ['BACKUP_FAILED'],
          durationMs: Date.now() - started,
          bytes: null,
          details: { reason: (error as Error).message.slice(0, 300) },
        }),
      ])
      .catch(() => undefined); // the failure itself is what the operator sees; Redis may be what failed
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
