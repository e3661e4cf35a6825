/**
 * `npm run --silent audit -- <command>`: the operators' audit commands (scripts/audit.ts runs `runAuditCommand`).
 *
 *   verify [--from <seq>] [--public-key <file>] [--json]   check the chain end to end (or from a seq)
 *   export [--to <dir>] [--through <yyyy-mm-dd>]           archive finished Vietnam days (then retention, if set)
 *   verify-export [<dir>] [--public-key <file>] [--json]   check an archive offline
 *   checkpoint                                             sign the head now
 *   keygen --out <file>                                    write a new Ed25519 signing key (private JWK, mode 0600)
 *
 * Where the log is: `REDIS_URL` (+ `REDIS_KEY_PREFIX`), else `MONITORING_URL` + `MONITORING_INTERNAL_TOKEN`, else
 * the monitoring process of the `npm start` running in this checkout (its record in the temporary directory).
 * Exit codes: 0 done (the chain or archive verifies), 1 the chain or archive does not verify (the first broken record
 * named), 2 bad arguments or configuration, 3 the log or a file could not be read or written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { connectRedis, LgspError, type RedisClient } from '@lgsp/kit';
import type { AuditLog } from '../audit-log.ts';
import { AuditInputError } from '../entry-schema.ts';
import { applyRetention, exportDays, verifyExport } from '../export.ts';
import { createHttpAuditLog } from '../http/http-audit-log.ts';
import { createRedisAuditLog } from '../redis/redis-audit-log.ts';
import { AuditKeyError, auditSigningKey, developmentSigningJwk, generateSigningJwk, signCheckpoint, signingKeyFromJwk } from '../signing.ts';
import { verifyChain } from '../verify.ts';

export const AUDIT_USAGE = `Usage: npm run --silent audit -- <command>

  verify [--from <seq>] [--public-key <file>] [--json]
      Check the audit chain end to end (or from record <seq>): every hash, every link, every checkpoint.
      Exit 0 when it verifies, 1 naming the first broken or missing record.
  export [--to <dir>] [--through <yyyy-mm-dd>]
      Archive the finished Vietnam days not yet archived (through yesterday by default) to <dir>
      (default AUDIT_EXPORT_DIR): audit-<day>.jsonl files and manifest.json. With AUDIT_RETENTION_DAYS > 0,
      then removes from the log the archived records older than that.
  verify-export [<dir>] [--public-key <file>] [--json]
      Check an archive offline (default AUDIT_EXPORT_DIR). Exit 0 when it verifies, 1 naming the first problem.
  checkpoint
      Sign the head of the chain now (AUDIT_SIGNING_KEY_FILE).
  keygen --out <file>
      Write a new Ed25519 signing key (private JWK, mode 0600) for AUDIT_SIGNING_KEY_FILE; prints its public JWK.

The log: REDIS_URL (and REDIS_KEY_PREFIX), else MONITORING_URL and MONITORING_INTERNAL_TOKEN, else the running
\`npm start\` of this checkout. Signatures are checked with --public-key (a JWK, a private JWK or a JWK set), else with
AUDIT_SIGNING_KEY_FILE's public key, else (NODE_ENV not production) with the development key.
Exit codes: 0 ok, 1 does not verify, 2 bad arguments or configuration, 3 the log or a file failed.`;

export interface AuditCommandIo {
  env: Record<string, string | undefined>;
  /** Where relative paths are resolved (the operator's directory). */
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export interface AuditCommandDeps {
  /** The monitoring process of the running `npm start`, if any (scripts/running-platform.ts). */
  runningMonitoring?: () => { url: string; token: string } | undefined;
  /** Now (tests). */
  now?: () => Date;
}

/** A mistake in the arguments or the configuration: exit 2. */
class UsageError extends Error {}

interface Opened {
  log: AuditLog;
  where: string;
  close(): Promise<void>;
}

