/**
 * The audit archive (issue 17: "export to files, JSON lines, one per day, with their own chain for archiving"):
 * `exportDays` writes the records of each finished Vietnam day to `audit-<day>.jsonl` (one record's canonical JSON per
 * line, in seq order) and keeps `manifest.json` beside them: each file's SHA-256, seq range, last record hash and the
 * checkpoints that fall in it, each file's entry hashing the previous entry's hash (so a file removed, replaced or
 * reordered breaks the manifest's own chain). `verifyExport` checks all of it offline: the manifest chain, every
 * file's digest, every record's hash and link across files, every checkpoint (and its signature when keys are given).
 *
 * A record goes into the file of its Vietnam day, or of a later day when it was appended after that day's file was
 * made (a writer's late batch): files never go back in time, and together they hold every seq once, in order.
 * An export run continues after the manifest's last record; it exports only finished days (through yesterday by
 * default), checks the chain as it goes and refuses to export a broken one (`AUDIT_CHAIN_BROKEN`).
 *
 * Retention (`applyRetention`, `AUDIT_RETENTION_DAYS`) trims only records that are both older than the retention and
 * in an archive that verifies: never an unexported record.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { JWK } from 'jose';
import type { AuditLog } from './audit-log.ts';
import { canonicalJson, entryOf, recordHash } from './chain.ts';
import type { Checkpoint } from './checkpoint.ts';
import { AuditInputError } from './entry-schema.ts';
import { GENESIS_HASH, type AuditRecord } from './record.ts';
import { checkpointSignatureProblem } from './signing.ts';
import { vietnamDay } from './statistics.ts';
import type { VerifyReason } from './verify.ts';

export const MANIFEST_FILE = 'manifest.json';
export const EXPORT_FORMAT = 'lgsp-audit-export/1';

export interface ExportFileEntry {
  /** The Vietnam day (yyyy-mm-dd) the file holds. */
  day: string;
  /** `audit-<day>.jsonl`. */
  file: string;
  firstSeq: number;
  lastSeq: number;
  records: number;
  /** SHA-256 (hex) of the file's bytes. */
  sha256: string;
  /** The hash of the file's last record (the next file's first record links to it). */
  lastHash: string;
  /** The signed checkpoints of records in this file. */
  checkpoints: Checkpoint[];
  /** The previous entry's `entryHash` (64 zeros for the first). */
  prevEntryHash: string;
  /** SHA-256 over `prevEntryHash` and the canonical JSON of the other fields. */
  entryHash: string;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  /** The record before the first exported one: its seq and hash (0 and 64 zeros when the archive starts at record 1). */
  anchor: { seq: number; hash: string };
  /** The last record exported (the anchor's seq when none yet). */
  throughSeq: number;
  files: ExportFileEntry[];
}

export interface ExportResult {
  /** The files written by this run. */
  written: ExportFileEntry[];
  /** The last record in the archive. */
  throughSeq: number;
}

const entryHashOf = (entry: Omit<ExportFileEntry, 'entryHash'>) => {
  const { prevEntryHash, ...rest } = entry;
  return createHash('sha256').update(prevEntryHash).update('\n').update(canonicalJson(rest)).digest('hex');
};

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function readManifest(dir: string): Promise<ExportManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const manifest = JSON.parse(text) as ExportManifest;
  if (manifest.format !== EXPORT_FORMAT || !Array.isArray(manifest.files))
    throw new LgspError(ErrorCode.INVALID_ARCHIVE, `${join(dir, MANIFEST_FILE)} is not an audit export manifest (${EXPORT_FORMAT})`);
  return manifest;
}

async function writeManifest(dir: string, manifest: ExportManifest): Promise<void> {
  const temporary = join(dir, `.${MANIFEST_FILE}.tmp`);
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o640 });
  await rename(temporary, join(dir, MANIFEST_FILE));
}

/**
 * Exports the records after the archive's last one, day by day, through `throughDay` (default: yesterday in Vietnam
 * time; a day not yet over is refused). Writes each file, then the manifest (a crash leaves the archive as it was
 * before the file). Answers the files written.
 */
