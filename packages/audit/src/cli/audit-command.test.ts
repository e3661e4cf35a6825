/**
 * `npm run audit` as an operator runs it: scripts/audit.ts as a child process, against a real Redis (own key prefix)
 * and against a real audit API on loopback (the monitoring process of `npm start`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { canonicalJson } from '../chain.ts';
import { sampleEntry, subjectA } from '../audit-log.contract.ts';
import { generateSigningJwk, signCheckpoint, signingKeyFromJwk } from '../signing.ts';
import { auditLogsOnRedis, rewriteStream, startAuditServer, TEST_MONITORING_TOKEN, type AuditLogPair } from '../testing.ts';
import type { RedisClient } from '@lgsp/kit';
import type { JWK } from 'jose';
import { runAuditCommand } from './audit-command.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lgsp-audit-cli-'));
const jwk = generateSigningJwk();
const keyFile = join(dir, 'signing.jwk');
writeFileSync(keyFile, JSON.stringify(jwk));
const key = await signingKeyFromJwk(jwk);

/** Runs scripts/audit.ts (async: the test process also serves HTTP). */
function audit(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries({ ...process.env, LOG_LEVEL: 'silent', INIT_CWD: undefined, REDIS_URL: undefined, MONITORING_URL: undefined, ...env }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/audit.ts', ...args], { cwd: repoRoot, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** 40 records on 1–3 December 2026 (Vietnam), a checkpoint at 20. */
async function fill(pair: AuditLogPair) {
  for (let day = 1; day <= 4; day += 1)
    await pair.log.append(
      Array.from({ length: 10 }, (_, i) =>
        sampleEntry({ at: new Date(Date.UTC(2026, 11, day, 3, i)).toISOString(), action: `op-${day}-${i}`, subjects: [subjectA] }),
      ),
    );
  const [r20] = await pair.log.range(20, 1);
  await pair.log.putCheckpoint(await signCheckpoint({ seq: 20, hash: r20!.hash }, key));
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run audit (Redis)', () => {
  let pair: AuditLogPair & { redis: RedisClient; keyPrefix: string };
  let env: Record<string, string>;
  before(async () => {
    pair = await auditLogsOnRedis();
    await fill(pair);
    env = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: pair.keyPrefix, AUDIT_SIGNING_KEY_FILE: keyFile };
  });
  after(async () => {
    await pair.cleanup();
  });

  it('verify: exit 0 and a summary; --from; --json', async () => {
    const all = await audit(['verify'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      /^audit chain verifies: 40 records \(1 to 40\), head 40 [0-9a-f]{16}…, 1 checkpoints matched, 1 signatures checked \(AUDIT_SIGNING_KEY_FILE\) — Redis \(prefix lgsp-test:/,
    );
    const from = await audit(['verify', '--from', '31', '--json'], env);
    assert.equal(from.code, 0, from.stderr);
    assert.deepEqual(JSON.parse(from.stdout), {
      ok: true,
      checked: 10,
      fromSeq: 31,
      toSeq: 40,
      checkpointsMatched: 0,
      signaturesChecked: 1,
      checkpointsBeforeRange: 1,
    });
  });

  it('bad arguments: exit 2 naming the problem (the child process; the other cases in-process, same command)', async () => {
    const inProcess = async (args: readonly string[], extra: Record<string, string> = {}) => {
      let stderr = '';
      const code = await runAuditCommand(args, {
        env: { ...env, ...extra },
        cwd: dir,
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
      });
      return { code, stderr };
    };
    for (const [args, message] of [
      [['verify', '--from', '0'], /--from must be a record number/],
      [['verify', '--fast'], /Unknown option '--fast'/],
      [['erase'], /unknown command "erase"/],
      [['export'], /export needs --to <dir>/],
      [['export', '--to', dir, '--through', 'tomorrow'], /--through must be a day/],
      [['export', '--to', dir, '--through', '2099-01-01'], /--through 2099-01-01: the day is not over/],
      [['verify', '--public-key', 'none.jwk'], /--public-key none\.jwk: cannot read it as a JWK \(ENOENT\)/],
      [['keygen'], /keygen needs --out/],
      [[], /^Usage: /],
    ] as const) {
      const run = await inProcess(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    assert.match((await inProcess(['verify'], { AUDIT_RETENTION_DAYS: '-1' })).stderr, /AUDIT_RETENTION_DAYS/);
    const child = await audit(['verify', '--from', 'x'], env);
    assert.equal(child.code, 2);
    assert.match(child.stderr, /--from must be a record number \(1, 2, …\), not "x"/);
    const unconfigured = await audit(['verify'], {});
    assert.equal(unconfigured.code, 2);
    assert.match(unconfigured.stderr, /no audit log to read: set REDIS_URL/);
    const unreachable = await audit(['verify'], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /REDIS_URL=redis:\/\/127\.0\.0\.1:1: cannot reach Redis/);
  });

  it('keygen writes a private JWK once (mode 0600) and prints the public key', async () => {
    const file = join(dir, 'new.jwk');
    const run = await audit(['keygen', '--out', file], {});
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { keyId: string; publicJwk: { x: string; d?: string } };
    assert.equal(printed.publicJwk.d, undefined, 'the private part is never printed');
    assert.equal((await signingKeyFromJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK)).keyId, printed.keyId);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = await runAuditCommand(['keygen', '--out', file], { env: {}, cwd: dir, stdout: { write: () => true }, stderr: { write: () => true } });
    assert.equal(again, 2, 'never overwritten');
  });

  it('checkpoint signs the head; export archives finished days; verify-export checks them, and names a changed file', async () => {
    const signed = await audit(['checkpoint'], env);
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal((JSON.parse(signed.stdout) as { checkpoint: { seq: number; keyId: string } }).checkpoint.keyId, key.keyId);
    assert.equal((await pair.log.checkpoints()).length, 2);
    const archive = join(dir, 'archive');
    const exported = await audit(['export', '--to', archive, '--through', '2026-12-02'], env);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.trim().split('\n');
    assert.deepEqual(
      lines.slice(0, 2).map((l) => (JSON.parse(l) as { file: string; records: number }).file),
      ['audit-2026-12-01.jsonl', 'audit-2026-12-02.jsonl'],
    );
    assert.match(lines[2]!, /audit export: 2 file\(s\) written to .*archive through record 20 \(AUDIT_RETENTION_DAYS not set: nothing trimmed\)/);
    const [operation] = (await pair.log.range(41, 1)).filter((r) => r.kind === 'operation');
    assert.deepEqual([operation?.action, operation?.details.files], ['audit-export', 2], 'the export is itself recorded');
    const checked = await audit(['verify-export', archive], env);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^audit archive verifies: 2 files, 20 records through record 20, 1 checkpoints matched, 1 signatures checked/);
    const file = join(archive, 'audit-2026-12-02.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('op-2-4', 'op-2-X'));
    const broken = await audit(['verify-export', archive], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /^audit archive does NOT verify: audit-2026-12-02\.jsonl, record 15: EDITED/);
    // Retention: the archive must verify before anything is trimmed.
    const refused = await audit(['export', '--to', archive, '--through', '2026-12-03'], { ...env, AUDIT_RETENTION_DAYS: '1' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /INVALID_ARCHIVE: the archive at .* does not verify .* nothing was trimmed/);
    assert.equal(await pair.log.firstSeq(), 1);
  });

  it('verify: exit 1 naming the record edited in Redis', async () => {
    await rewriteStream(pair.redis, pair.keyPrefix, (entries) =>
      entries.map(({ id, record }) => ({ id, json: canonicalJson(record.seq === 17 ? { ...record, purpose: 'curiosity' } : record) })),
    );
    const run = await audit(['verify'], env);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^audit chain BROKEN at record 17: EDITED — record 17's content does not match its hash .* \(16 records verified before it\)/);
  });
});

describe('npm run audit (the monitoring process over HTTP)', () => {
  it('verifies the log monitoring holds (MONITORING_URL and MONITORING_INTERNAL_TOKEN)', async () => {
    const server = await startAuditServer();
    try {
      await fill({ log: server.log, peer: server.log, cleanup: async () => undefined });
      const run = await audit(['verify'], { MONITORING_URL: server.url, MONITORING_INTERNAL_TOKEN: TEST_MONITORING_TOKEN, AUDIT_SIGNING_KEY_FILE: keyFile });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^audit chain verifies: 40 records .* — http:\/\/127\.0\.0\.1:\d+ \(MONITORING_URL\)/);
      const wrong = await audit(['verify'], { MONITORING_URL: server.url, MONITORING_INTERNAL_TOKEN: 'wrong-token' });
      assert.equal(wrong.code, 3);
      assert.match(wrong.stderr, /HTTP 401 \(a valid MONITORING_INTERNAL_TOKEN is required\)/);
    } finally {
      await server.close();
    }
  });
});