async function openLog(env: AuditCommandIo['env'], deps: AuditCommandDeps): Promise<Opened> {
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '') {
    const prefix = env.REDIS_KEY_PREFIX || 'lgsp:';
    if (!/^[A-Za-z0-9_.:-]+:$/.test(prefix)) throw new UsageError(`REDIS_KEY_PREFIX: must be letters, digits, _ . - : and end with ":" (got "${prefix}")`);
    const redis: RedisClient = await connectRedis(env.REDIS_URL, { name: 'lgsp-audit-cli' });
    const log = createRedisAuditLog(redis, { keyPrefix: prefix });
    return {
      log,
      where: `Redis (prefix ${prefix})`,
      async close() {
        await log.close();
        await redis.quit();
      },
    };
  }
  const running = env.MONITORING_URL === undefined || env.MONITORING_URL === '' ? deps.runningMonitoring?.() : undefined;
  const url = running?.url ?? env.MONITORING_URL;
  const token = running?.token ?? env.MONITORING_INTERNAL_TOKEN;
  if (url === undefined || url === '')
    throw new UsageError(
      'no audit log to read: set REDIS_URL (and REDIS_KEY_PREFIX), or MONITORING_URL and MONITORING_INTERNAL_TOKEN, or run `npm start` in this checkout',
    );
  if (token === undefined || token === '') throw new UsageError('MONITORING_URL is set without MONITORING_INTERNAL_TOKEN');
  const log = createHttpAuditLog({ baseUrl: url, token, timeoutMs: 60_000 });
  return { log, where: `${url} (${running === undefined ? 'MONITORING_URL' : 'the running npm start'})`, close: () => log.close() };
}