export async function exportDays(log: AuditLog, dir: string, options: { throughDay?: string; now?: Date; pageSize?: number } = {}): Promise<ExportResult> {
  const now = options.now ?? new Date();
  const today = vietnamDay(now.toISOString());
  const throughDay = options.throughDay ?? vietnamDay(new Date(now.getTime() - 86_400_000).toISOString());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(throughDay) || Number.isNaN(Date.parse(`${throughDay}T00:00:00Z`)))
    throw new AuditInputError(ErrorCode.INVALID_DATE, `--through ${throughDay}: must be a day yyyy-mm-dd`);
  if (throughDay >= today)
    throw new AuditInputError(ErrorCode.INVALID_DATE, `--through ${throughDay}: the day is not over in Vietnam time (today is ${today})`);
  const pageSize = options.pageSize ?? 5_000;
  await mkdir(dir, { recursive: true });
  const existing = await readManifest(dir);
  const first = await log.firstSeq();
  let manifest: ExportManifest;
  if (existing !== null) manifest = existing;
  else {
    if (first === null) return { written: [], throughSeq: 0 };
    const [record] = await log.range(first, 1);
    manifest = { format: EXPORT_FORMAT, anchor: { seq: first - 1, hash: record!.prevHash }, throughSeq: first - 1, files: [] };
  }
  const lastFile = manifest.files.at(-1);
  if (lastFile !== undefined && lastFile.day >= throughDay) return { written: [], throughSeq: manifest.throughSeq };
  if (first !== null && first > manifest.throughSeq + 1)
    throw new LgspError(
      ErrorCode.AUDIT_CHAIN_BROKEN,
      `records ${manifest.throughSeq + 1} to ${first - 1} are no longer in the log but were never exported to ${dir}`,
    );
  const checkpoints = await log.checkpoints();
  let previous = { seq: manifest.throughSeq, hash: lastFile?.lastHash ?? manifest.anchor.hash };
  let fileDay: string | null = lastFile === undefined ? null : nextDay(lastFile.day);
  const written: ExportFileEntry[] = [];

  interface OpenFile {
    day: string;
    path: string;
    handle: Awaited<ReturnType<typeof open>>;
    digest: ReturnType<typeof createHash>;
    firstSeq: number;
    lastSeq: number;
    lastHash: string;
    records: number;
    buffer: string[];
  }
  let current: OpenFile | null = null;
  const flushBuffer = async (file: OpenFile) => {
    if (file.buffer.length === 0) return;
    const text = file.buffer.join('');
    file.buffer = [];
    file.digest.update(text);
    await file.handle.write(text);
  };
  const finish = async (file: OpenFile) => {
    await flushBuffer(file);
    await file.handle.sync();
    await file.handle.close();
    const name = `audit-${file.day}.jsonl`;
    if (existsSync(join(dir, name))) throw new LgspError(ErrorCode.INVALID_ARCHIVE, `${join(dir, name)} exists but is not in the manifest: move it away first`);
    await rename(file.path, join(dir, name));
    const entry: Omit<ExportFileEntry, 'entryHash'> = {
      day: file.day,
      file: name,
      firstSeq: file.firstSeq,
      lastSeq: file.lastSeq,
      records: file.records,
      sha256: file.digest.digest('hex'),
      lastHash: file.lastHash,
      checkpoints: checkpoints.filter((c) => c.seq >= file.firstSeq && c.seq <= file.lastSeq),
      prevEntryHash: manifest.files.at(-1)?.entryHash ?? GENESIS_HASH,
    };
    const complete = { ...entry, entryHash: entryHashOf(entry) };
    manifest.files.push(complete);
    manifest.throughSeq = file.lastSeq;
    await writeManifest(dir, manifest);
    written.push(complete);
  };

  try {
    pages: for (let from = manifest.throughSeq + 1; ;) {
      const page: AuditRecord[] = await log.range(from, pageSize);
      for (const record of page) {
        const day = vietnamDay(record.at);
        const target = fileDay === null || day > fileDay ? day : fileDay;
        if (target > throughDay) break pages;
        if (current !== null && current.day !== target) {
          // The day before is complete: archive it even if this record does not verify.
          await finish(current);
          current = null;
        }
        if (record.seq !== previous.seq + 1 || record.prevHash !== previous.hash || recordHash(entryOf(record), record.seq, record.prevHash) !== record.hash)
          throw new LgspError(
            ErrorCode.AUDIT_CHAIN_BROKEN,
            `record ${previous.seq + 1} does not verify (run \`npm run audit -- verify\`); nothing after record ${manifest.throughSeq} was exported`,
          );
        if (current === null) {
          const path = join(dir, `.audit-${target}.jsonl.tmp`);
          current = {
            day: target,
            path,
            handle: await open(path, 'w', 0o640),
            digest: createHash('sha256'),
            firstSeq: record.seq,
            lastSeq: record.seq,
            lastHash: record.hash,
            records: 0,
            buffer: [],
          };
          fileDay = target;
        }
        current.buffer.push(`${canonicalJson(record)}\n`);
        current.lastSeq = record.seq;
        current.lastHash = record.hash;
        current.records += 1;
        if (current.buffer.length >= 1_000) await flushBuffer(current);
        previous = { seq: record.seq, hash: record.hash };
      }
      if (page.length < pageSize) break;
      from = page.at(-1)!.seq + 1;
    }
    if (current !== null) {
      await finish(current);
      current = null;
    }
  } finally {
    if (current !== null) {
      await current.handle.close().catch(() => undefined);
      await rm(current.path, { force: true });
    }
  }
  return { written, throughSeq: manifest.throughSeq };
}

