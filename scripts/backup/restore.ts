/**
 * Restoring an archive (`npm run restore`), all or nothing:
 *
 * 1. the WHOLE archive is validated before anything is touched: it unpacks, its manifest parses and carries this
 *    platform's signature (BACKUP_KEY_FILE), every part is listed with its SHA-256 and size and nothing else is there,
 *    the key prefix is this platform's, the platform identity is this platform's (when it has one), every line of the
 *    Redis part is a key record and their count is the manifest's — else INVALID_ARCHIVE with the precise reason;
 * 2. a target holding data under the prefix is refused without `--force` (TARGET_NOT_EMPTY);
 * 3. the keys are RESTOREd under a staging prefix (a payload Redis refuses → INVALID_ARCHIVE), and the staged audit
 *    chain is verified (a broken one → INVALID_ARCHIVE, AUDIT_CHAIN_BROKEN): still nothing of the live data changed;
 * 4. one MULTI/EXEC under WATCH deletes the live keys and renames the staged ones in (RESTORE_CONFLICT if anything
 *    under the prefix moved meanwhile: nothing replaced);
 * 5. the live chain is verified again and reported, and a `kind: 'operation'` record appended.
 *
 * The realm export and the configuration are validated with the rest but not applied: Keycloak imports the realm
 * (`kc.sh import`, or the admin console's partial import) and the operator puts the configuration back, from the
 * archive's `realm/` and `configuration/` (NOTES-backup.md).
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { JWK } from 'jose';
import { verifyExport } from '@lgsp/audit';
import type { RedisClient } from '@lgsp/kit';
import { auditLogAt, operationEntry, operatorName, verifyChainAt, type ChainReport } from './audit.ts';
import { readPlatformIdentity } from './identity.ts';
import { MANIFEST_FILE, manifestSchema, manifestSignatureProblem, type BackupKey, type Manifest } from './manifest.ts';
import { CommitConflictError, commitStaged, keysUnder, readArchivedKeys, stageKeys } from './redis-snapshot.ts';
import { sha256File } from './backup.ts';
import { TarFormatError, extractTarGz } from './tar.ts';

/** Why a restore refused, with a stable code: nothing under the prefix was changed. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
  constructor(
    readonly code: 'INVALID_ARCHIVE' | 'TARGET_NOT_EMPTY' | 'RESTORE_CONFLICT',
    message: string,
    readonly details: Record<string, string | number | boolean | null> = {},
  ) {
    super(message);
  }
}

export interface RestoreOptions {
  redis: RedisClient;
  keyPrefix: string;
  key: BackupKey;
  /** A `.tar.gz` made by `npm run backup`, or a directory it was unpacked into. */
  from: string;
  /** Replace what is under the prefix now. */
  force: boolean;
  by?: string | undefined;
  /** At most this many bytes unpacked (default 64 GiB). */
  maxBytes?: number;
  /** Public keys of the audit checkpoints (AUDIT_SIGNING_KEY_FILE's), to check their signatures too. */
  checkpointKeys?: readonly JWK[];
  /**
   * A new or empty directory to put the archive's other parts in once it verified: `realm/`, `configuration/`,
   * `audit-export/` (what the operator applies by hand: Keycloak's import, the configuration, the audit archive).
   */
  extractTo?: string | undefined;
}

export interface RestoreResult {
  manifest: Manifest;
  restoredKeys: number;
  replacedKeys: number;
  skippedExpiredKeys: number;
  /** The audit chain after the restore (before the restore's own operation record). */
  chain: ChainReport;
}

const invalid = (reason: string, details: Record<string, string | number | boolean | null> = {}) =>
  new RestoreRefusedError('INVALID_ARCHIVE', `invalid archive: ${reason}; nothing was restored`, details);

