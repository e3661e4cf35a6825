/**
 * docker-compose.yml is production-shaped, checked with Debian's docker-compose client (`docker-compose config`: the
 * file as Compose resolves it, with the operator's variables and secret files made in a temporary folder the way
 * docs/runbook.md says), and the entry points that turn secret files into the services' environment
 * (deploy/docker-entrypoint.sh, deploy/keycloak/start.sh) run for real with sh and bash.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, repoRoot } from '../../scripts/platform.ts';
import { writeDevCertificate } from '../../scripts/dev-certificate.ts';

/** The docker-compose client, or a failure that says what to install (never a silent skip). */
function dockerCompose(): string {
  const candidate = process.env.DOCKER_COMPOSE_BIN ?? 'docker-compose';
  if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('docker-compose is needed to check docker-compose.yml: apt-get install docker-compose (or set DOCKER_COMPOSE_BIN)');
  }
  return candidate;
}

const HAND_WRITTEN = [
  'national-platform-consumer-key',
  'national-platform-consumer-secret',
  'national-platform-test-consumer-key',
  'national-platform-test-consumer-secret',
];

let dir: string;
let secrets: string;
let tls: string;
let operatorEnv: Record<string, string>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lgsp-deploy-'));
  secrets = join(dir, 'secrets');
  tls = join(dir, 'tls');
  const generated = spawnSync('sh', [join(repoRoot, 'deploy/generate-secrets.sh'), secrets], { encoding: 'utf8' });
  assert.equal(generated.status, 0, generated.stderr);
  assert.match(generated.stdout, /still to write by hand.*national-platform-consumer-key/);
  assert.match(generated.stdout, /created {2}vdxp-client-secret\n/);
  assert.match(generated.stdout, /sign-in through VDXP is off until the province is registered/);
  for (const name of HAND_WRITTEN) await writeFile(join(secrets, name), `test-${name}-0123456789abcdef\n`, { mode: 0o444 });
  await writeDevCertificate({ out: tls, hosts: ['lgsp.example.gov.vn', 'login.lgsp.example.gov.vn'], days: 2 });
  operatorEnv = {
    LGSP_SECRETS_DIR: secrets,
    LGSP_TLS_DIR: tls,
    LGSP_PUBLIC_HOST: 'lgsp.example.gov.vn',
    LGSP_LOGIN_HOST: 'login.lgsp.example.gov.vn',
    NATIONAL_PLATFORM_URL: 'https://ndxp.example.gov.vn',
    NATIONAL_PLATFORM_TEST_URL: 'https://ndxp-test.example.gov.vn',
  };
});
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** `docker-compose config` with only the variables given (no .env, none of the test runner's environment). */
function composeConfig(env: Record<string, string>, ...args: string[]) {
  return spawnSync(dockerCompose(), ['--project-directory', repoRoot, '-f', join(repoRoot, 'docker-compose.yml'), ...args, 'config'], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
  });
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  secrets?: Array<{ source: string } | string>;
  ports?: Array<{ published?: number | string; target: number; host_ip?: string } | string>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean } | string>;
  healthcheck?: { test: string[] | string };
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

const resolvedCache = new Map<string, string>();
/** The file as `docker-compose config` prints it (each variant run once: the client takes seconds to start). */
function resolved(env: Record<string, string>, ...args: string[]): ComposeFile {
  const key = JSON.stringify([env, args]);
  if (!resolvedCache.has(key)) {
    const result = composeConfig(env, ...args);
    assert.equal(result.status, 0, `docker-compose config failed:\n${result.stderr}`);
    resolvedCache.set(key, result.stdout);
  }
  return parse(resolvedCache.get(key)!) as ComposeFile;
}

/** Volumes in either syntax docker-compose config prints (`source:target[:mode]` or the long form). */
const volumesOf = (service: ComposeService) =>
  (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target };
    const [source, target] = v.split(':');
    return { source, target };
  });