export interface ExportProblem {
  /** The file (or `manifest.json`). */
  file: string;
  seq?: number;
  reason: VerifyReason;
  detail: string;
}

export interface VerifyExportResult {
  ok: boolean;
  files: number;
  records: number;
  /** The last record of the archive. */
  throughSeq: number;
  checkpointsMatched: number;
  signaturesChecked: number;
  firstBad?: ExportProblem;
}

/** Checks an archive offline (see the module comment). A missing or unreadable manifest is INVALID_ARCHIVE. */
export async function verifyExport(dir: string, options: { publicKey?: JWK | readonly JWK[] } = {}): Promise<VerifyExportResult> {
  const manifest = await readManifest(dir);
  if (manifest === null) throw new LgspError(ErrorCode.INVALID_ARCHIVE, `${dir} has no ${MANIFEST_FILE}: not an audit archive`);
  const keys = options.publicKey === undefined ? [] : Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey as JWK];
  const result: VerifyExportResult = { ok: true, files: 0, records: 0, throughSeq: manifest.throughSeq, checkpointsMatched: 0, signaturesChecked: 0 };
  const fail = (problem: ExportProblem) => ({ ...result, ok: false, firstBad: problem });
  let prevEntryHash = GENESIS_HASH;
  let previous = { ...manifest.anchor };
  for (const entry of manifest.files) {
    const { entryHash, ...rest } = entry;
    if (entry.prevEntryHash !== prevEntryHash || entryHashOf(rest) !== entryHash)
      return fail({
        file: MANIFEST_FILE,
        seq: entry.firstSeq,
        reason: entry.prevEntryHash !== prevEntryHash ? 'REORDERED' : 'EDITED',
        detail: `the manifest's entry of ${entry.file} ${entry.prevEntryHash !== prevEntryHash ? 'does not link to the entry before it' : 'was changed'}`,
      });
    prevEntryHash = entryHash;
    const path = join(dir, entry.file);
    if (!existsSync(path)) return fail({ file: entry.file, seq: entry.firstSeq, reason: 'MISSING', detail: `${entry.file} is missing` });
    const digest = createHash('sha256');
    const checkpoints = new Map(entry.checkpoints.map((c) => [c.seq, c]));
    for (const checkpoint of entry.checkpoints) {
      if (keys.length === 0) break;
      result.signaturesChecked += 1;
      const problem = await checkpointSignatureProblem(checkpoint, keys);
      if (problem !== null)
        return fail({ file: entry.file, seq: checkpoint.seq, reason: 'BAD_SIGNATURE', detail: `the checkpoint of record ${checkpoint.seq}: ${problem}` });
    }
    let records = 0;
    const stream = createReadStream(path);
    stream.on('data', (chunk) => digest.update(chunk));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let problem: ExportProblem | undefined;
    for await (const line of lines) {
      if (problem !== undefined) continue;
      let record: AuditRecord;
      try {
        record = JSON.parse(line) as AuditRecord;
      } catch {
        problem = { file: entry.file, seq: previous.seq + 1, reason: 'EDITED', detail: `line ${records + 1} of ${entry.file} is not JSON` };
        continue;
      }
      const expected = previous.seq + 1;
      if (record.seq !== expected) {
        problem = {
          file: entry.file,
          seq: Math.min(expected, record.seq),
          reason: record.seq > expected ? 'MISSING' : 'REORDERED',
          detail:
            record.seq > expected
              ? `record ${expected} is missing from ${entry.file}`
              : `record ${record.seq} stands after record ${expected - 1} in ${entry.file}`,
        };
      } else if (recordHash(entryOf(record), record.seq, record.prevHash) !== record.hash) {
        problem = { file: entry.file, seq: record.seq, reason: 'EDITED', detail: `record ${record.seq} in ${entry.file} does not match its hash` };
      } else if (record.prevHash !== previous.hash) {
        problem = {
          file: entry.file,
          seq: previous.seq,
          reason: 'EDITED',
          detail: `record ${record.seq} in ${entry.file} links to another record ${previous.seq}`,
        };
      } else if (checkpoints.has(record.seq) && checkpoints.get(record.seq)!.hash !== record.hash) {
        problem = { file: entry.file, seq: record.seq, reason: 'CHECKPOINT_MISMATCH', detail: `the checkpoint of record ${record.seq} names another hash` };
      } else {
        if (checkpoints.has(record.seq)) result.checkpointsMatched += 1;
        previous = { seq: record.seq, hash: record.hash };
        records += 1;
      }
    }
    if (problem !== undefined) return fail(problem);
    if (digest.digest('hex') !== entry.sha256)
      return fail({ file: entry.file, seq: entry.firstSeq, reason: 'EDITED', detail: `${entry.file}'s SHA-256 is not the manifest's (the file was changed)` });
    if (previous.seq !== entry.lastSeq || previous.hash !== entry.lastHash || records !== entry.records)
      return fail({
        file: entry.file,
        seq: previous.seq + 1,
        reason: 'MISSING',
        detail: `${entry.file} ends at record ${previous.seq}, the manifest says ${entry.lastSeq}`,
      });
    result.files += 1;
    result.records += records;
  }
  if (previous.seq !== manifest.throughSeq)
    return fail({
      file: MANIFEST_FILE,
      seq: previous.seq + 1,
      reason: 'MISSING',
      detail: `the files end at record ${previous.seq}, the manifest says ${manifest.throughSeq}`,
    });
  return result;
}