/** The public keys to check signatures with. */
async function publicKeys(file: string | undefined, io: AuditCommandIo): Promise<{ keys: JWK[]; from: string }> {
  if (file !== undefined) {
    let parsed: JWK & { keys?: JWK[] };
    try {
      parsed = JSON.parse(readFileSync(resolve(io.cwd, file), 'utf8')) as JWK & { keys?: JWK[] };
    } catch (error) {
      throw new UsageError(`--public-key ${file}: cannot read it as a JWK (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const list = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
    if (list.some((k) => k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string')) throw new UsageError(`--public-key ${file}: not Ed25519 JWKs`);
    return { keys: list.map((k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.x! })), from: file };
  }
  if (io.env.AUDIT_SIGNING_KEY_FILE !== undefined && io.env.AUDIT_SIGNING_KEY_FILE !== '') {
    const key = await auditSigningKey({ AUDIT_SIGNING_KEY_FILE: resolve(io.cwd, io.env.AUDIT_SIGNING_KEY_FILE) });
    return { keys: [key.publicJwk], from: 'AUDIT_SIGNING_KEY_FILE' };
  }
  if (io.env.NODE_ENV === 'production') return { keys: [], from: 'none' };
  return { keys: [(await signingKeyFromJwk(developmentSigningJwk())).publicJwk], from: 'the development key' };
}

const positiveSeq = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw new UsageError(`${name} must be a record number (1, 2, …), not "${value}"`);
  return Number(value);
};

const operatorOf = (env: AuditCommandIo['env']) => {
  try {
    return env.LGSP_OPERATOR ?? userInfo().username;
  } catch {
    return null;
  }
};

export async function runAuditCommand(argv: readonly string[], io: AuditCommandIo, deps: AuditCommandDeps = {}): Promise<number> {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? err : out)(AUDIT_USAGE);
    return command === undefined ? 2 : 0;
  }
  let opened: Opened | undefined;
  try {
    const options = {
      verify: { from: { type: 'string' }, 'public-key': { type: 'string' }, json: { type: 'boolean' } },
      export: { to: { type: 'string' }, through: { type: 'string' } },
      'verify-export': { 'public-key': { type: 'string' }, json: { type: 'boolean' } },
      checkpoint: {},
      keygen: { out: { type: 'string' } },
    } as const;
    if (!(command in options)) throw new UsageError(`unknown command "${command}" (verify, export, verify-export, checkpoint, keygen; --help)`);
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({
        args: [...rest],
        options: options[command as keyof typeof options] as Record<string, { type: 'string' | 'boolean' }>,
        allowPositionals: command === 'verify-export',
        strict: true,
      }) as typeof parsed;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    const path = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));

    if (command === 'keygen') {
      if (typeof values.out !== 'string') throw new UsageError('keygen needs --out <file>');
      const file = path(values.out);
      if (existsSync(file)) throw new UsageError(`${file} exists: a signing key is never overwritten`);
      const jwk = generateSigningJwk();
      writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
      const key = await signingKeyFromJwk(jwk);
      out(JSON.stringify({ written: file, keyId: key.keyId, publicJwk: key.publicJwk }));
      return 0;
    }

    if (command === 'verify-export') {
      const dir = positionals[0] ?? io.env.AUDIT_EXPORT_DIR;
      if (dir === undefined || dir === '') throw new UsageError('verify-export needs the archive folder (or AUDIT_EXPORT_DIR)');
      if (positionals.length > 1) throw new UsageError('verify-export takes one folder');
      const { keys, from } = await publicKeys(values['public-key'] as string | undefined, io);
      const result = await verifyExport(path(dir), { publicKey: keys });
      if (values.json === true) out(JSON.stringify(result));
      else if (result.ok)
        out(
          `audit archive verifies: ${result.files} files, ${result.records} records through record ${result.throughSeq}, ${result.checkpointsMatched} checkpoints matched, ${keys.length === 0 ? 'signatures NOT checked (no public key)' : `${result.signaturesChecked} signatures checked (${from})`}`,
        );
      else
        out(
          `audit archive does NOT verify: ${result.firstBad!.file}${result.firstBad!.seq === undefined ? '' : `, record ${result.firstBad!.seq}`}: ${result.firstBad!.reason} — ${result.firstBad!.detail}`,
        );
      return result.ok ? 0 : 1;
    }

    const fromSeq = positiveSeq(values.from as string | undefined, '--from');
    const keysFor = command === 'verify' ? await publicKeys(values['public-key'] as string | undefined, io) : undefined;
    const signingKey =
      command === 'checkpoint'
        ? await auditSigningKey(
            { AUDIT_SIGNING_KEY_FILE: io.env.AUDIT_SIGNING_KEY_FILE ? path(io.env.AUDIT_SIGNING_KEY_FILE) : undefined },
            { production: io.env.NODE_ENV === 'production' },
          )
        : undefined;
    const exportDir = command === 'export' ? ((values.to as string | undefined) ?? io.env.AUDIT_EXPORT_DIR) : undefined;
    if (command === 'export' && (exportDir === undefined || exportDir === '')) throw new UsageError('export needs --to <dir> (or AUDIT_EXPORT_DIR)');
    const retentionDays = Number(io.env.AUDIT_RETENTION_DAYS ?? '0');
    if (!Number.isInteger(retentionDays) || retentionDays < 0)
      throw new UsageError(`AUDIT_RETENTION_DAYS: must be a whole number of days (got "${io.env.AUDIT_RETENTION_DAYS}")`);
    if (command === 'export' && values.through !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.through as string))
      throw new UsageError(`--through must be a day yyyy-mm-dd (got "${String(values.through)}")`);

    opened = await openLog(io.env, deps);
    const { log } = opened;

    if (command === 'verify') {
      let lastProgress = Date.now();
      const result = await verifyChain(log, {
        ...(fromSeq === undefined ? {} : { fromSeq }),
        publicKey: keysFor!.keys,
        // A long log (millions of records): a line on stderr every 10 s, so the operator sees it move.
        onProgress: (checked, lastSeq) => {
          if (Date.now() - lastProgress < 10_000) return;
          lastProgress = Date.now();
          err(`… ${checked} records verified (through record ${lastSeq})`);
        },
      });
      if (values.json === true) out(JSON.stringify(result));
      else if (result.ok) {
        const head = await log.head();
        out(
          `audit chain verifies: ${result.checked} records${result.fromSeq === null ? '' : ` (${result.fromSeq} to ${result.toSeq})`}, head ${head === null ? 'none' : `${head.seq} ${head.hash.slice(0, 16)}…`}, ${result.checkpointsMatched} checkpoints matched, ${keysFor!.keys.length === 0 ? 'signatures NOT checked (no public key)' : `${result.signaturesChecked} signatures checked (${keysFor!.from})`} — ${opened.where}`,
        );
      } else
        out(
          `audit chain BROKEN at record ${result.firstBad!.seq}: ${result.firstBad!.reason} — ${result.firstBad!.detail} (${result.checked} records verified before it) — ${opened.where}`,
        );
      return result.ok ? 0 : 1;
    }
    if (command === 'checkpoint') {
      const head = await log.head();
      if (head === null) {
        out('the audit log is empty: nothing to sign');
        return 0;
      }
      const checkpoint = await signCheckpoint(head, signingKey!, deps.now?.() ?? new Date());
      await log.putCheckpoint(checkpoint);
      out(JSON.stringify({ checkpoint: { seq: checkpoint.seq, hash: checkpoint.hash, at: checkpoint.at, keyId: checkpoint.keyId } }));
      return 0;
    }
    // export
    const now = deps.now?.() ?? new Date();
    const dir = path(exportDir!);
    const exported = await exportDays(log, dir, { now, ...(values.through === undefined ? {} : { throughDay: values.through as string }) });
    for (const file of exported.written)
      out(JSON.stringify({ file: file.file, records: file.records, firstSeq: file.firstSeq, lastSeq: file.lastSeq, sha256: file.sha256 }));
    const retention = retentionDays > 0 ? await applyRetention(log, { retentionDays, exportDir: dir, now }) : undefined;
    const operator = operatorOf(io.env);
    const operation = (action: string, details: Record<string, string | number | boolean | null>) => ({
      kind: 'operation' as const,
      at: new Date().toISOString(),
      requestId: null,
      source: 'operator',
      environment: 'production' as const,
      agency: null,
      system: null,
      user: operator,
      purpose: null,
      action,
      operationType: null,
      documentHash: null,
      fields: [],
      personalFields: [],
      counterpartAgency: null,
      service: null,
      entityId: null,
      outcome: 'success' as const,
      errorCodes: [],
      durationMs: null,
      bytesIn: null,
      bytesOut: null,
      details,
      subjects: [],
    });
    const operations = [];
    if (exported.written.length > 0)
      operations.push(operation('audit-export', { files: exported.written.length, throughSeq: exported.throughSeq, lastFile: exported.written.at(-1)!.file }));
    if (retention !== undefined && retention.trimmed > 0)
      operations.push(operation('audit-trim', { trimmed: retention.trimmed, throughSeq: retention.throughSeq, retentionDays }));
    if (operations.length > 0) await log.append(operations);
    out(
      `audit export: ${exported.written.length} file(s) written to ${dir}, archive through record ${exported.throughSeq}${
        retention === undefined
          ? ' (AUDIT_RETENTION_DAYS not set: nothing trimmed)'
          : `; retention ${retentionDays} days: ${retention.trimmed} record(s) trimmed${retention.throughSeq === null ? '' : ` through ${retention.throughSeq}`}${retention.keptUnexported ? ', older records not yet archived were kept' : ''}`
      }`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof AuditKeyError || (error instanceof AuditInputError && error.code !== 'LIMIT_EXCEEDED')) {
      err(`audit: ${error.message}`);
      if (error instanceof UsageError && /unknown command|Unknown option|Unexpected argument/.test(error.message)) err('(npm run --silent audit -- --help)');
      return 2;
    }
    if (error instanceof LgspError && (error.code === 'AUDIT_CHAIN_BROKEN' || error.code === 'INVALID_ARCHIVE')) {
      err(`audit: ${error.code}: ${error.message}`);
      return 1;
    }
    err(`audit: ${(error as Error).message}`);
    return 3;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}
