/**
 * `npm run grants` as an operator runs it: scripts/grants.ts as a child process against a real Redis (own key
 * prefix), read back through the Redis grant store the gateways use. For another change landing between what the
 * command read and what it writes, the command runs in this process with its store wrapped to let that change happen
 * just before its write.
 */
import { ConfigError, connectRedis, type RedisClient } from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createRedisChangeLog, createRedisGrantStore, runGrantsCommand, type ChangeLog, type Grant, type GrantStore } from '@lgsp/access';
import { sampleGrant } from '@lgsp/access/contract';
import { startAccessServer, TEST_ACCESS_TOKEN } from '@lgsp/access/testing';
import { gatewayConfigFromEnv } from '../../config.ts';
import { runGrantsCli } from '../../testing/grants-cli-process.ts';
import { gatewayGrantsCommandDeps } from './grants-admin.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();
const supergraphFile = fileURLToPath(new URL('../../../../schema/supergraph.graphql', import.meta.url));
const SCHOOL = '000.01.06.H41';
const COMMUNE = '000.00.20.H41';

const schoolGrant = sampleGrant('school-citizen', { consumer: SCHOOL, purposes: ['education'] });
const future = sampleGrant('future', { consumer: COMMUNE, validFrom: '2099-01-01T00:00:00Z', environment: 'test', quota: { requests: 10, perSeconds: 60 } });
const expired = sampleGrant('expired', { consumer: COMMUNE, validFrom: '2020-01-01T00:00:00Z', validTo: '2021-01-01T00:00:00Z' });
const everyone = sampleGrant('everyone', { provider: '000.00.03.H41', consumer: '*', fieldSets: ['national-data.enterprise.basic'], purposes: ['*'] });

const baseEnv = { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix, LOG_LEVEL: 'silent', INIT_CWD: undefined };
const cli = (args: string[], options: { stdin?: string; env?: Record<string, string | undefined> } = {}) =>
  runGrantsCli(args, { env: { ...baseEnv, ...options.env }, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });

/**
 * Runs the command in this process as scripts/grants.ts does (its own Redis connection and store), with `meanwhile`
 * run just before the store's conditional write: after the command read the version and what its change replaces
 * (with `at: 'read'`, just before it reads a grant). `meanwhile` gets the command's own connection.
 */
async function runWithChangeMeanwhile(
  args: string[],
  stdin: string,
  meanwhile: (commandRedis: RedisClient) => Promise<unknown>,
  at: 'read' | 'write' = 'write',
) {
  const output = { stdout: '', stderr: '' };
  const collect = (name: keyof typeof output) =>
    new Writable({
      write(chunk, _encoding, done) {
        output[name] += String(chunk);
        done();
      },
    });
  const io = { env: baseEnv, cwd: process.cwd(), stdin: Readable.from([stdin]), stdout: collect('stdout'), stderr: collect('stderr') };
  const code = await runGrantsCommand(
    args,
    io,
    gatewayGrantsCommandDeps((redis, options) => {
      const store = createRedisGrantStore(redis, options);
      if (at === 'read') {
        return {
          ...store,
          async get(id) {
            await meanwhile(redis);
            return store.get(id);
          },
        };
      }
      return {
        ...store,
        async putAll(grants, expectedVersion) {
          await meanwhile(redis);
          return store.putAll(grants, expectedVersion);
        },
        async removeIfVersion(id, expectedVersion) {
          await meanwhile(redis);
          return store.removeIfVersion(id, expectedVersion);
        },
      };
    }),
  );
  return { code, ...output };
}