/** Published ports in either syntax (`[ip:]published:target[/proto]` or the long form). */
const portsOf = (service: ComposeService) =>
  (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: p.host_ip, published: String(p.published), target: String(p.target) };
    const parts = p.replace(/\/\w+$/, '').split(':');
    const target = parts.pop()!;
    const published = parts.pop()!;
    return { hostIp: parts.pop(), published, target };
  });
const secretNames = (service: ComposeService) => (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
const commandOf = (service: ComposeService) => (Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? ''));

describe('docker-compose.yml, as docker-compose resolves it', () => {
  it('passes `docker-compose config` with the operator’s variables and secret files, with and without the profiles', () => {
    const plain = resolved(operatorEnv);
    for (const name of [
      'keycloak',
      'keycloak-db',
      'redis',
      'registry',
      'catalogs',
      'national-data',
      'relay',
      'subscriptions',
      'monitoring',
      'gateway-1',
      'gateway-2',
      'ingress',
    ]) {
      assert.ok(plain.services[name], `service ${name}`);
    }
    // `config` prints every service; `up` starts those of a profile only when the profile is asked for.
    assert.deepEqual(plain.services.simulator?.profiles, ['simulator'], 'the simulator only with its profile');
    assert.deepEqual(plain.services.prometheus?.profiles, ['observability'], 'prometheus only with its profile');
    const withProfiles = [...Object.entries(plain.services)].filter(([, s]) => s.profiles !== undefined).map(([n]) => n);
    assert.deepEqual(withProfiles.sort(), ['prometheus', 'simulator', 'tools']);
    resolved(operatorEnv, '--profile', 'simulator', '--profile', 'observability', '--profile', 'tools');
  });

  it('stops at once when a variable the operator must give is missing, naming it', () => {
    for (const name of Object.keys(operatorEnv)) {
      const env = { ...operatorEnv };
      delete env[name];
      const result = composeConfig(env);
      assert.notEqual(result.status, 0, `docker-compose config passes without ${name}`);
      assert.match(result.stderr, new RegExp(name), `the message names ${name}: ${result.stderr}`);
    }
  });

  it('runs Keycloak in production mode on PostgreSQL, behind the ingress, importing the realm, with health on', () => {
    const { services, volumes } = resolved(operatorEnv);
    const keycloak = services.keycloak!;
    const command = commandOf(keycloak);
    assert.match(command, /^start\b/);
    assert.doesNotMatch(command, /start-dev/);
    assert.match(command, /--import-realm/);
    const env = keycloak.environment!;
    assert.equal(env.KC_DB, 'postgres');
    assert.equal(env.KC_DB_URL, 'jdbc:postgresql://keycloak-db:5432/keycloak');
    assert.equal(env.KC_HOSTNAME, 'https://login.lgsp.example.gov.vn');
    assert.equal(env.KC_PROXY_HEADERS, 'xforwarded');
    assert.equal(env.KC_HEALTH_ENABLED, 'true');
    assert.equal(env.KC_DB_PASSWORD, undefined, 'the database password comes from its secret file');
    assert.equal(env.KC_BOOTSTRAP_ADMIN_PASSWORD, undefined, 'the admin password comes from its secret file');
    assert.deepEqual(secretNames(keycloak).sort(), [
      'keycloak-admin-password',
      'keycloak-backup-client-secret',
      'keycloak-db-password',
      'keycloak-registry-client-secret',
      'vdxp-client-secret',
    ]);
    // VDXP (citizens' sign-in): optional, the same values for the realm's generation and Keycloak's import.
    for (const service of [keycloak, services['keycloak-realm']!]) {
      assert.equal(service.environment!.VDXP_ISSUER_URL, '', 'VDXP_ISSUER_URL unset: the identity provider is imported disabled');
      assert.equal(service.environment!.VDXP_CLIENT_ID, '');
    }
    const withVdxp = resolved({ ...operatorEnv, VDXP_ISSUER_URL: 'https://vdxp.example.gov.vn/oidc', VDXP_CLIENT_ID: 'lgsp-nghean' }).services;
    for (const name of ['keycloak', 'keycloak-realm']) {
      assert.equal(withVdxp[name]!.environment!.VDXP_ISSUER_URL, 'https://vdxp.example.gov.vn/oidc', name);
      assert.equal(withVdxp[name]!.environment!.VDXP_CLIENT_ID, 'lgsp-nghean', name);
    }
    // --import-realm reads the production realm keycloak-realm made from keycloak/realm-export.json.
    assert.ok(volumesOf(keycloak).some((v) => v.source === 'keycloak-import' && v.target === '/opt/keycloak/data/import'));
    assert.deepEqual(keycloak.depends_on, {
      'keycloak-db': { condition: 'service_healthy' },
      'keycloak-realm': { condition: 'service_completed_successfully' },
    });
    const realm = services['keycloak-realm']!;
    assert.match(commandOf(realm), /deploy\/keycloak\/production-realm\.ts keycloak\/realm-export\.json \/import\/lgsp-realm\.json/);
    assert.ok(volumesOf(realm).some((v) => v.source === 'keycloak-import' && v.target === '/import'));
    assert.equal(env.LGSP_PUBLIC_HOST, 'lgsp.example.gov.vn', "the portal's URLs in the realm");
    const db = services['keycloak-db']!;
    assert.match(db.image!, /^postgres:/);
    assert.equal(db.environment!.POSTGRES_PASSWORD_FILE, '/run/secrets/keycloak-db-password');
    assert.ok(volumesOf(db).some((v) => v.source === 'keycloak-db-data' && v.target === '/var/lib/postgresql/data'));
    assert.ok('keycloak-db-data' in volumes);
    // The gateways accept the tokens of that issuer.
    assert.equal(services['gateway-1']!.environment!.KEYCLOAK_URL, 'https://login.lgsp.example.gov.vn/realms/lgsp');
  });

  it('runs Redis with AOF and a password from its secret, and gives every service using Redis that password', () => {
    const { services } = resolved(operatorEnv);
    const redis = services.redis!;
    const command = commandOf(redis);
    assert.match(command, /--appendonly yes/);
    assert.match(command, /requirepass/);
    assert.match(command, /\/run\/secrets\/redis-password/);
    assert.deepEqual(secretNames(redis), ['redis-password']);
    assert.match(JSON.stringify(redis.healthcheck), /REDISCLI_AUTH/, 'the health check authenticates');
    const usingRedis = Object.entries(services).filter(([, s]) => s.environment?.REDIS_URL !== undefined);
    assert.ok(usingRedis.length >= 8, usingRedis.map(([n]) => n).join());
    for (const [name, service] of usingRedis) {
      assert.equal(service.environment!.REDIS_URL, 'redis://redis:6379', `${name}: REDIS_URL without credentials`);
      assert.equal(service.environment!.REDIS_PASSWORD_FILE, '/run/secrets/redis-password', `${name}: REDIS_PASSWORD_FILE`);
      assert.ok(secretNames(service).includes('redis-password'), `${name} gets the redis-password secret`);
      assert.ok(service.build !== undefined, `${name} runs the platform's image, whose entry point reads REDIS_PASSWORD_FILE`);
    }
  });

  it('takes every secret from a file of LGSP_SECRETS_DIR, each service only those it names, and has no secret in its environment', () => {
    const file = resolved(operatorEnv);
    for (const [name, secret] of Object.entries(file.secrets)) assert.equal(secret.file, join(secrets, name), `secret ${name}`);
    const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|MASTER_KEY|CONSUMER_KEY|PRIVATE)/;
    for (const [serviceName, service] of Object.entries(file.services)) {
      const granted = secretNames(service);
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (variable.endsWith('_FILE') && value?.startsWith('/run/secrets/')) {
          assert.ok(granted.includes(value.slice('/run/secrets/'.length)), `${serviceName}: ${variable} names a secret the service is given`);
          continue;
        }
        assert.doesNotMatch(variable, SECRET_NAME, `${serviceName}: ${variable} is a secret given in the environment (${value})`);
      }
      for (const secret of granted) assert.ok(secret in file.secrets, `${serviceName}: secret ${secret} is declared`);
    }
  });

  it('publishes only the ingress (80, 443) to the network; the admin console and Prometheus on the loopback only', () => {
    const { services } = resolved(operatorEnv);
    const published: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const port of portsOf(service)) {
        if (port.hostIp === '127.0.0.1') continue;
        published.push(`${name}:${port.published}->${port.target}`);
      }
    }
    assert.deepEqual(published.sort(), ['ingress:443->443', 'ingress:80->80']);
  });

  it('checks the health of every long-running service and runs two gateway replicas with one signing key', () => {
    const { services } = resolved(operatorEnv);
    for (const [name, service] of Object.entries(services)) {
      if (['signing-key', 'keycloak-realm', 'tools'].includes(name)) continue; // one-shot commands
      assert.ok(service.healthcheck?.test, `${name} has a health check`);
    }
    for (const name of ['gateway-1', 'gateway-2']) {
      const gateway = services[name]!;
      assert.match(commandOf(gateway), /gateway\/src\/main\.ts/);
      assert.equal(gateway.environment!.GATEWAY_SIGNING_KEY_FILE, '/keys/gateway.jwk');
      assert.equal(gateway.environment!.SUBGRAPH_MONITORING_URL, 'http://monitoring:4106/graphql');
    }
    assert.match(commandOf(services.monitoring!), /subgraphs\/monitoring\/src\/main\.ts/);
    // Every entry point a service runs is in the repository (the image is the repository).
    for (const [name, service] of Object.entries(services)) {
      for (const script of commandOf(service).match(/[\w./-]+\.ts\b/g) ?? []) {
        assert.ok(existsSync(join(repoRoot, script)), `${name} runs ${script}, which exists`);
      }
    }
    assert.equal(services.monitoring!.environment!.PORT, '4106');
    assert.equal(services['national-data']!.environment!.NODE_ENV, 'production', 'national-data runs as in production, also against the simulator');
  });
});

