/** The archive: one JSON-lines file per Vietnam day with a chained manifest, verified offline; retention after export only. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LgspError } from '@lgsp/kit';
import { sampleEntry } from './audit-log.contract.ts';
import { AuditInputError } from './entry-schema.ts';
import { applyRetention, exportDays, readManifest, verifyExport, type ExportManifest } from './export.ts';
import { createMemoryAuditLog } from './memory-audit-log.ts';
import { generateSigningJwk, signCheckpoint, signingKeyFromJwk } from './signing.ts';
import { auditLogsOnRedis } from './testing.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-audit-export-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const key = await signingKeyFromJwk(generateSigningJwk());
/** Vietnam day D of December 2026, at hour h (Vietnam time). */
const at = (day: number, hour: number) => new Date(Date.UTC(2026, 11, day, hour - 7)).toISOString();
const now = new Date(at(5, 12));

async function filledLog() {
  const log = createMemoryAuditLog();
  await log.append([sampleEntry({ at: at(1, 0), action: 'd1-a' }), sampleEntry({ at: at(1, 23), action: 'd1-b' })]);
  await log.append([sampleEntry({ at: at(2, 1), action: 'd2-a' })]);
  await log.putCheckpoint(await signCheckpoint((await log.head())!, key));
  // A late batch: a record of day 1 appended after day 2 began; it goes into day 2's file.
  await log.append([sampleEntry({ at: at(1, 23), action: 'd1-late' }), sampleEntry({ at: at(2, 22), action: 'd2-b' })]);
  await log.append([sampleEntry({ at: at(3, 9), action: 'd3-a' }), sampleEntry({ at: at(5, 9), action: 'd5-a' })]);
  return log;
}

const lines = (dir: string, file: string) =>
  readFileSync(join(dir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { action: string }).action);

