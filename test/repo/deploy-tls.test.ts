/**
 * TLS at the ingress as docker-compose.yml configures it: a real nginx runs both templates
 * (deploy/ingress/lgsp-ingress.conf.template and lgsp-tls.conf.template) rendered with the ingress' compose values,
 * on loopback ports, with a development certificate from scripts/dev-certificate.ts. Behind it, small HTTP servers
 * stand where the gateways, the relay and Keycloak are (what is under test is nginx's part: the handshake, the
 * redirect, the host routing and the headers it passes; test/e2e/ingress.test.ts runs the routes in front of the
 * real platform).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, repoRoot } from '../../scripts/platform.ts';
import { nginxBinary, renderTemplate } from '../../scripts/ingress.ts';
import { writeDevCertificate } from '../../scripts/dev-certificate.ts';

const PUBLIC_HOST = 'lgsp.localhost';
const LOGIN_HOST = 'login.lgsp.localhost';

interface Upstream {
  server: Server;
  hostPort: string;
  seen: Array<{ url: string; headers: IncomingHttpHeaders }>;
}

async function upstream(name: string): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ upstream: name, url: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, hostPort: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let dir: string;
let nginx: ChildProcess;
let httpsPort: number;
let httpPort: number;
let certificate: Buffer;
let gateway: Upstream;
let relay: Upstream;
let keycloak: Upstream;

before(async () => {
  const binary = nginxBinary();
  dir = await mkdtemp(join(tmpdir(), 'lgsp-tls-'));
  await chmod(dir, 0o755);
  [gateway, relay, keycloak] = await Promise.all([upstream('gateway'), upstream('relay'), upstream('keycloak')]);
  const tls = await writeDevCertificate({ out: join(dir, 'tls'), hosts: [PUBLIC_HOST, LOGIN_HOST], days: 2 });
  certificate = await readFile(tls.certificate);
  httpsPort = await freePort();
  httpPort = await freePort();
  // The ingress' environment in docker-compose.yml, with loopback addresses for the names and ports of the network.
  const compose = parse(await readFile(join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: { ingress: { environment: Record<string, string> } } };
  const environment = compose.services.ingress.environment;
  assert.equal(environment.INGRESS_PORT, '443 ssl');
  const values: Record<string, string> = {
    ...environment,
    GATEWAY_1: gateway.hostPort,
    GATEWAY_2: gateway.hostPort,
    RELAY: relay.hostPort,
    KEYCLOAK: keycloak.hostPort,
    INGRESS_PORT: `127.0.0.1:${httpsPort} ssl`,
    INGRESS_HTTP_PORT: `127.0.0.1:${httpPort}`,
    LGSP_LOGIN_HOST: LOGIN_HOST,
    TLS_CERTIFICATE: tls.certificate,
    TLS_CERTIFICATE_KEY: tls.key,
  };
  const includes: string[] = [];
  for (const [name, file] of [
    ['default.conf', 'lgsp-ingress.conf.template'],
    ['tls.conf', 'lgsp-tls.conf.template'],
  ] as const) {
    const rendered = renderTemplate(await readFile(join(repoRoot, 'deploy/ingress', file), 'utf8'), values);
    assert.doesNotMatch(rendered, /\$\{[A-Z0-9_]+\}/, `${file}: every variable has a value in docker-compose.yml`);
    await writeFile(join(dir, name), rendered);
    includes.push(`  include ${dir}/${name};`);
  }
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${dir}/${kind};`),
      // The nginx image's order: conf.d/*.conf alphabetically.
      ...includes,
      '}',
    ].join('\n'),
  );
  const check = spawnSync(binary, ['-t', '-q', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' });
  assert.equal(check.status, 0, `nginx refuses the TLS configuration:\n${check.stderr}`);
  nginx = spawn(binary, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await listening(httpsPort)) || !(await listening(httpPort))) {
    if (nginx.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start:\n${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(async () => {
  if (nginx !== undefined && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await Promise.all([gateway, relay, keycloak].filter(Boolean).map((u) => new Promise((resolve) => u.server.close(resolve))));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  protocol?: string;
}

/** HTTPS to the ingress as a client of `host` (SNI and Host), trusting only the development certificate. */
function https(
  host: string,
  path: string,
  options: { ca?: Buffer; minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path,
        servername: host,
        headers: { host, connection: 'close' },
        ca: options.ca ?? certificate,
        minVersion: options.minVersion,
        maxVersion: options.maxVersion,
        ciphers: options.ciphers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            protocol: (res.socket as import('node:tls').TLSSocket).getProtocol?.() ?? undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function http(host: string, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: httpPort, path, method, headers: { host, connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS at the ingress (docker-compose.yml)', () => {
  it('serves the gateway over TLS with the certificate supplied, tells the gateway the request was HTTPS, and sets HSTS', async () => {
    const answer = await https(PUBLIC_HOST, '/graphql?query=%7B__typename%7D');
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).upstream, 'gateway');
    assert.match(answer.headers['strict-transport-security'] ?? '', /max-age=31536000/);
    const seen = gateway.seen.at(-1)!;
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-host'], PUBLIC_HOST);
    assert.ok(seen.headers['x-request-id'], 'the ingress gives the request an id');
    // The portal's assets, whose location sets its own cache header, keep HSTS.
    const asset = await https(PUBLIC_HOST, '/portal/assets/index-BJz0ulIn.js');
    assert.equal(JSON.parse(asset.body).upstream, 'gateway');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(asset.headers['strict-transport-security'] ?? '', /max-age=31536000/);
    assert.match((await https(PUBLIC_HOST, '/portal/')).headers['strict-transport-security'] ?? '', /max-age=31536000/);
    const exchange = await https(PUBLIC_HOST, '/exchange/packets/x/content?token=t');
    assert.equal(JSON.parse(exchange.body).upstream, 'relay');
    assert.equal(relay.seen.at(-1)!.headers['x-forwarded-proto'], 'https');
  });

  it('refuses TLS older than 1.2, and a client that does not trust the certificate refuses the ingress', async () => {
    // The client offers TLS 1.0 and 1.1 (its own security level lowered so that it does): the server refuses.
    await assert.rejects(https(PUBLIC_HOST, '/health/live', { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }), (error: Error) => {
      assert.match(error.message, /alert protocol version|unsupported protocol/i);
      return true;
    });
    const tls12 = await https(PUBLIC_HOST, '/health/live', { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.status, 200);
    const other = await writeDevCertificate({ out: join(dir, 'other'), hosts: [PUBLIC_HOST], days: 1 });
    await assert.rejects(https(PUBLIC_HOST, '/health/live', { ca: await readFile(other.certificate) }), /self[- ]signed|certificate/i);
  });

  it('keeps /metrics and /internal/… from the public over TLS too', async () => {
    for (const path of ['/metrics', '/internal/v1/audit', '/.well-known/jwks.json']) {
      const before = gateway.seen.length;
      const answer = await https(PUBLIC_HOST, path);
      assert.equal(answer.status, 404, path);
      assert.equal(gateway.seen.length, before, `${path} did not reach a gateway`);
    }
  });

  it('redirects plain HTTP to HTTPS (the same host and path), answering nothing else there', async () => {
    for (const [method, path] of [
      ['GET', '/graphql?query=%7B__typename%7D'],
      ['POST', '/graphql'],
      ['GET', '/metrics'],
    ] as const) {
      const before = gateway.seen.length;
      const answer = await http(PUBLIC_HOST, path, method);
      assert.equal(answer.status, 301, `${method} ${path}`);
      assert.equal(answer.headers.location, `https://${PUBLIC_HOST}${path}`);
      assert.equal(gateway.seen.length, before, 'nothing reaches a gateway over plain HTTP');
    }
    const login = await http(LOGIN_HOST, '/realms/lgsp/account');
    assert.equal(login.headers.location, `https://${LOGIN_HOST}/realms/lgsp/account`);
    // The container's own health check, from its loopback, is answered on the HTTP port.
    assert.equal((await http('localhost', '/health/live')).status, 200);
  });

  it("routes Keycloak's host to Keycloak's public paths only, with the X-Forwarded headers its proxy mode reads", async () => {
    const discovery = await https(LOGIN_HOST, '/realms/lgsp/.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(JSON.parse(discovery.body).upstream, 'keycloak');
    const seen = keycloak.seen.at(-1)!;
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-host'], LOGIN_HOST);
    assert.equal(seen.headers['x-forwarded-port'], String(httpsPort));
    assert.equal(seen.headers.host, LOGIN_HOST);
    assert.equal(JSON.parse((await https(LOGIN_HOST, '/resources/x/login/lgsp/css/login.css')).body).upstream, 'keycloak');
    for (const path of ['/admin/master/console/', '/realms/master/protocol/openid-connect/auth', '/metrics', '/health/ready', '/']) {
      const before = keycloak.seen.length;
      const answer = await https(LOGIN_HOST, path);
      assert.equal(answer.status, 404, path);
      assert.equal(keycloak.seen.length, before, `${path} did not reach Keycloak`);
    }
    // The gateway's host is not Keycloak's.
    const before = keycloak.seen.length;
    await https(PUBLIC_HOST, '/realms/lgsp/.well-known/openid-configuration');
    assert.equal(keycloak.seen.length, before);
  });
});
