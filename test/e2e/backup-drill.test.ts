/**
 * The backup drill (TQ:13.8, BG:14.2), with real parts: the platform's processes on Redis under a test prefix and the
 * development issuer (with an `lgsp-backup` client for the realm's partial export), `npm run backup` and
 * `npm run restore` run as child processes as an operator runs them.
 *
 * State first — packets waiting in a recipient's queue (relay), the grants, an access request in the registry, audit
 * records with a verifying chain — then a backup; data written after it; a damaged archive (one byte flipped), a
 * foreign one (another platform's key, another platform's identity) and a restore without --force over live data are
 * refused before anything is overwritten (the data written after the backup is still there); then the services are
 * stopped, the prefix wiped, the archive restored and the services started: the packets are still claimable, grants
 * and registry answer the same, and the audit chain verifies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { grantKeys } from '@lgsp/access';
import { exportDays, verifyExport, vietnamDay, type AuditEntry } from '@lgsp/audit';
import { auditEntry } from '@lgsp/audit/testing';
import { RESP_TYPES } from 'redis';
import { connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { repoRoot, type ServiceName } from '../../scripts/platform.ts';
import { auditLogAt, verifyChainAt } from '../../scripts/backup/audit.ts';
import { createBackup, sha256File } from '../../scripts/backup/backup.ts';
import { readBackupKey, signManifest, type Manifest } from '../../scripts/backup/manifest.ts';
import { RestoreRefusedError, restoreBackup } from '../../scripts/backup/restore.ts';
import { platformIdentityKey } from '../../scripts/backup/keys.ts';
import { keysUnder } from '../../scripts/backup/redis-snapshot.ts';
import { exchangeClient, FINANCE, HOSPITAL, WARD } from '../testing/exchange-client.ts';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WARD_ADMIN = '000.00.20.h41@nghean.gov.vn';
const ACCESS_REQUEST = `mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }`;
const ACCESS_REQUEST_VIEW = `query($id: ID!) { accessRequest(id: $id) { id state consumerSystem serviceCode fieldSets purposes quota { requests perSeconds } receivedAt dueAt } }`;
const CITIZEN = `query($id: String!) { citizen(personalId: $id) { personalId fullName } }`;
const INBOX = `{ inbox(first: 50) { edges { node { id title status } } } }`;
/** The services that hold platform data in Redis, in the order they start (platform.ts). */
const DATA_SERVICES: ServiceName[] = ['registry', 'monitoring', 'subscriptions', 'catalogs', 'relay', 'national-data', 'gateway'];

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, any>;
}