describe("Redis' command in docker-compose.yml", () => {
  it('starts a Redis that wants the password of the secret file and logs every write (AOF); refuses a weak password', async () => {
    const redisServer = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    if (spawnSync(redisServer, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error('redis-server is needed: apt-get install redis-server');
    const { services } = resolved(operatorEnv);
    const command = services.redis!.command as string[];
    assert.deepEqual(command.slice(0, 2), ['sh', '-c']);
    // The script as the container runs it ($$ is Compose's escape of $), on this machine: paths of a temporary
    // folder for the secret and the tmpfs, redis-server itself for the image's entry point (which only drops root).
    const work = join(dir, 'redis');
    await mkdir(join(work, 'conf'), { recursive: true });
    const port = await freePort();
    const script = command[2]!
      .replaceAll('$$', '$')
      .replaceAll('/run/secrets/redis-password', join(work, 'password'))
      .replaceAll('/run/redis-secret', join(work, 'conf'))
      .replace('chown redis ', 'true ')
      .replace('exec docker-entrypoint.sh redis-server', `exec ${redisServer}`)
      .concat(` --port ${port} --bind 127.0.0.1 --dir ${work} --save ''`);
    const run = (password: string) =>
      writeFile(join(work, 'password'), password).then(() => spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] }));

    for (const [weak, message] of [
      ['short-password', /at least 32 characters/],
      ['a password with spaces and quotes "0123456789abcdef', /may use only/],
    ] as const) {
      const child = await run(`${weak}\n`);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1, weak);
      assert.match(stderr, message);
    }

    const password = (await readFile(join(secrets, 'redis-password'), 'utf8')).trim();
    const child = await run(`${password}\n`);
    try {
      const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(port), '--no-auth-warning', ...args], { encoding: 'utf8' });
      const deadline = Date.now() + 10_000;
      while (!/NOAUTH|PONG/.test(cli('ping').stdout + cli('ping').stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(cli('ping').stdout, /NOAUTH/, 'without the password Redis refuses');
      assert.match(cli('-a', password, 'ping').stdout, /PONG/);
      assert.deepEqual(cli('-a', password, 'config', 'get', 'appendonly').stdout.trim().split('\n'), ['appendonly', 'yes']);
      assert.deepEqual(cli('-a', password, 'config', 'get', 'maxmemory-policy').stdout.trim().split('\n'), ['maxmemory-policy', 'noeviction']);
      assert.doesNotMatch(
        spawnSync('ps', ['-o', 'args=', '-p', String(child.pid)], { encoding: 'utf8' }).stdout,
        new RegExp(password),
        'the password is not on the command line',
      );
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('the entry points that read secret files', () => {
  const entrypoint = join(repoRoot, 'deploy/docker-entrypoint.sh');
  const run = (env: Record<string, string>) =>
    spawnSync(
      'sh',
      [
        entrypoint,
        'sh',
        '-c',
        'echo "REDIS_URL=$REDIS_URL"; echo "TOKEN=$REGISTRY_INTERNAL_TOKEN"; echo "PREV=${RELAY_MASTER_KEY_PREVIOUS-unset}"; env | grep -c _FILE= || true',
      ],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      },
    );

  it('builds REDIS_URL with the password and sets each <NAME> from <NAME>_FILE; an empty *_PREVIOUS stays unset', async () => {
    const password = (await readFile(join(secrets, 'redis-password'), 'utf8')).trim();
    const token = (await readFile(join(secrets, 'registry-internal-token'), 'utf8')).trim();
    const result = run({
      REDIS_URL: 'redis://redis:6379',
      REDIS_PASSWORD_FILE: join(secrets, 'redis-password'),
      REGISTRY_INTERNAL_TOKEN_FILE: join(secrets, 'registry-internal-token'),
      RELAY_MASTER_KEY_PREVIOUS_FILE: join(secrets, 'relay-master-key-previous'),
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `REDIS_URL=redis://:${password}@redis:6379\nTOKEN=${token}\nPREV=unset\n0\n`);
  });

  it('stops the container, naming the variable and never the secret, when a file is missing, empty or unfit', async () => {
    const bad = join(dir, 'bad');
    await writeFile(bad, 'pass word with spaces"\n');
    const empty = join(dir, 'empty');
    await writeFile(empty, '');
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ REGISTRY_INTERNAL_TOKEN_FILE: join(dir, 'absent') }, /REGISTRY_INTERNAL_TOKEN_FILE: cannot read/],
      [{ RELAY_MASTER_KEY_FILE: empty }, /RELAY_MASTER_KEY_FILE: .* is empty/],
      [{ REGISTRY_INTERNAL_TOKEN: 'x', REGISTRY_INTERNAL_TOKEN_FILE: bad }, /not both/],
      [{ REDIS_URL: 'redis://redis:6379', REDIS_PASSWORD_FILE: bad }, /REDIS_PASSWORD_FILE: the password may use only/],
      [{ REDIS_URL: 'redis://:old@redis:6379', REDIS_PASSWORD_FILE: join(secrets, 'redis-password') }, /already carries credentials/],
    ];
    for (const [env, message] of cases) {
      const result = run(env);
      assert.equal(result.status, 1, `${JSON.stringify(env)} is refused`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /spaces/, 'the secret is not in the message');
      assert.equal(result.stdout, '', 'the service did not start');
    }
  });

  it("Keycloak's start.sh exports the database and admin passwords from their files, and stops when one is missing", async () => {
    const kc = join(dir, 'kc.sh');
    await writeFile(
      kc,
      '#!/bin/bash\necho "args=$*"; echo "db=$KC_DB_PASSWORD"; echo "admin=$KC_BOOTSTRAP_ADMIN_PASSWORD"; echo "registry=$LGSP_REGISTRY_CLIENT_SECRET"; echo "backup=$LGSP_BACKUP_CLIENT_SECRET"\n',
      { mode: 0o755 },
    );
    const start = join(repoRoot, 'deploy/keycloak/start.sh');
    const ok = spawnSync('bash', [start, 'start', '--import-realm'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', LGSP_SECRETS_MOUNT: secrets, LGSP_KC_SH: kc },
    });
    assert.equal(ok.status, 0, ok.stderr);
    const db = (await readFile(join(secrets, 'keycloak-db-password'), 'utf8')).trim();
    const admin = (await readFile(join(secrets, 'keycloak-admin-password'), 'utf8')).trim();
    const registry = (await readFile(join(secrets, 'keycloak-registry-client-secret'), 'utf8')).trim();
    const backup = (await readFile(join(secrets, 'keycloak-backup-client-secret'), 'utf8')).trim();
    assert.equal(ok.stdout, `args=start --import-realm\ndb=${db}\nadmin=${admin}\nregistry=${registry}\nbackup=${backup}\n`);
    const missing = spawnSync('bash', [start, 'start'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', LGSP_SECRETS_MOUNT: join(dir, 'nowhere'), LGSP_KC_SH: kc },
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /keycloak-db-password is missing/);
    assert.equal(missing.stdout, '');
  });

  it("Keycloak's start.sh exports VDXP's settings and secret only when VDXP_ISSUER_URL is set, and says what is missing", async () => {
    const kc = join(dir, 'kc-vdxp.sh');
    await writeFile(kc, '#!/bin/bash\necho "issuer=${VDXP_ISSUER_URL-unset} client=${VDXP_CLIENT_ID-unset} secret=${VDXP_CLIENT_SECRET-unset}"\n', {
      mode: 0o755,
    });
    const start = join(repoRoot, 'deploy/keycloak/start.sh');
    const run = (env: Record<string, string>, mount = secrets) =>
      spawnSync('bash', [start, 'start'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LGSP_SECRETS_MOUNT: mount, LGSP_KC_SH: kc, ...env } });
    // generate-secrets.sh leaves vdxp-client-secret empty (VDXP issues it): fine while VDXP is not configured.
    assert.equal(await readFile(join(secrets, 'vdxp-client-secret'), 'utf8'), '');
    const off = run({ VDXP_ISSUER_URL: '', VDXP_CLIENT_ID: '' });
    assert.equal(off.status, 0, off.stderr);
    assert.equal(off.stdout, 'issuer=unset client=unset secret=unset\n');
    const on = { VDXP_ISSUER_URL: 'https://vdxp.example.gov.vn/oidc', VDXP_CLIENT_ID: 'lgsp-nghean' };
    const empty = run(on);
    assert.equal(empty.status, 1, 'an empty VDXP secret with VDXP configured stops Keycloak');
    assert.match(empty.stderr, /vdxp-client-secret is empty/);
    assert.equal(empty.stdout, '');
    const noClient = run({ VDXP_ISSUER_URL: on.VDXP_ISSUER_URL });
    assert.equal(noClient.status, 1);
    assert.match(noClient.stderr, /VDXP_CLIENT_ID is not/);
    const mount = join(dir, 'secrets-vdxp');
    await mkdir(mount);
    for (const name of ['keycloak-db-password', 'keycloak-admin-password', 'keycloak-registry-client-secret', 'keycloak-backup-client-secret']) {
      await writeFile(join(mount, name), await readFile(join(secrets, name)));
    }
    const missing = run(on, mount);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /vdxp-client-secret is missing/);
    await writeFile(join(mount, 'vdxp-client-secret'), 'issued-by-vdxp-0123456789abcdef\n');
    const ok = run(on, mount);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'issuer=https://vdxp.example.gov.vn/oidc client=lgsp-nghean secret=issued-by-vdxp-0123456789abcdef\n');
  });

  it('generate-secrets.sh keeps what exists and makes the files readable by the containers only through their mounts', async () => {
    const before = await readFile(join(secrets, 'redis-password'), 'utf8');
    const again = spawnSync('sh', [join(repoRoot, 'deploy/generate-secrets.sh'), secrets], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /kept {5}redis-password/);
    assert.doesNotMatch(again.stdout, /still to write by hand/);
    assert.equal(await readFile(join(secrets, 'redis-password'), 'utf8'), before);
    assert.match(before, /^[0-9a-f]{64}\n$/);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(secrets).mode & 0o777, 0o700);
    assert.equal(statSync(join(secrets, 'redis-password')).mode & 0o777, 0o444);
  });
});