describe('audit export', () => {
  it('writes one file per finished Vietnam day with a chained manifest, continues where it stopped, and verifies offline', async () => {
    const log = await filledLog();
    const dir = tempDir();
    const first = await exportDays(log, dir, { throughDay: '2026-12-02', now, pageSize: 2 });
    assert.deepEqual(
      first.written.map((f) => [f.file, f.firstSeq, f.lastSeq, f.records, f.checkpoints.length]),
      [
        ['audit-2026-12-01.jsonl', 1, 2, 2, 0],
        ['audit-2026-12-02.jsonl', 3, 5, 3, 1],
      ],
    );
    assert.deepEqual(lines(dir, 'audit-2026-12-02.jsonl'), ['d2-a', 'd1-late', 'd2-b']);
    assert.deepEqual(await exportDays(log, dir, { throughDay: '2026-12-02', now }), { written: [], throughSeq: 5 }, 'nothing twice');
    const second = await exportDays(log, dir, { now });
    assert.deepEqual(
      second.written.map((f) => f.file),
      ['audit-2026-12-03.jsonl'],
      'through yesterday (day 4): day 5 stays',
    );
    assert.equal(second.throughSeq, 6);
    const check = await verifyExport(dir, { publicKey: key.publicJwk });
    assert.deepEqual(check, { ok: true, files: 3, records: 6, throughSeq: 6, checkpointsMatched: 1, signaturesChecked: 1 });
    assert.deepEqual(readdirSync(dir).sort(), ['audit-2026-12-01.jsonl', 'audit-2026-12-02.jsonl', 'audit-2026-12-03.jsonl', 'manifest.json']);
  });

  it('refuses a day that is not over, and a chain that does not verify', async () => {
    const log = await filledLog();
    await assert.rejects(
      exportDays(log, tempDir(), { throughDay: '2026-12-05', now }),
      (e: unknown) => e instanceof AuditInputError && e.code === 'INVALID_DATE',
    );
    await assert.rejects(
      exportDays(log, tempDir(), { throughDay: '2026-12-32', now }),
      (e: unknown) => e instanceof AuditInputError && e.code === 'INVALID_DATE',
    );
    log.records[2] = { ...log.records[2]!, agency: 'forged' };
    const dir = tempDir();
    await assert.rejects(
      exportDays(log, dir, { now }),
      (e: unknown) => e instanceof LgspError && e.code === 'AUDIT_CHAIN_BROKEN' && /record 3 does not verify/.test(e.message),
    );
    assert.deepEqual(
      (await readManifest(dir))?.files.map((f) => f.file),
      ['audit-2026-12-01.jsonl'],
      'the days before the break are archived',
    );
  });

  describe('verifyExport names what was changed', () => {
    const archive = async () => {
      const dir = tempDir();
      await exportDays(await filledLog(), dir, { now });
      return dir;
    };
    const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ExportManifest;

    it('a record edited in a file', async () => {
      const dir = await archive();
      const path = join(dir, 'audit-2026-12-02.jsonl');
      writeFileSync(path, readFileSync(path, 'utf8').replace('"d1-late"', '"d1-LATE"'));
      const result = await verifyExport(dir);
      assert.deepEqual([result.ok, result.firstBad?.file, result.firstBad?.seq, result.firstBad?.reason], [false, 'audit-2026-12-02.jsonl', 4, 'EDITED']);
    });

    it('a line removed from a file, and a file removed', async () => {
      const dir = await archive();
      const path = join(dir, 'audit-2026-12-02.jsonl');
      writeFileSync(path, readFileSync(path, 'utf8').split('\n').slice(1).join('\n'));
      assert.deepEqual((await verifyExport(dir)).firstBad, {
        file: 'audit-2026-12-02.jsonl',
        seq: 3,
        reason: 'MISSING',
        detail: 'record 3 is missing from audit-2026-12-02.jsonl',
      });
      unlinkSync(join(dir, 'audit-2026-12-01.jsonl'));
      assert.deepEqual((await verifyExport(dir)).firstBad, {
        file: 'audit-2026-12-01.jsonl',
        seq: 1,
        reason: 'MISSING',
        detail: 'audit-2026-12-01.jsonl is missing',
      });
    });

    it('the manifest reordered or edited', async () => {
      const dir = await archive();
      const manifest = manifestOf(dir);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, files: [manifest.files[1], manifest.files[0], manifest.files[2]] }));
      assert.equal((await verifyExport(dir)).firstBad?.reason, 'REORDERED');
      manifest.files[0]!.sha256 = '0'.repeat(64);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
      assert.deepEqual([(await verifyExport(dir)).firstBad?.file, (await verifyExport(dir)).firstBad?.reason], ['manifest.json', 'EDITED']);
      writeFileSync(join(dir, 'manifest.json'), '{"format":"something else"}');
      await assert.rejects(verifyExport(dir), (e: unknown) => e instanceof LgspError && e.code === 'INVALID_ARCHIVE');
      await assert.rejects(verifyExport(tempDir()), (e: unknown) => e instanceof LgspError && e.code === 'INVALID_ARCHIVE');
    });
  });

  it('retention trims old records only once they are archived (Redis)', async () => {
    const { log, cleanup } = await auditLogsOnRedis();
    try {
      const dir = tempDir();
      for (const day of [1, 2, 3, 4]) await log.append([sampleEntry({ at: at(day, 10), action: `d${day}` })]);
      const later = new Date(at(6, 12));
      assert.deepEqual(await applyRetention(log, { retentionDays: 2, exportDir: dir, now: later }), {
        trimmed: 0,
        throughSeq: null,
        keptUnexported: true,
        cutoffDay: '2026-12-04',
      });
      await exportDays(log, dir, { throughDay: '2026-12-02', now: later });
      assert.deepEqual(await applyRetention(log, { retentionDays: 2, exportDir: dir, now: later }), {
        trimmed: 2,
        throughSeq: 2,
        keptUnexported: true,
        cutoffDay: '2026-12-04',
      });
      await exportDays(log, dir, { now: later });
      assert.deepEqual(await applyRetention(log, { retentionDays: 2, exportDir: dir, now: later }), {
        trimmed: 1,
        throughSeq: 3,
        keptUnexported: false,
        cutoffDay: '2026-12-04',
      });
      assert.equal(await log.firstSeq(), 4, 'day 4 is inside the retention');
      assert.equal((await applyRetention(log, { retentionDays: 0, exportDir: dir, now: later })).trimmed, 0);
      // A damaged archive: nothing is trimmed.
      writeFileSync(join(dir, 'audit-2026-12-01.jsonl'), 'x\n');
      await assert.rejects(
        applyRetention(log, { retentionDays: 1, exportDir: dir, now: later }),
        (e: unknown) => e instanceof LgspError && e.code === 'INVALID_ARCHIVE' && /nothing was trimmed/.test(e.message),
      );
      assert.equal(await log.firstSeq(), 4);
    } finally {
      await cleanup();
    }
  });
});