/** Every file under `dir`, as archive names (`redis/keys.jsonl`). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Step 1: the archive unpacked (when it is a file) and every check of its content; answers the verified manifest. */
async function validateArchive(options: RestoreOptions, dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw invalid(`no ${MANIFEST_FILE} in it (not an archive of npm run backup)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${MANIFEST_FILE} is not JSON`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw invalid(`${MANIFEST_FILE}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const manifest = result.data;
  const signature = manifestSignatureProblem(manifest, options.key);
  if (signature !== null) throw invalid(signature, { keyId: manifest.keyId, platformId: manifest.platform.id });

  // Signed, so the manifest is this platform's own word; now the parts must be what it says.
  const present = new Set((await filesUnder(dir)).filter((f) => f !== MANIFEST_FILE));
  for (const part of manifest.parts) {
    if (!present.delete(part.path)) throw invalid(`part ${part.path} is missing`);
    const { sha256, bytes } = await sha256File(join(dir, part.path));
    if (bytes !== part.bytes) throw invalid(`part ${part.path} has ${bytes} bytes, the manifest says ${part.bytes}`);
    if (sha256 !== part.sha256) throw invalid(`part ${part.path} fails its SHA-256 (damaged)`, { part: part.path });
  }
  if (present.size > 0) throw invalid(`files not in the manifest: ${[...present].slice(0, 5).join(', ')}`);
  if (!manifest.parts.some((p) => p.path === 'redis/keys.jsonl')) throw invalid('it has no Redis part (redis/keys.jsonl)');

  if (manifest.keyPrefix !== options.keyPrefix) {
    throw invalid(`its keys are of prefix ${manifest.keyPrefix}, REDIS_KEY_PREFIX here is ${options.keyPrefix}`);
  }
  const here = await readPlatformIdentity(options.redis, options.keyPrefix);
  if (here !== null && here.id !== manifest.platform.id) {
    throw invalid(`it was made by platform ${manifest.platform.id} (created ${manifest.platform.createdAt}), this Redis holds platform ${here.id}`, {
      archivePlatform: manifest.platform.id,
      targetPlatform: here.id,
    });
  }
  let keys = 0;
  try {
    for await (const _line of readArchivedKeys(join(dir, 'redis/keys.jsonl'))) keys += 1;
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (keys !== manifest.redis.keys) throw invalid(`redis/keys.jsonl holds ${keys} keys, the manifest says ${manifest.redis.keys}`);
  if (manifest.auditExport !== null && manifest.auditExport.verified) {
    const keys = options.checkpointKeys ?? [];
    const verified = await verifyExport(join(dir, 'audit-export'), keys.length > 0 ? { publicKey: keys } : {}).catch((error: Error) => ({
      ok: false,
      firstBad: { file: 'audit-export', reason: 'EDITED', detail: error.message },
    }));
    if (!verified.ok) {
      const bad = verified.firstBad;
      throw invalid(`its audit export does not verify: ${bad?.file ?? ''} ${bad?.reason ?? ''} (${bad?.detail ?? ''})`, { auditChain: 'AUDIT_CHAIN_BROKEN' });
    }
  }
  return manifest;
}

/**
 * The staged chain holds the head the manifest names: the same record (seq and hash), and, for a snapshot taken with
 * writes paused, nothing after it (unpaused, records appended while the keys were dumped may follow).
 */
async function checkAuditHead(redis: RedisClient, stagedPrefix: string, manifest: Manifest, staged: ChainReport): Promise<void> {
  const expected = manifest.audit.head;
  if (expected === null) {
    if (manifest.redis.writesPaused && staged.head !== null) throw invalid(`its audit chain has records up to ${staged.head.seq}, the manifest says none`);
    return;
  }
  const [record] = await auditLogAt(redis, stagedPrefix).range(expected.seq, 1);
  if (record?.seq !== expected.seq || record.hash !== expected.hash) {
    throw invalid(`its audit chain does not hold the head the manifest names (record ${expected.seq})`, { auditChain: 'AUDIT_CHAIN_BROKEN' });
  }
  if (manifest.redis.writesPaused && staged.head?.seq !== expected.seq) {
    throw invalid(`its audit chain ends at ${staged.head?.seq ?? 'nothing'}, the manifest says ${expected.seq}`);
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now();
  const user = operatorName(options.by);
  const info = await stat(options.from).catch(() => null);
  if (info === null) throw new Error(`--from ${options.from}: no such file or directory`);
  const work = info.isDirectory() ? null : await mkdtemp(join(tmpdir(), 'lgsp-restore-'));
  const record = async (outcome: 'success' | 'rejected' | 'error', details: Record<string, string | number | boolean | null>, errorCodes: string[] = []) => {
    try {
      // A refused restore into an empty target writes nothing there (it would no longer be empty for the next attempt).
      if (outcome !== 'success' && (await keysUnder(options.redis, options.keyPrefix)).length === 0) return;
      await auditLogAt(options.redis, options.keyPrefix).append([
        operationEntry({ action: 'restore', user, outcome, errorCodes, durationMs: Date.now() - started, bytes: info.isFile() ? info.size : null, details }),
      ]);
    } catch {
      // Redis itself may be what failed: the command's own answer (exit code, message) is what the operator reads.
    }
  };
  try {
    const dir = work ?? options.from;
    if (work !== null) {
      try {
        await extractTarGz(options.from, work, { maxBytes: options.maxBytes ?? 64 * 1024 ** 3 });
      } catch (error) {
        if (error instanceof TarFormatError) throw invalid(error.message);
        throw error;
      }
    }
    const manifest = await validateArchive(options, dir);
    if (options.extractTo !== undefined) {
      const existing = await readdir(options.extractTo).catch(() => null);
      if (existing !== null && existing.length > 0) throw new Error(`--extract ${options.extractTo}: the directory is not empty`);
      await mkdir(options.extractTo, { recursive: true, mode: 0o700 });
    }

    const live = await keysUnder(options.redis, options.keyPrefix);
    if (live.length > 0 && !options.force) {
      throw new RestoreRefusedError(
        'TARGET_NOT_EMPTY',
        `Redis holds ${live.length} key(s) under ${options.keyPrefix}; pass --force to replace them with the archive (nothing was restored)`,
        { liveKeys: live.length },
      );
    }

    const run = `${new Date().toISOString().replace(/[:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    let staging;
    try {
      staging = await stageKeys(options.redis, options.keyPrefix, run, join(dir, 'redis/keys.jsonl'));
    } catch (error) {
      throw invalid((error as Error).message);
    }
    let committed;
    try {
      const stagedChain = await verifyChainAt(options.redis, staging.prefix, options.checkpointKeys);
      if (!stagedChain.ok) throw invalid(`its audit chain does not verify: ${stagedChain.problem}`, { auditChain: 'AUDIT_CHAIN_BROKEN' });
      await checkAuditHead(options.redis, staging.prefix, manifest, stagedChain);
      committed = await commitStaged(options.redis, options.keyPrefix, staging);
    } catch (error) {
      await staging.discard();
      if (error instanceof CommitConflictError) throw new RestoreRefusedError('RESTORE_CONFLICT', error.message);
      throw error;
    }
    const chain = await verifyChainAt(options.redis, options.keyPrefix, options.checkpointKeys);
    if (options.extractTo !== undefined) {
      for (const part of ['realm', 'configuration', 'audit-export']) {
        if (manifest.parts.some((p) => p.path.startsWith(`${part}/`))) await cp(join(dir, part), join(options.extractTo, part), { recursive: true });
      }
    }
    await record('success', {
      archive: options.from.split('/').at(-1) ?? options.from,
      platformId: manifest.platform.id,
      archiveCreatedAt: manifest.createdAt,
      keys: committed.restored,
      replacedKeys: committed.removed,
      auditChainVerified: chain.ok,
    });
    return { manifest, restoredKeys: committed.restored, replacedKeys: committed.removed, skippedExpiredKeys: staging.skippedExpired, chain };
  } catch (error) {
    const code = error instanceof RestoreRefusedError ? error.code : 'RESTORE_FAILED';
    await record(error instanceof RestoreRefusedError ? 'rejected' : 'error', { reason: (error as Error).message.slice(0, 300) }, [code]);
    throw error;
  } finally {
    if (work !== null) await rm(work, { recursive: true, force: true });
  }
}