export interface RetentionResult {
  /** Records removed from the log. */
  trimmed: number;
  /** The last seq removed (null when none). */
  throughSeq: number | null;
  /** Records older than the retention kept because they are not in the archive yet. */
  keptUnexported: boolean;
  /** Days before this one (Vietnam time) are past the retention. */
  cutoffDay: string;
}

/**
 * Trims the records older than `retentionDays` Vietnam days that are in the archive at `exportDir` (which must
 * verify first). Never trims a record that is not exported. `retentionDays` 0 trims nothing.
 */
export async function applyRetention(
  log: AuditLog,
  options: { retentionDays: number; exportDir: string; now?: Date; publicKey?: JWK | readonly JWK[] },
): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const cutoffDay = vietnamDay(new Date(now.getTime() - options.retentionDays * 86_400_000).toISOString());
  const nothing = { trimmed: 0, throughSeq: null, keptUnexported: false, cutoffDay };
  if (options.retentionDays <= 0) return nothing;
  const manifest = await readManifest(options.exportDir);
  const first = await log.firstSeq();
  if (first === null) return nothing;
  const exported = manifest?.throughSeq ?? 0;
  if (manifest !== null) {
    const check = await verifyExport(options.exportDir, options.publicKey === undefined ? {} : { publicKey: options.publicKey });
    if (!check.ok)
      throw new LgspError(
        ErrorCode.INVALID_ARCHIVE,
        `the archive at ${options.exportDir} does not verify (${check.firstBad!.file}: ${check.firstBad!.detail}); nothing was trimmed`,
      );
  }
  let through: number | null = null;
  let keptUnexported = false;
  scan: for (let from = first; ;) {
    const page = await log.range(from, 5_000);
    for (const record of page) {
      if (vietnamDay(record.at) >= cutoffDay) break scan;
      if (record.seq > exported) {
        keptUnexported = true;
        break scan;
      }
      through = record.seq;
    }
    if (page.length < 5_000) break;
    from = page.at(-1)!.seq + 1;
  }
  if (through === null) return { ...nothing, keptUnexported };
  return { trimmed: await log.trim(through), throughSeq: through, keptUnexported, cutoffDay };
}
