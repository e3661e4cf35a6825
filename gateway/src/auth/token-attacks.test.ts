/**
 * Walks the token attack suite (token-attacks.ts) and the accepted tokens through a real gateway in front of two
 * real subgraphs, with real tokens from the development issuer (realm `lgsp`, its signing key known to the test so
 * forged claims carry a valid signature) and a second issuer for realm `other`.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, sign as rsaSign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry, type Principal, type Registry } from '@lgsp/kit';
import { configSchema as issuerConfigSchema, startDevIssuer, type RunningDevIssuer } from '@lgsp/keycloak';
import { developmentPassword, loadRealmExport } from '@lgsp/keycloak/realm';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { developmentClientToken, developmentPortalLogin } from '../../../keycloak/src/dev-clients.ts';
import { pino } from 'pino';
import { gatewayConfig } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { startTestFederation } from '../testing/fixtures.ts';
import type { AuthenticationConfig } from './authenticate.ts';
import { acceptedTokens, tokenAttacks, type AcceptedKit, type Claims, type Header, type HeaderLines } from './token-attacks.ts';

const QUERY = JSON.stringify({ query: '{ person(id: "1") { name } }' });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** POST /graphql with header lines as given (node:http sends an array value as repeated header lines). */
function send(url: string, lines: HeaderLines, accept = 'application/json', method = 'POST'): Promise<Answer> {
  const headers: Record<string, string | string[]> = { accept };
  if (method === 'POST') headers['content-type'] = 'application/json';
  for (const [name, value] of lines) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Answer['body'] = {};
        try {
          body = JSON.parse(text) as Answer['body'];
        } catch {
          body = {};
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(method === 'POST' ? QUERY : undefined);
  });
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const RSA_HASH: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

/** A minimal cookie jar for the login form (cookie names are distinct). */
let lgsp: RunningDevIssuer;
let other: RunningDevIssuer;
let realmKey: KeyObject;
let keyDir: string;
let federation: Awaited<ReturnType<typeof startTestFederation>>;
let gateway: RunningGateway;
let registry: Registry;
const logLines: string[] = [];
let kit: AcceptedKit;