/** The problems the gateway itself reports for this environment. */
function gatewayProblems(environment: Record<string, string>): string[] {
  try {
    gatewayConfigFromEnv(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the gateway accepts this environment');
}

describe('npm run grants', () => {
  let redis: RedisClient;
  let store: GrantStore;
  let changes: ChangeLog;
  let dir: string;

  before(async () => {
    redis = await connectRedis(redisUrl);
    store = createRedisGrantStore(redis, { keyPrefix });
    changes = createRedisChangeLog(redis, { keyPrefix });
    dir = await mkdtemp(join(tmpdir(), 'lgsp-grants-'));
  });
  after(async () => {
    await store.close();
    for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  });

  test('--help prints the usage; a bad command line exits 2 saying what is wrong', async () => {
    const [help, none, unknown, misplaced, noBy, twoIds] = await Promise.all([
      cli(['--help']),
      cli([]),
      cli(['frobnicate']),
      cli(['list', '--dry-run']),
      cli(['put', '-'], { stdin: JSON.stringify(schoolGrant) }),
      cli(['revoke', 'a', 'b', '--by', 'ops']),
    ]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run --silent grants -- <command> \[options\]/);
    for (const command of ['list', 'show <id>', 'put <file.json|->', 'revoke <id>', '--by <name>', '--dry-run', 'REDIS_URL', 'REDIS_KEY_PREFIX'])
      assert.ok(help.stdout.includes(command), command);
    assert.deepEqual(
      [none, unknown, misplaced, noBy, twoIds].map((r) => [r.code, r.stderr.split('\n')[0]]),
      [
        [2, 'grants: no command given'],
        [2, 'grants: unknown command "frobnicate" (list, show, put, revoke)'],
        [2, 'grants: --dry-run is not an option of list'],
        [2, 'grants: put changes who may read what: say who you are with --by <name> (kept in the change record)'],
        [2, 'grants: revoke takes one argument: the grant id'],
      ],
    );
    assert.match(noBy.stderr, /npm run --silent grants -- --help prints the usage/);
    assert.equal(await store.get(schoolGrant.id), null);
  });

  test('without REDIS_URL it refuses (exit 2) and says why; bad values get the gateway message naming the variable', async () => {
    const [unset, badUrl, badPrefix] = await Promise.all([
      cli(['list'], { env: { REDIS_URL: undefined, REGISTRY_INTERNAL_URL: undefined, REGISTRY_INTERNAL_TOKEN: undefined } }),
      cli(['list'], { env: { REDIS_URL: 'http://127.0.0.1:6379' } }),
      cli(['list'], { env: { REDIS_KEY_PREFIX: 'lgsp' } }),
    ]);
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /^grants: REDIS_URL is not set\. This tool changes the grants in the Redis the gateway replicas share/);
    assert.match(unset.stderr, /keeps its grants in the registry process: set REGISTRY_INTERNAL_URL and REGISTRY_INTERNAL_TOKEN/);
    assert.equal(badUrl.code, 2);
    assert.ok(badUrl.stderr.includes(`  - ${gatewayProblems({ REDIS_URL: 'http://127.0.0.1:6379' })[0]}`), badUrl.stderr);
    assert.match(badUrl.stderr, /REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
    assert.equal(badPrefix.code, 2);
    assert.ok(badPrefix.stderr.includes(`  - ${gatewayProblems({ REDIS_KEY_PREFIX: 'lgsp' })[0]}`), badPrefix.stderr);
    assert.match(badPrefix.stderr, /REDIS_KEY_PREFIX: must be letters, digits/);
  });

  test('without Redis: the grants held by the registry, through its access API; changes recorded in its change log', async () => {
    const registry = await startAccessServer();
    try {
      const env = { REDIS_URL: undefined, REGISTRY_INTERNAL_URL: registry.url, REGISTRY_INTERNAL_TOKEN: TEST_ACCESS_TOKEN };
      const put = await cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify(schoolGrant), env });
      assert.equal(put.code, 0, put.stderr);
      assert.deepEqual(await registry.grants.get(schoolGrant.id), schoolGrant);
      const [logged] = await registry.changes.list({ limit: 10 });
      assert.deepEqual([logged?.entityId, logged?.actor, put.records[0]?.changeId], [schoolGrant.id, { kind: 'operator', username: 'ops' }, logged?.id]);
      assert.deepEqual(put.records[0]?.store, { registry: registry.url });
      const listed = await cli(['list'], { env });
      assert.match(listed.stdout, /\n\n1 grant in the registry at http:\/\/127\.0\.0\.1:\d+\n$/);
      const [wrongToken, halfSet, badUrl] = await Promise.all([
        cli(['list'], { env: { ...env, REGISTRY_INTERNAL_TOKEN: 'wrong' } }),
        cli(['list'], { env: { ...env, REGISTRY_INTERNAL_TOKEN: undefined } }),
        cli(['list'], { env: { ...env, REGISTRY_INTERNAL_URL: 'registry:4105' } }),
      ]);
      assert.equal(wrongToken.code, 1);
      assert.match(wrongToken.stderr, /HTTP 401 \(a valid REGISTRY_INTERNAL_TOKEN is required\)/);
      assert.equal(halfSet.code, 2);
      assert.match(halfSet.stderr, /^grants: REGISTRY_INTERNAL_URL is set but REGISTRY_INTERNAL_TOKEN is not: set both, or neither/);
      assert.equal(badUrl.code, 2);
      assert.match(badUrl.stderr, /^grants: REGISTRY_INTERNAL_URL: must be an http:\/\/ or https:\/\/ URL/);
    } finally {
      await registry.close();
    }
  });

  test('put --dry-run shows what it would create and writes nothing (no --by needed)', async () => {
    const run = await cli(['put', '-', '--dry-run'], { stdin: JSON.stringify(schoolGrant) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      'would create school-citizen: 000.00.02.H41 → 000.01.06.H41 national-data [national-data.citizen.basic] for education\ndry run: nothing written\n',
    );
    assert.equal(run.stdout, '');
    assert.equal(await store.get(schoolGrant.id), null);
  });

  test('put creates a grant from a file (relative to where npm was run) and writes its change record on stdout', async () => {
    await writeFile(join(dir, 'school.json'), JSON.stringify(schoolGrant, null, 2));
    const versionBefore = await store.version();
    const run = await cli(['put', 'school.json', '--by', 'Nguyễn Văn A (ticket 42)'], { env: { INIT_CWD: dir } });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^created school-citizen: 000\.00\.02\.H41 → 000\.01\.06\.H41 national-data \[national-data\.citizen\.basic\] for education\n/);
    assert.match(
      run.stderr,
      /note: the grant store \(Redis redis:\/\/.* prefix lgsp-test:.*\) held no grants before; gateways no longer seed it from GRANTS_FILE/,
    );
    assert.deepEqual(await store.get(schoolGrant.id), schoolGrant);
    assert.equal(await store.version(), versionBefore + 1);
    // Even with LOG_LEVEL=silent: the record is not a debugging aid.
    assert.equal(run.stdout.trim().split('\n').length, 1);
    const [record] = run.records;
    assert.ok(record);
    assert.equal(typeof record.time, 'string');
    assert.equal(typeof record.osUser, 'string');
    assert.equal(typeof record.host, 'string');
    // The same change in the platform's change log, which the JSON line names.
    const [logged] = await changes.list({ entity: 'grant', id: 'school-citizen', limit: 10 });
    assert.ok(logged);
    assert.equal(record.changeId, logged.id);
    assert.deepEqual(
      { ...logged, id: undefined, at: undefined },
      {
        id: undefined,
        at: undefined,
        actor: { kind: 'operator', username: 'Nguyễn Văn A (ticket 42)' },
        entity: 'grant',
        entityId: 'school-citizen',
        action: 'put',
        before: null,
        after: schoolGrant,
      },
    );
    assert.ok(Math.abs(Date.parse(record.time as string) - Date.parse(logged.at)) < 5_000, 'recorded at the time of the change');
    assert.deepEqual(
      { ...record, time: undefined, osUser: undefined, host: undefined, changeId: undefined },
      {
        level: 'info',
        time: undefined,
        service: 'grants',
        store: { redis: redisUrl, keyPrefix },
        osUser: undefined,
        host: undefined,
        event: 'grant.created',
        action: 'put',
        grantId: 'school-citizen',
        by: 'Nguyễn Văn A (ticket 42)',
        before: null,
        after: schoolGrant,
        changeId: undefined,
        msg: 'grant created',
      },
    );
  });

  test('put of the same grant: unchanged, nothing written, no record', async () => {
    const versionBefore = await store.version();
    const run = await cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify(schoolGrant) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'unchanged school-citizen (not written)\n');
    assert.equal(run.stdout, '');
    assert.equal(await store.version(), versionBefore);
  });

  test('put of an array from stdin: replaced with the changed fields, created, as one change; one record per grant changed', async () => {
    const changed: Grant = { ...schoolGrant, purposes: ['education', 'public-service'], validTo: '2030-01-01T00:00:00+07:00' };
    const versionBefore = await store.version();
    const run = await cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify([changed, future, expired, everyone]) });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      [
        'replaced school-citizen:',
        '    purposes: +public-service',
        '    validTo: (none) → 2030-01-01T00:00:00+07:00',
        'created future: 000.00.02.H41 → 000.00.20.H41 national-data [national-data.citizen.basic] for public-service, test environment, quota 10 per 60 s',
        'created expired: 000.00.02.H41 → 000.00.20.H41 national-data [national-data.citizen.basic] for public-service',
        'created everyone: 000.00.03.H41 → * national-data [national-data.enterprise.basic] for *',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      run.records.map((r) => [r.event, r.grantId, r.by]),
      [
        ['grant.replaced', 'school-citizen', 'ops'],
        ['grant.created', 'future', 'ops'],
        ['grant.created', 'expired', 'ops'],
        ['grant.created', 'everyone', 'ops'],
      ],
    );
    assert.deepEqual(run.records[0]?.changedFields, ['purposes', 'validTo']);
    const logged = await changes.list({ entity: 'grant', limit: 4 });
    assert.deepEqual(
      logged.map((r) => [r.id, r.entityId, r.action]).reverse(),
      run.records.map((r) => [r.changeId, r.grantId, 'put']),
      'one change log record per grant changed, in order',
    );
    assert.deepEqual(logged.at(-1)?.before, schoolGrant);
    assert.deepEqual(run.records[0]?.before, schoolGrant);
    assert.deepEqual(run.records[0]?.after, changed);
    assert.deepEqual(await store.get('school-citizen'), changed);
    // All written in one step: the gateways see one change.
    assert.equal(await store.version(), versionBefore + 1);
  });

  test('list: a table marking grants not yet valid or expired; filters; JSON', async () => {
    const [table, forSchool, byProvider, json] = await Promise.all([
      cli(['list']),
      cli(['list', '--consumer', SCHOOL, '--json']),
      cli(['list', '--provider', '000.00.03.H41']),
      cli(['list', '--json']),
    ]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.match(lines[0]!, /^ID +PROVIDER → CONSUMER +SERVICE +FIELD SETS +PURPOSES +VALID FROM +VALID TO +ROW CONDITION +ENVIRONMENT +QUOTA +STATUS$/);
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `))?.split(/ {2,}/);
    assert.deepEqual(row('everyone'), [
      'everyone',
      '000.00.03.H41 → *',
      'national-data',
      'national-data.enterprise.basic',
      '*',
      '2025-07-01T00:00:00+07:00',
      '-',
      '-',
      'production',
      '-',
      'active',
    ]);
    assert.deepEqual(row('expired')?.slice(5), ['2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z', '-', 'production', '-', 'EXPIRED']);
    assert.deepEqual(row('future')?.slice(5), ['2099-01-01T00:00:00Z', '-', '-', 'test', '10/60s', 'NOT YET VALID']);
    assert.deepEqual(row('school-citizen')?.slice(1, 5), [
      '000.00.02.H41 → 000.01.06.H41',
      'national-data',
      'national-data.citizen.basic',
      'education, public-service',
    ]);
    assert.match(table.stdout, /\n\n4 grants in Redis redis:\/\/\S+, prefix lgsp-test:\S+; 2 not in force\n$/);

    // An agency's view includes the grants to every agency.
    assert.deepEqual(
      (JSON.parse(forSchool.stdout) as Grant[]).map((g) => g.id),
      ['everyone', 'school-citizen'],
    );
    assert.match(byProvider.stdout, /^everyone /m);
    assert.doesNotMatch(byProvider.stdout, /school-citizen/);
    assert.deepEqual(JSON.parse(json.stdout), await store.list());
  });

  test('show prints one grant as JSON; an unknown id exits 1', async () => {
    const [shown, missing] = await Promise.all([cli(['show', 'everyone']), cli(['show', 'nope'])]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout), everyone);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'grants: no grant with id "nope" (npm run --silent grants -- list shows the ids)\n');
  });

  test('invalid input: a bad agency code, an unknown field set, malformed JSON — exit 1, every problem named, nothing written', async () => {
    const listBefore = await store.list();
    const versionBefore = await store.version();
    const newOne = sampleGrant('would-be-new', { consumer: SCHOOL });
    const [badAgency, unknownFieldSet, malformed, mixed] = await Promise.all([
      cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify(sampleGrant('bad-agency', { consumer: 'truong-thpt' })) }),
      cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify(sampleGrant('unknown-set', { fieldSets: ['national-data.citizen.secret'] })) }),
      cli(['put', '-', '--by', 'ops'], { stdin: '{ "id": "half-written", ' }),
      cli(['put', '-', '--by', 'ops'], { stdin: JSON.stringify([newOne, sampleGrant('bad-dates', { validTo: '2025-01-01T00:00:00Z' }), 42, { ...newOne }]) }),
    ]);
    assert.deepEqual([badAgency.code, unknownFieldSet.code, malformed.code, mixed.code], [1, 1, 1, 1]);
    assert.equal(badAgency.stderr, 'grants: stdin: nothing written\n  - bad-agency: invalid grant: consumer: must be an agency code AAA.BB.CC.XNN or *\n');
    assert.equal(
      unknownFieldSet.stderr,
      'grants: stdin: nothing written\n' +
        `  - unknown-set: fieldSets: national-data.citizen.secret is not a @policy of the supergraph (SUPERGRAPH_FILE=${supergraphFile}; ` +
        'national-data declares national-data.citizen.basic, national-data.citizen.personal, national-data.enterprise.basic, national-data.enterprise.representative-id)\n',
    );
    assert.match(malformed.stderr, /^grants: stdin: nothing written\n {2}- not valid JSON: .+\n$/);
    assert.equal(
      mixed.stderr,
      [
        'grants: stdin: nothing written',
        '  - [1] bad-dates: invalid grant: validTo: must be after validFrom',
        '  - [2]: must be a grant (a JSON object)',
        '  - [3] would-be-new: grant id would-be-new appears twice',
        '',
      ].join('\n'),
    );
    for (const run of [badAgency, unknownFieldSet, malformed, mixed]) assert.equal(run.stdout, '');
    assert.deepEqual(await store.list(), listBefore);
    assert.equal(await store.version(), versionBefore);
  });

  test('revoke: an unknown id exits 1; --dry-run keeps the grant; revoke deletes it, notifies, records it', async () => {
    const missing = await cli(['revoke', 'nope', '--by', 'ops']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'grants: no grant with id "nope" (npm run --silent grants -- list shows the ids); nothing revoked\n');
    assert.equal(missing.stdout, '');

    const dryRun = await cli(['revoke', 'future', '--dry-run']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.equal(
      dryRun.stderr,
      'would revoke future: 000.00.02.H41 → 000.00.20.H41 national-data [national-data.citizen.basic] for public-service, test environment, quota 10 per 60 s\ndry run: nothing written\n',
    );
    assert.deepEqual(await store.get('future'), future);

    let notified!: () => void;
    const seen = new Promise<void>((resolve) => (notified = resolve));
    const stop = await store.subscribe(() => notified());
    const run = await cli(['revoke', 'future', '--by', 'ops']);
    assert.equal(run.code, 0, run.stderr);
    await seen;
    await stop();
    assert.equal(
      run.stderr,
      'revoked future: 000.00.02.H41 → 000.00.20.H41 national-data [national-data.citizen.basic] for public-service, test environment, quota 10 per 60 s\n',
    );
    assert.deepEqual(
      run.records.map((r) => [r.event, r.action, r.grantId, r.by, r.before, r.after]),
      [['grant.revoked', 'revoke', 'future', 'ops', future, null]],
    );
    const [logged] = await changes.list({ entity: 'grant', id: 'future', limit: 1 });
    assert.deepEqual(
      [logged?.id, logged?.action, logged?.actor, logged?.before, logged?.after],
      [run.records[0]?.changeId, 'revoke', { kind: 'operator', username: 'ops' }, future, null],
    );
    assert.equal(await store.get('future'), null);
  });

  test('put: when another change lands between what it read and its write, it exits 1, writes nothing, records nothing', async () => {
    const theirs: Grant = { ...expired, basis: 'another operator' };
    const ours = [sampleGrant('would-be-created', { consumer: SCHOOL }), { ...expired, purposes: ['education'] }];
    const versionBefore = await store.version();
    const logged = (await changes.list({ limit: 1000 })).length;
    const run = await runWithChangeMeanwhile(['put', '-', '--by', 'ops'], JSON.stringify(ours), () => store.put(theirs));
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr.split('\n').at(-2),
      'grants: the grant store changed while this put was being prepared (another operator or a gateway seeding it): ' +
        'nothing written; run the command again to see the changes against the current grants',
    );
    assert.equal(run.stdout, '');
    // The other change stands; none of ours was written.
    assert.deepEqual(await store.get('expired'), theirs);
    assert.equal(await store.get('would-be-created'), null);
    assert.equal(await store.version(), versionBefore + 1);
    assert.equal((await changes.list({ limit: 1000 })).length, logged, 'nothing in the change log');
  });

  test('put: when Redis fails at the write, it exits 1 saying the write is not confirmed and the store is unchanged', async () => {
    const listBefore = await store.list();
    const ours = [sampleGrant('would-be-created', { consumer: SCHOOL }), { ...everyone, purposes: ['education'] }];
    const run = await runWithChangeMeanwhile(['put', '-', '--by', 'ops'], JSON.stringify(ours), async (commandRedis) => commandRedis.destroy());
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr.split('\n').at(-2)!,
      /^grants: write not confirmed \(.+\): a put writes all its grants or none; run the command again, it shows them unchanged if they were written$/,
    );
    assert.equal(run.stdout, '');
    assert.deepEqual(await store.list(), listBefore);
  });

  test('put and revoke: when Redis fails at the read, they say so (not that the stored grant is unreadable) and write nothing', async () => {
    const listBefore = await store.list();
    const put = await runWithChangeMeanwhile(['put', '-', '--by', 'ops'], JSON.stringify(everyone), async (commandRedis) => commandRedis.destroy(), 'read');
    assert.equal(put.code, 1, put.stderr);
    assert.match(put.stderr, /^grants: cannot read grant everyone from the store \(.+\); nothing written$/m);
    assert.doesNotMatch(put.stderr, /revoke it first/);
    const revoke = await runWithChangeMeanwhile(['revoke', 'everyone', '--by', 'ops'], '', async (commandRedis) => commandRedis.destroy(), 'read');
    assert.equal(revoke.code, 1, revoke.stderr);
    assert.match(revoke.stderr, /^grants: cannot read grant everyone from the store \(.+\); nothing revoked$/m);
    assert.equal(put.stdout + revoke.stdout, '');
    assert.deepEqual(await store.list(), listBefore);
  });

  test('revoke: when the grant changes between what it read and the removal, it exits 1, keeps it, records nothing', async () => {
    const theirs: Grant = { ...everyone, purposes: ['education'] };
    const logged = (await changes.list({ limit: 1000 })).length;
    const run = await runWithChangeMeanwhile(['revoke', 'everyone', '--by', 'ops'], '', () => store.put(theirs));
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr,
      'grants: the grant store changed while this revoke was being prepared (another operator or a gateway seeding it): ' +
        'nothing revoked; run the command again to see the grant as it is now\n',
    );
    assert.equal(run.stdout, '');
    assert.deepEqual(await store.get('everyone'), theirs);
    assert.equal((await changes.list({ limit: 1000 })).length, logged, 'nothing in the change log');
  });
});