/** `npm run <script> -- …` as the operator types it (tsx on the script, as npm runs it). */
function runCli(script: 'backup' | 'restore', args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, `scripts/${script}.ts`), ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      let json: Record<string, any> = {};
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, any>;
      } catch {
        /* no JSON summary: the assertions on the code and stderr say what happened */
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

describe('backup drill: back up, wipe, restore — and refuse damaged and foreign archives first', () => {
  let p: PlatformFixture;
  let redis: RedisClient;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let x: ReturnType<typeof exchangeClient>;
  const foreignPrefix = testKeyPrefix();
  let wardToken: string;

  const state = {
    waiting: [] as Array<{ id: string; content: Buffer }>,
    grants: {} as Record<string, string>,
    accessRequest: {} as Record<string, unknown>,
    /** The last audit record in the archive (the backup's own operation record follows it, outside the archive). */
    snapshotHead: 0,
    /** The head after the backup's operation record. */
    auditHead: 0,
    /** The last record in the audit export (the platform's records of today, then the drill's). */
    exportedThrough: 0,
    archive: '',
    afterBackup: '',
    citizen: '',
  };
  const gqlAs = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(p.platform.urls.gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  };
  const inboxIds = async () => ((await x.gql(WARD, INBOX)).inbox.edges as Array<{ node: { id: string } }>).map((e) => e.node.id);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-backup-drill-'));
    await writeFile(join(dir, 'backup.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'other-platform.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'platform.env'), 'LOG_LEVEL=info\nRELAY_MASTER_KEY=0123456789abcdef\nREDIS_URL=redis://:s3cret@redis:6379\n');

    // The development realm's own backup client (lgsp-backup: client credentials, realm-management view roles).
    p = await startPlatformFixture({ redis: true, env: { REGISTRY_SEED: 'development' } });
    x = exchangeClient(p);
    redis = await connectRedis(redisUrl);
    env = {
      ...process.env,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: p.keyPrefix,
      BACKUP_KEY_FILE: join(dir, 'backup.key'),
      KEYCLOAK_ADMIN_URL: new URL(p.platform.urls.issuer).origin,
      BACKUP_KEYCLOAK_CLIENT_SECRET_FILE: join(repoRoot, 'keycloak/dev-credentials/lgsp-backup.secret'),
      BACKUP_CONFIG_FILES: join(dir, 'platform.env'),
      AUDIT_EXPORT_DIR: join(dir, 'audit-export'),
    };
    const users = (await loadRealmExport()).users;
    const ward = users.find((u) => u.username === WARD_ADMIN)!;
    wardToken = (await developmentPortalLogin(p.platform.urls.issuer, WARD_ADMIN, developmentPassword(ward) ?? '')).accessToken;
  });

  after(async () => {
    await p?.close();
    if (redis !== undefined) {
      const left = await keysUnder(redis, foreignPrefix);
      if (left.length > 0) await redis.del(left);
      await redis.quit();
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('builds the state: packets waiting for the ward, the grants, an access request, an audit chain', async () => {
    for (const title of ['Hồ sơ chờ nhận 1', 'Hồ sơ chờ nhận 2']) {
      const content = Buffer.from(`${title} — nội dung\n`.repeat(500));
      state.waiting.push({ id: await x.send(FINANCE, [WARD], content, { title }), content });
    }
    const inbox = await inboxIds();
    for (const { id } of state.waiting) assert.ok(inbox.includes(id), `packet ${id} waits in the ward's inbox`);

    state.grants = { ...(await redis.hGetAll(grantKeys(p.keyPrefix).items)) };
    assert.ok(Object.keys(state.grants).length > 0, 'the development grants are in Redis');
    // The grants at work: the Police's population system reads a citizen through the gateway.
    state.citizen = (await p.simulator.samples(1)).citizens[0]!;
    const lookup = await p.query(CITIZEN, { id: state.citizen });
    assert.equal(lookup.body.errors, undefined, JSON.stringify(lookup.body.errors));
    assert.equal(lookup.body.data?.citizen.personalId, state.citizen);

    const { submitAccessRequest } = await gqlAs(wardToken, ACCESS_REQUEST, {
      input: {
        consumerSystem: '000.00.20.H41:mot-cua-phuong-truong-vinh',
        serviceCode: 'national-data-citizen',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['residence-management'],
        legalBasis: 'Nghị định 104/2022/NĐ-CP',
        expectedRequestsPerDay: 100,
        quota: { requests: 10, perSeconds: 60 },
        securityCommitment: { signedBy: 'Chủ tịch UBND phường Trường Vinh', text: 'Cam kết bảo đảm an toàn thông tin (Mẫu 03)' },
      },
    });
    state.accessRequest = (await gqlAs(wardToken, ACCESS_REQUEST_VIEW, { id: submitAccessRequest.id })).accessRequest;
    assert.equal(state.accessRequest.id, submitAccessRequest.id);

    // Records of two days ago, exported to the audit archive (one file per Vietnam day), then today's.
    const log = auditLogAt(redis, p.keyPrefix);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const entries: AuditEntry[] = ['LookupCitizen', 'LookupEnterprise', 'LookupCitizen'].map((action, i) => ({
      ...auditEntry({ kind: 'graphql', at: twoDaysAgo, action, agency: HOSPITAL.agency, purpose: 'medical-treatment:BA-1', requestId: `drill-${i}` }),
      subjects: [],
    }));
    await log.append(entries);
    // The platform wrote today's records (registry seed changes, sign-ins) before these: the export goes in chain
    // order and a finished day ends at the first record of an unfinished one, so it is made as of the day after
    // tomorrow, in one file (late records join the day being written).
    const exported = await exportDays(log, join(dir, 'audit-export'), { now: new Date(Date.now() + 2 * 86_400_000) });
    assert.equal(exported.written.length, 1, 'one day exported');
    state.exportedThrough = exported.throughSeq;
    await log.append([{ ...auditEntry({ kind: 'relay', action: 'QUEUED', agency: FINANCE.agency, counterpartAgency: WARD.agency }), subjects: [] }]);
    const chain = await verifyChainAt(redis, p.keyPrefix);
    assert.equal(chain.ok, true, chain.problem ?? '');
    assert.ok(chain.records >= 3);
  });

  it('backs up with npm run backup: one .tar.gz with the Redis data, the realm, the configuration, and a signed manifest', async () => {
    const run = await runCli('backup', ['--to', dir, '--by', 'drill-operator'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.ok, true);
    state.archive = run.json.archive as string;
    assert.ok(state.archive.startsWith(dir) && state.archive.endsWith('.tar.gz'), state.archive);
    assert.deepEqual(
      [...(run.json.parts as string[])].sort(),
      [
        // One file, today's: the platform's own records of today come first in the chain (see the export above).
        `audit-export/audit-${vietnamDay(new Date().toISOString())}.jsonl`,
        'audit-export/manifest.json',
        'configuration/01-platform.env',
        'realm/realm-export.json',
        'redis/keys.jsonl',
      ],
      'the parts of the archive',
    );
    assert.ok((run.json.redisKeys as number) > 10);
    // The audit records of the state, and the backup's own operation record after them.
    const log = auditLogAt(redis, p.keyPrefix);
    const head = (await log.head())!;
    assert.equal(head.seq, (run.json.auditHead as { seq: number }).seq + 1, 'the backup appended its operation record after the snapshot');
    const [operation] = await log.range(head.seq, 1);
    assert.equal(operation?.kind, 'operation');
    assert.equal(operation?.action, 'backup');
    assert.equal(operation?.user, 'drill-operator');
    assert.equal(operation?.outcome, 'success');
    state.auditHead = head.seq;
    state.snapshotHead = (run.json.auditHead as { seq: number }).seq;

    // What is inside, read with the system's tar as an operator would.
    const listing = await new Promise<string>((resolve, reject) => {
      const tar = spawn('tar', ['-xzf', state.archive, '-C', dir, 'manifest.json', 'realm/realm-export.json', 'configuration/01-platform.env']);
      tar.on('exit', (code) => (code === 0 ? resolve('ok') : reject(new Error(`tar exited ${code}`))));
    });
    assert.equal(listing, 'ok');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;
    assert.equal(manifest.platform.id, (JSON.parse((await redis.get(platformIdentityKey(p.keyPrefix)))!) as { id: string }).id);
    assert.equal(manifest.keyPrefix, p.keyPrefix);
    assert.equal(manifest.redis.writesPaused, true);
    assert.deepEqual(manifest.auditExport, { files: 1, throughSeq: state.exportedThrough, verified: true, problem: null });
    assert.match(manifest.signature, /^[0-9a-f]{64}$/);
    const realm = JSON.parse(await readFile(join(dir, 'realm/realm-export.json'), 'utf8')) as {
      realm: string;
      clients: Array<{ clientId: string; secret?: string }>;
      users: Array<{ username: string; credentials?: unknown }>;
    };
    assert.equal(realm.realm, 'lgsp');
    assert.ok(realm.clients.some((c) => c.clientId === 'lgsp-gateway'));
    assert.ok(
      realm.clients.every((c) => c.secret === undefined || c.secret === '**********'),
      'client secrets are masked',
    );
    assert.ok(
      realm.users.every((u) => u.username.startsWith('service-account-')),
      "no person's account in a partial export",
    );
    const configuration = await readFile(join(dir, 'configuration/01-platform.env'), 'utf8');
    assert.match(configuration, /^LOG_LEVEL=info$/m);
    assert.match(configuration, /^RELAY_MASTER_KEY=\*\*\*$/m, 'secrets are not archived in clear');
    assert.doesNotMatch(configuration, /s3cret/);
    for (const file of ['manifest.json', 'realm', 'configuration']) await rm(join(dir, file), { recursive: true, force: true });
  });

  it('refuses a damaged archive, a foreign one and an overwrite without --force, before changing anything', async () => {
    // Data written after the backup: it must survive every refused restore.
    const late = Buffer.from('Hồ sơ gửi sau khi sao lưu');
    state.afterBackup = await x.send(FINANCE, [WARD], late, { title: 'Hồ sơ sau sao lưu' });
    const keysBefore = await keysUnder(redis, p.keyPrefix);

    // One byte flipped in the middle of the archive.
    const bytes = await readFile(state.archive);
    const damaged = Buffer.from(bytes);
    const middle = Math.floor(damaged.length / 2);
    damaged[middle] = damaged[middle]! ^ 0xff;
    await writeFile(join(dir, 'damaged.tar.gz'), damaged);
    const refusedDamaged = await runCli('restore', ['--from', join(dir, 'damaged.tar.gz'), '--force'], env);
    assert.equal(refusedDamaged.code, 1, refusedDamaged.stderr);
    assert.equal(refusedDamaged.json.code, 'INVALID_ARCHIVE', refusedDamaged.stdout);

    // Another platform's archive: its own key and identity.
    await redis.set(`${foreignPrefix}registry:{registry}:agencies`, 'another platform');
    const foreign = await createBackup({
      redis,
      keyPrefix: foreignPrefix,
      key: await readBackupKey(join(dir, 'other-platform.key')),
      to: join(dir, 'foreign.tar.gz'),
      realm: null,
      configFiles: [],
      includeSecrets: false,
      auditExportDir: null,
      pauseWritesMs: 5_000,
      root: repoRoot,
    });
    const refusedForeign = await runCli('restore', ['--from', foreign.archive, '--force'], env);
    assert.equal(refusedForeign.code, 1);
    assert.equal(refusedForeign.json.code, 'INVALID_ARCHIVE');
    assert.match(refusedForeign.json.message, /signed with backup key [0-9a-f]{16}, this platform's BACKUP_KEY_FILE is key [0-9a-f]{16}/);

    // Our own key, but the target is another installation (its identity differs).
    const identity = (await redis.get(platformIdentityKey(p.keyPrefix)))!;
    await redis.set(platformIdentityKey(p.keyPrefix), JSON.stringify({ id: randomUUID(), createdAt: new Date().toISOString() }));
    const refusedIdentity = await runCli('restore', ['--from', state.archive, '--force'], env);
    await redis.set(platformIdentityKey(p.keyPrefix), identity);
    assert.equal(refusedIdentity.code, 1);
    assert.equal(refusedIdentity.json.code, 'INVALID_ARCHIVE');
    assert.match(refusedIdentity.json.message, /made by platform [0-9a-f-]{36} .*this Redis holds platform/);

    // A good archive over live data without --force.
    const refusedLive = await runCli('restore', ['--from', state.archive], env);
    assert.equal(refusedLive.code, 1);
    assert.equal(refusedLive.json.code, 'TARGET_NOT_EMPTY');

    // Bad arguments.
    const usage = await runCli('restore', ['--form', state.archive], env);
    assert.equal(usage.code, 2);

    // Nothing was overwritten: the same keys (plus the refusals' audit records), the late packet still waits.
    const keysAfter = new Set(await keysUnder(redis, p.keyPrefix));
    for (const key of keysBefore) assert.ok(keysAfter.has(key), `${key} is still there`);
    assert.ok((await inboxIds()).includes(state.afterBackup), 'the packet sent after the backup still waits');
    assert.equal((await verifyChainAt(redis, p.keyPrefix)).ok, true);
    const refusals = (await auditLogAt(redis, p.keyPrefix).range(state.auditHead + 1, 100)).filter((r) => r.kind === 'operation' && r.action === 'restore');
    assert.deepEqual(
      refusals.map((r) => [r.outcome, r.errorCodes]),
      [
        ['rejected', ['INVALID_ARCHIVE']],
        ['rejected', ['INVALID_ARCHIVE']],
        ['rejected', ['INVALID_ARCHIVE']],
        ['rejected', ['TARGET_NOT_EMPTY']],
      ],
    );
  });

  it('restores after a wipe: packets claimable, grants and registry the same, the audit chain verifies', async () => {
    // The runbook: stop the services, restore, start them.
    for (const service of [...DATA_SERVICES].reverse()) await p.platform.stop(service);
    const wiped = await keysUnder(redis, p.keyPrefix);
    for (let i = 0; i < wiped.length; i += 500) await redis.del(wiped.slice(i, i + 500));
    assert.deepEqual(await keysUnder(redis, p.keyPrefix), []);

    const run = await runCli('restore', ['--from', state.archive, '--by', 'drill-operator', '--extract', join(dir, 'extracted')], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.ok, true);
    assert.equal(run.json.auditChain.ok, true);
    assert.equal(run.json.replacedKeys, 0);
    assert.deepEqual((await readdir(join(dir, 'extracted'))).sort(), ['audit-export', 'configuration', 'realm']);
    assert.equal((await verifyExport(join(dir, 'extracted/audit-export'))).ok, true, 'the audit archive verifies offline');
    const staging = [];
    for await (const batch of redis.scanIterator({ MATCH: `${p.keyPrefix}restore-staging:*`, COUNT: 1000 })) staging.push(...batch);
    assert.deepEqual(staging, [], 'no staging key left');

    for (const service of DATA_SERVICES) await p.platform.restart(service);

    assert.deepEqual({ ...(await redis.hGetAll(grantKeys(p.keyPrefix).items)) }, state.grants, 'the grants are back, the same');
    const lookup = await p.query(CITIZEN, { id: state.citizen });
    assert.equal(lookup.body.errors, undefined, `the gateway grants the same access: ${JSON.stringify(lookup.body.errors)}`);
    assert.equal(lookup.body.data?.citizen.personalId, state.citizen);
    assert.deepEqual(
      (await gqlAs(wardToken, ACCESS_REQUEST_VIEW, { id: state.accessRequest.id })).accessRequest,
      state.accessRequest,
      'the registry answers the same',
    );

    const inbox = await inboxIds();
    for (const { id } of state.waiting) assert.ok(inbox.includes(id), `packet ${id} waits again`);
    assert.ok(!inbox.includes(state.afterBackup), 'the packet sent after the backup is not in the archive');
    for (const { id, content } of state.waiting) {
      const { content: received, sha256 } = await x.claimAndDownload(WARD, id);
      assert.ok(received.equals(content), `packet ${id}: the content, byte for byte`);
      assert.deepEqual(await x.acknowledge(WARD, id, sha256), { status: 'DELIVERED', alreadyAcknowledged: false });
    }

    const chain = await verifyChainAt(redis, p.keyPrefix);
    assert.equal(chain.ok, true, chain.problem ?? '');
    const log = auditLogAt(redis, p.keyPrefix);
    // The archived chain, then the restore record (the running platform records the claims above after it).
    const [restored] = await log.range(state.snapshotHead + 1, 1);
    assert.deepEqual([restored?.kind, restored?.action, restored?.outcome, restored?.user], ['operation', 'restore', 'success', 'drill-operator']);
    // The directory holds the archives of this run only (no .partial file left).
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.partial')),
      [],
    );
  });
});

describe('archives refused before anything changes, and what a round trip keeps (in-process, on a prefix of its own)', () => {
  let redis: RedisClient;
  let dir: string;
  const prefix = testKeyPrefix();
  let key: Awaited<ReturnType<typeof readBackupKey>>;
  const backup = (to: string) =>
    createBackup({
      redis,
      keyPrefix: prefix,
      key,
      to,
      realm: null,
      configFiles: [],
      includeSecrets: false,
      auditExportDir: null,
      pauseWritesMs: 5_000,
      root: repoRoot,
    });
  const restore = (from: string, force = true) => restoreBackup({ redis, keyPrefix: prefix, key, from, force });
  /** Every key under the prefix with its DUMP, to compare "nothing changed". */
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const k of await keysUnder(redis, prefix))
      out[k] = ((await redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).dump(k)) as unknown as Buffer).toString('base64');
    return out;
  };
  const refusal = async (from: string, reason: RegExp) => {
    const before = await snapshot();
    await assert.rejects(restore(from), (error: RestoreRefusedError) => {
      assert.equal(error.code, 'INVALID_ARCHIVE');
      assert.match(error.message, reason);
      return true;
    });
    const after = await snapshot();
    // Only the refusal's own audit record was added.
    for (const [k, v] of Object.entries(before)) if (!k.includes(':audit:')) assert.equal(after[k], v, `${k} unchanged`);
    assert.deepEqual(await keysUnder(redis, `${prefix}restore-staging:`), [], 'no staging key left');
  };
  const unpack = async (archive: string, into: string) => {
    await mkdir(into);
    await new Promise<void>((resolve, reject) =>
      spawn('tar', ['-xzf', archive, '-C', into]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${code}`)))),
    );
  };

  before(async () => {
    redis = await connectRedis(redisUrl);
    dir = await mkdtemp(join(tmpdir(), 'lgsp-backup-archives-'));
    await writeFile(join(dir, 'backup.key'), randomBytes(32));
    key = await readBackupKey(join(dir, 'backup.key'));
    // A queue with a consumer group and a pending entry, a hash, a key that expires, and an audit chain.
    await redis.xAdd(`${prefix}relay:queue:{A}:normal`, '*', { packet: 'p1' });
    await redis.xAdd(`${prefix}relay:queue:{A}:normal`, '*', { packet: 'p2' });
    await redis.xGroupCreate(`${prefix}relay:queue:{A}:normal`, 'relay', '0');
    await redis.xReadGroup('relay', 'worker-1', { key: `${prefix}relay:queue:{A}:normal`, id: '>' }, { COUNT: 1 });
    await redis.hSet(`${prefix}grants:{grants}:items`, { g1: '{"id":"g1"}' });
    await redis.set(`${prefix}relay:presence:{A}`, 'online', { expiration: { type: 'PX', value: 600_000 } });
    await auditLogAt(redis, prefix).append([{ ...auditEntry({ kind: 'relay', action: 'QUEUED' }), subjects: [] }]);
  });

  after(async () => {
    const left = await keysUnder(redis, prefix);
    if (left.length > 0) await redis.del(left);
    const staged = await keysUnder(redis, `${prefix}restore-staging:`);
    if (staged.length > 0) await redis.del(staged);
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a stream consumer group with its pending entry, expiries and the audit chain through backup and restore', async () => {
    const { archive } = await backup(dir);
    const expiry = await redis.pExpireTime(`${prefix}relay:presence:{A}`);
    const wiped = await keysUnder(redis, prefix);
    await redis.del(wiped);
    const result = await restore(archive, false);
    assert.equal(result.chain.ok, true);
    const groups = (await redis.xInfoGroups(`${prefix}relay:queue:{A}:normal`)) as unknown as Array<Record<string, unknown>>;
    assert.equal(groups[0]?.name, 'relay');
    assert.equal(groups[0]?.pending, 1, 'the entry read and not acknowledged is still pending');
    const pending = await redis.xPending(`${prefix}relay:queue:{A}:normal`, 'relay');
    assert.equal(pending.consumers?.[0]?.name, 'worker-1');
    assert.equal(await redis.pExpireTime(`${prefix}relay:presence:{A}`), expiry, 'the same absolute expiry');
    assert.deepEqual({ ...(await redis.hGetAll(`${prefix}grants:{grants}:items`)) }, { g1: '{"id":"g1"}' });
  });

  it('writes to a named .tar.gz once, never over an existing file, and leaves no partial file', async () => {
    const named = join(dir, 'named.tar.gz');
    const first = await backup(named);
    assert.equal(first.archive, named);
    await assert.rejects(backup(named), /the file exists; a backup never overwrites one/);
    await assert.rejects(backup(join(dir, 'named.zip')), /name an existing directory or a file ending in \.tar\.gz/);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.partial')),
      [],
    );
    const [failed] = (await auditLogAt(redis, prefix).range(((await auditLogAt(redis, prefix).head())?.seq ?? 1) - 1, 2)).filter((r) => r.outcome === 'error');
    assert.deepEqual([failed?.kind, failed?.action, failed?.errorCodes], ['operation', 'backup', ['BACKUP_FAILED']], 'a failed backup is recorded');
  });

  it('refuses a part that fails its checksum, an altered manifest, a truncated file and files the manifest does not list', async () => {
    const { archive } = await backup(dir);
    const unpacked = join(dir, 'unpacked');
    await unpack(archive, unpacked);
    const keysFile = join(unpacked, 'redis/keys.jsonl');
    const original = await readFile(keysFile);
    const altered = Buffer.from(original);
    altered[10] = altered[10] === 0x41 ? 0x42 : 0x41;
    await writeFile(keysFile, altered);
    await refusal(unpacked, /part redis\/keys\.jsonl fails its SHA-256/);
    await writeFile(keysFile, original);

    const manifestFile = join(unpacked, 'manifest.json');
    const manifest = await readFile(manifestFile, 'utf8');
    await writeFile(
      manifestFile,
      manifest.replace(/"keys": (\d+)/, (_m, n: string) => `"keys": ${Number(n) + 1}`),
    );
    await refusal(unpacked, /the manifest signature does not match/);
    await writeFile(manifestFile, manifest);

    await writeFile(join(unpacked, 'redis/extra.jsonl'), '{}\n');
    await refusal(unpacked, /files not in the manifest: redis\/extra\.jsonl/);
    await rm(join(unpacked, 'redis/extra.jsonl'));

    const bytes = await readFile(archive);
    await writeFile(join(dir, 'truncated.tar.gz'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await refusal(join(dir, 'truncated.tar.gz'), /not a readable \.tar\.gz archive|truncated/);
    await writeFile(join(dir, 'not-an-archive.tar.gz'), 'hello');
    await refusal(join(dir, 'not-an-archive.tar.gz'), /not a readable \.tar\.gz archive/);
  });

  it('refuses, with nothing overwritten, a signed archive whose Redis payload or audit chain is damaged', async () => {
    const { archive } = await backup(dir);
    const resign = async (into: string, change: (lines: Array<Record<string, any>>) => void) => {
      await unpack(archive, into);
      const file = join(into, 'redis/keys.jsonl');
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, any>);
      change(lines);
      await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const manifest = JSON.parse(await readFile(join(into, 'manifest.json'), 'utf8')) as Manifest;
      const part = manifest.parts.find((p) => p.path === 'redis/keys.jsonl')!;
      Object.assign(part, await sha256File(file));
      const { keyId: _k, signature: _s, ...unsigned } = manifest;
      await writeFile(join(into, 'manifest.json'), JSON.stringify(signManifest(unsigned, key)));
    };
    await resign(join(dir, 'bad-payload'), (lines) => {
      const payload = Buffer.from(lines.at(-1)!.d as string, 'base64');
      payload[0] = payload[0]! ^ 0xff;
      lines.at(-1)!.d = payload.toString('base64');
    });
    await refusal(join(dir, 'bad-payload'), /Redis refuses the archived value/);

    // The audit stream's record edited (a value that still restores), then signed as this platform would: the chain check catches it.
    const log = `${prefix}audit:{audit}:log`;
    await resign(join(dir, 'bad-chain'), (lines) => {
      const line = lines.find((l) => `${prefix}${l.k}` === log)!;
      line.k = `${line.k}-copy`; // the log itself gone: the head names records that are not there
    });
    await refusal(join(dir, 'bad-chain'), /audit chain/);
  });
});