function authentication(overrides: Partial<AuthenticationConfig> = {}): AuthenticationConfig {
  return { ...gatewayConfig().authentication, realmUrl: lgsp.issuer, ...overrides };
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

async function clientCredentials(issuer: RunningDevIssuer, clientId: string): Promise<string> {
  return developmentClientToken(issuer.issuer, clientId, issuer.realm);
}

/** Authorization code + PKCE as a browser does it: authorize, the login form, the redirects, the token endpoint. */
async function portalLogin(username: string): Promise<{ accessToken: string; idToken: string; refreshToken: string; userId: string }> {
  const user = lgsp.realm.users.find((u) => u.username === username);
  assert.ok(user, username);
  return { ...(await developmentPortalLogin(lgsp.issuer, username, developmentPassword(user) ?? '')), userId: user.id };
}

before(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'lgsp-auth-test-'));
  realmKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const keyFile = join(keyDir, 'realm-signing-key.pem');
  await writeFile(keyFile, realmKey.export({ type: 'pkcs8', format: 'pem' }));
  const issuerConfig = (extra: Record<string, string> = {}) =>
    issuerConfigSchema.parse({ DEV_ISSUER_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...extra });
  lgsp = await startDevIssuer(issuerConfig({ DEV_ISSUER_SIGNING_KEY_FILE: keyFile }));
  other = await startDevIssuer(issuerConfig(), { realm: { ...(await loadRealmExport()), realm: 'other' } });

  // Cooldown 0: every unknown kid refreshes (the cooldown itself is tested in realm-keys.test.ts).
  federation = await startTestFederation({ authentication: authentication({ jwksRefreshCooldownSeconds: 0 }) });
  registry = createMetricsRegistry('gateway');
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  gateway = await startGateway(federation.config, {
    issuer: federation.issuer,
    metrics: registry,
    logger: pino({ level: 'info', base: { service: 'gateway' } }, logs),
  });

  const publicJwk = realmKey.export({ format: 'jwk' }) as JWK;
  const realmKid = await calculateJwkThumbprint({ kty: 'RSA', n: publicJwk.n, e: publicJwk.e });
  let cached: { token: string; exp: number } | undefined;
  let portal: Promise<{ accessToken: string; idToken: string; refreshToken: string; userId: string }> | undefined;
  const compact = (header: Header, claims: Claims, signature: string): string => `${b64(header)}.${b64(claims)}.${signature}`;
  kit = {
    issuer: lgsp.issuer,
    realmKid,
    realmPublicKeyPem: createPublicKey(realmKey).export({ type: 'spki', format: 'pem' }).toString(),
    now: () => Math.floor(Date.now() / 1000),
    async accessToken() {
      if (cached === undefined || cached.exp < Date.now() / 1000 + 60) {
        const token = await clientCredentials(lgsp, 'sotaichinh-h41-dkkd');
        cached = { token, exp: Number(kit.decode(token).claims.exp) };
      }
      return cached.token;
    },
    decode(token) {
      const [header = '', claims = '', signature = ''] = token.split('.');
      return {
        header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Header,
        claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as Claims,
        signature,
      };
    },
    signWithRealmKey(header, claims) {
      const input = `${b64(header)}.${b64(claims)}`;
      const hash = RSA_HASH[String(header.alg)];
      assert.ok(hash, `RSA algorithm ${String(header.alg)}`);
      return `${input}.${rsaSign(hash, Buffer.from(input), realmKey).toString('base64url')}`;
    },
    signHmac(header, claims, secret) {
      const input = `${b64(header)}.${b64(claims)}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    },
    compact,
    otherRealmAccessToken: () => clientCredentials(other, 'vpubnd-h41-motcua'),
    portalLogin: () => (portal ??= portalLogin('tuan.pham')),
    clientCredentials: (clientId) => clientCredentials(lgsp, clientId),
    login: (username) => portalLogin(username),
  };
});

after(async () => {
  await gateway?.close();
  await federation?.cleanup();
  await Promise.allSettled([lgsp?.close(), other?.close()]);
  await rm(keyDir, { recursive: true, force: true });
});

async function validRequestWorks(): Promise<void> {
  const answer = await send(gateway.url, [['authorization', `Bearer ${await kit.accessToken()}`]]);
  assert.equal(answer.status, 200, 'a valid token right after the attack is served');
  assert.deepEqual(answer.body, { data: { person: { name: 'Nguyễn Văn 1' } } });
}

describe('token attack suite: each attack gets 401 and the gateway keeps serving', () => {
  it('serves the sanity request with a valid token', validRequestWorks);

  for (const attack of tokenAttacks) {
    it(attack.name, async () => {
      const lines = await attack.headers(kit);
      const callsBefore = federation.people.probe.calls.length;
      const rejectedBefore = await counter('lgsp_gateway_authentication_rejections_total', { reason: attack.reason });
      const refreshesBefore = await counter('lgsp_gateway_jwks_fetches_total', { trigger: 'unknown_kid', outcome: 'success' });
      const logsBefore = logLines.length;

      const answer = await send(gateway.url, lines);
      assert.equal(answer.status, 401);
      const challenge = String(answer.headers['www-authenticate']);
      if (attack.oauthError === undefined) assert.equal(challenge, 'Bearer realm="lgsp"');
      else assert.match(challenge, new RegExp(`^Bearer realm="lgsp", error="${attack.oauthError}", error_description="[\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]+"$`));
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.equal(answer.body.errors?.length, 1);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      assert.ok((answer.body.errors?.[0]?.message ?? '').length > 10);
      assert.equal(answer.body.data, undefined);

      assert.equal(await counter('lgsp_gateway_authentication_rejections_total', { reason: attack.reason }), rejectedBefore + 1, `reason ${attack.reason}`);
      const refreshes = (await counter('lgsp_gateway_jwks_fetches_total', { trigger: 'unknown_kid', outcome: 'success' })) - refreshesBefore;
      assert.equal(refreshes, attack.refreshesKeys === true ? 1 : 0, 'JWKS refreshes caused by the attack');
      assert.equal(federation.people.probe.calls.length, callsBefore, 'no subgraph was called');

      const logged = logLines.slice(logsBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
      const line = logged.find((l) => l.event === 'authentication.rejected');
      assert.ok(line, 'the rejection is logged');
      assert.equal(line.reason, attack.reason);
      assert.equal(line.requestId, answer.headers['x-request-id']);
      const sent = logLines.slice(logsBefore).join('\n');
      for (const [, value] of lines) {
        const credential = value.replace(/^\S+\s*/, '');
        if (credential.length > 8) assert.ok(!sent.includes(credential.slice(0, 40)), 'the token is never logged');
      }

      await validRequestWorks();
    });
  }

  it('answers in the negotiated media type', async () => {
    const answer = await send(gateway.url, [['authorization', 'Bearer not-a-jwt']], 'application/graphql-response+json');
    assert.equal(answer.status, 401);
    assert.match(String(answer.headers['content-type']), /^application\/graphql-response\+json/);
    assert.equal(answer.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });
});

describe('accepted tokens: the principal the subgraph receives', () => {
  for (const accepted of acceptedTokens) {
    it(accepted.name, async () => {
      const token = await accepted.token(kit);
      const answer = await send(gateway.url, [['authorization', `Bearer ${token}`], ...(accepted.headers ?? [])]);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { data: { person: { name: 'Nguyễn Văn 1' } } });
      const principal = federation.people.probe.calls.at(-1)?.principal;
      assert.ok(principal);
      for (const [field, value] of Object.entries(accepted.principal)) assert.deepEqual(principal[field as keyof Principal], value, field);
      for (const field of accepted.present) assert.ok(principal[field] !== undefined && principal[field] !== '', `${field} is present`);
      for (const role of accepted.rolesInclude ?? []) assert.ok(principal.roles.includes(role), `role ${role}`);
      if (principal.kind === 'system') assert.equal(principal.userId, undefined, 'a system has no user id');
    });
  }

  it("a civil servant's user id is the token subject", async () => {
    const login = await kit.login('mai.le');
    await send(gateway.url, [['authorization', `Bearer ${login.accessToken}`]]);
    const principal = federation.people.probe.calls.at(-1)?.principal;
    assert.equal(principal?.userId, login.userId);
    assert.equal(principal?.agencyCode, '000.00.03.H41');
  });

  it('a request without Authorization is anonymous, and carries its declared purpose', async () => {
    const answer = await send(gateway.url, [['x-lgsp-purpose', 'thu-tuc 1.001234']]);
    assert.equal(answer.status, 200);
    assert.deepEqual(federation.people.probe.calls.at(-1)?.principal, { kind: 'anonymous', roles: [], scopes: [], purpose: 'thu-tuc 1.001234' });
  });

  const badPurposes: Array<[string, HeaderLines, RegExp]> = [
    ['a control character', [['x-lgsp-purpose', 'HS\t123']], /printable ASCII \(character 3 is not\)/],
    ['201 characters', [['x-lgsp-purpose', 'x'.repeat(201)]], /201 characters long; at most 200/],
    ['an empty value', [['x-lgsp-purpose', ' ']], /is empty/],
    [
      'two headers',
      [
        ['x-lgsp-purpose', 'a'],
        ['x-lgsp-purpose', 'b'],
      ],
      /once/,
    ],
  ];
  for (const [name, lines, message] of badPurposes) {
    it(`refuses X-LGSP-Purpose with ${name}: 400 BAD_REQUEST`, async () => {
      const callsBefore = federation.people.probe.calls.length;
      const answer = await send(gateway.url, [['authorization', `Bearer ${await kit.accessToken()}`], ...lines]);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.errors?.[0]?.extensions?.code, 'BAD_REQUEST');
      assert.match(answer.body.errors?.[0]?.message ?? '', message);
      assert.equal(federation.people.probe.calls.length, callsBefore);
    });
  }
});

describe('authentication modes', () => {
  it('AUTH_REQUIRED: no token → 401 without error attributes; the landing page, health and JWKS stay open', async () => {
    const strict = await startGateway(
      { ...federation.config, authentication: authentication({ required: true }) },
      { issuer: federation.issuer, metrics: createMetricsRegistry('gateway'), logger: pino({ level: 'silent' }) },
    );
    try {
      const missing = await send(strict.url, []);
      assert.equal(missing.status, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="lgsp"');
      assert.equal(missing.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
      const origin = new URL(strict.url).origin;
      const landing = await fetch(strict.url, { headers: { accept: 'text/html' } });
      assert.equal(landing.status, 200);
      assert.match(landing.headers.get('content-type') ?? '', /text\/html/);
      assert.equal((await fetch(`${origin}/health/live`)).status, 200);
      assert.equal((await fetch(`${origin}/.well-known/jwks.json`)).status, 200);
      const ok = await send(strict.url, [['authorization', `Bearer ${await kit.accessToken()}`]]);
      assert.equal(ok.status, 200);
    } finally {
      await strict.close();
    }
  });

  it('without KEYCLOAK_URL: anonymous requests pass, a Bearer token is refused (never silently anonymous)', async () => {
    const open = await startGateway(
      { ...federation.config, authentication: authentication({ realmUrl: undefined }) },
      { issuer: federation.issuer, metrics: createMetricsRegistry('gateway'), logger: pino({ level: 'silent' }) },
    );
    try {
      assert.equal((await send(open.url, [])).status, 200);
      const refused = await send(open.url, [['authorization', `Bearer ${await kit.accessToken()}`]]);
      assert.equal(refused.status, 401);
      assert.match(String(refused.headers['www-authenticate']), /error="invalid_token"/);
    } finally {
      await open.close();
    }
  });
});
