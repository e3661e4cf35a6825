/**
 * The archive's manifest (`manifest.json`): what each part is, its SHA-256 and size, which platform made it (its
 * identity, version, key prefix, audit chain head) and when, signed with HMAC-SHA256 under the platform's backup key
 * (BACKUP_KEY_FILE). A restore trusts nothing in an archive before this signature and every checksum verified: an
 * archive of another platform (another key, another identity) or an altered one is refused as INVALID_ARCHIVE.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { canonicalJson } from '@lgsp/audit';

export const ARCHIVE_FORMAT = 'lgsp-backup/1';
export const MANIFEST_FILE = 'manifest.json';

/** What a part holds (the folder it sits in inside the archive). */
export const PART_KINDS = ['redis', 'realm', 'configuration', 'audit-export'] as const;
export type PartKind = (typeof PART_KINDS)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

const partSchema = z.object({
  /** Name inside the archive (`redis/keys.jsonl`). */
  path: z.string().regex(/^[a-z-]+\/[A-Za-z0-9._-]+$/, 'must be <kind>/<file name>'),
  kind: z.enum(PART_KINDS),
  bytes: z.number().int().min(0),
  sha256: sha256Hex,
});
export type ManifestPart = z.infer<typeof partSchema>;

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  /** When the Redis snapshot was taken (ISO instant). */
  createdAt: z.iso.datetime(),
  /** The installation this archive belongs to (platform.ts: `<prefix>platform:identity`). */
  platform: z.object({ id: z.uuid(), createdAt: z.iso.datetime() }),
  /** Which code made it: the root package's version and, when known, the git commit. */
  version: z.object({ package: z.string(), commit: z.string().nullable() }),
  /** REDIS_KEY_PREFIX of the platform; the archive's keys are stored relative to it. */
  keyPrefix: z.string(),
  redis: z.object({
    keys: z.number().int().min(0),
    /** Keys per Redis type (`stream`, `hash`, …). */
    types: z.record(z.string(), z.number().int().min(0)),
    /** Whether writes were paused while the keys were dumped (a point-in-time snapshot of the prefix). */
    writesPaused: z.boolean(),
  }),
  /** The audit chain in the snapshot: its first and last record, and the key that signed its last checkpoint. */
  audit: z.object({
    firstSeq: z.number().int().nullable(),
    firstHash: sha256Hex.nullable(),
    head: z.object({ seq: z.number().int(), hash: sha256Hex }).nullable(),
    checkpointKeyId: z.string().nullable(),
  }),
  realm: z.object({ included: z.boolean(), name: z.string().nullable(), note: z.string() }),
  configuration: z.object({ files: z.array(z.string()), secretsIncluded: z.boolean() }),
  /** The audit trail's export (`audit-export/`), as @lgsp/audit's verifyExport found it when archived; null: not included. */
  auditExport: z.object({ files: z.number().int().min(0), throughSeq: z.number().int(), verified: z.boolean(), problem: z.string().nullable() }).nullable(),
  parts: z.array(partSchema),
  /** Which backup key signed it: the first 16 hex digits of its SHA-256 (names the key, reveals nothing). */
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  /** HMAC-SHA256 (hex) under the backup key over the canonical JSON of every other field. */
  signature: sha256Hex,
});
export type Manifest = z.infer<typeof manifestSchema>;
export type UnsignedManifest = Omit<Manifest, 'keyId' | 'signature'>;

/** The platform's backup key, read from BACKUP_KEY_FILE: at least 32 bytes, hex or raw. */
export interface BackupKey {
  id: string;
  secret: Buffer;
}

export async function readBackupKey(file: string): Promise<BackupKey> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (error) {
    throw new Error(`BACKUP_KEY_FILE: cannot read ${file} (${(error as Error).message})`);
  }
  const text = raw.toString('utf8').trim();
  const secret = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : raw;
  if (secret.length < 32) throw new Error(`BACKUP_KEY_FILE: ${file} must hold at least 32 random bytes (64 hex digits); it holds ${secret.length}`);
  return { id: createHash('sha256').update(secret).digest('hex').slice(0, 16), secret };
}

function mac(key: BackupKey, manifest: UnsignedManifest & { keyId: string }): string {
  return createHmac('sha256', key.secret).update(canonicalJson(manifest)).digest('hex');
}

export function signManifest(manifest: UnsignedManifest, key: BackupKey): Manifest {
  const withKey = { ...manifest, keyId: key.id };
  return { ...withKey, signature: mac(key, withKey) };
}

/**
 * Checks the signature; answers null when it holds, else the precise reason: another key (a foreign platform's
 * archive, or this platform's before a key rotation) or the same key with a different MAC (the manifest was altered).
 */
export function manifestSignatureProblem(manifest: Manifest, key: BackupKey): string | null {
  if (manifest.keyId !== key.id) {
    return `the archive was signed with backup key ${manifest.keyId}, this platform's BACKUP_KEY_FILE is key ${key.id}: it was made by another platform (or before a key rotation)`;
  }
  const { signature, ...signed } = manifest;
  const expected = Buffer.from(mac(key, signed), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
    ? null
    : 'the manifest signature does not match: the manifest was altered after it was signed';
}
