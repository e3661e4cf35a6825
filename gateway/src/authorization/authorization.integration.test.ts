/**
 * Authorization through a real gateway in front of the real catalogs and national-data subgraphs (and the national
 * platform simulator), with access tokens signed by a local test realm and verified by the gateway's own
 * authentication, grants from the development file. Counts subgraph fetches from the gateway's metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  connectRedis,
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  loadConfig,
  type RedisClient,
} from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { startCatalogs } from '../../../subgraphs/catalogs/src/service.ts';
import { loadCatalogsConfig } from '../../../subgraphs/catalogs/src/config.ts';
import { startNationalData } from '../../../subgraphs/national-data/src/service.ts';
import { configSchema as nationalDataConfigSchema } from '../../../subgraphs/national-data/src/config.ts';
import { gatewayConfigFromEnv, startGateway, type GatewayConfig, type RunningGateway } from '../server.ts';
import { grantKeyPattern } from '@lgsp/access';
import { auditKeyPattern } from '@lgsp/audit';
import { sampleGrant } from '@lgsp/access/contract';

const POLICE = '000.00.02.H41';
const FINANCE = '000.00.03.H41';
const COMMUNE = '000.00.20.H41';
const SCHOOL = '000.01.06.H41';

let realm: { url: string; server: Server; sign(claims: Record<string, unknown>): Promise<string> };
let sim: RunningSimulator;
let catalogs: Awaited<ReturnType<typeof startCatalogs>>;
let nationalData: Awaited<ReturnType<typeof startNationalData>>;
let issuer: Awaited<ReturnType<typeof createInternalTokenIssuer>>;
const gateways: RunningGateway[] = [];
const redisClients: RedisClient[] = [];
const keyPrefix = testKeyPrefix();

/** A realm publishing one RS256 key at Keycloak's certs path, signing Keycloak-shaped access tokens. */
async function startTestRealm() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/realms/lgsp/protocol/openid-connect/certs') res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/lgsp`;
  return {
    url,
    server,
    sign: (claims: Record<string, unknown>) =>
      new SignJWT({ typ: 'Bearer', azp: 'test-client', scope: 'openid', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
        .setIssuer(url)
        .setAudience('lgsp-gateway')
        .setSubject(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}

const systemToken = (agency: string) => realm.sign({ agency_code: agency, preferred_username: `service-account-${agency}`, system_id: `system-${agency}` });

async function gatewayWith(overrides: { mode?: 'filter' | 'reject' | 'dry-run'; redis?: RedisClient } = {}): Promise<RunningGateway> {
  const base = gatewayConfigFromEnv({
    KEYCLOAK_URL: realm.url,
    LOG_LEVEL: 'silent',
    REDIS_KEY_PREFIX: keyPrefix,
    ...(overrides.mode ? { AUTHORIZATION_MODE: overrides.mode } : {}),
  });
  const config: GatewayConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    watchSupergraph: false,
    subgraphUrlOverrides: { SUBGRAPH_CATALOGS_URL: catalogs.url, SUBGRAPH_NATIONAL_DATA_URL: nationalData.url },
  };
  const gateway = await startGateway(config, { issuer, metrics: createMetricsRegistry('gateway'), ...(overrides.redis ? { redis: overrides.redis } : {}) });
  gateways.push(gateway);
  return gateway;
}

interface Result {
  status: number;
  body: { data?: any; errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; missing?: string[] } }>; extensions?: any };
}
async function call(
  gateway: RunningGateway,
  query: string,
  options: { token?: string; purpose?: string; accept?: string; variables?: Record<string, unknown> } = {},
): Promise<Result> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: options.accept ?? 'application/graphql-response+json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose !== undefined) headers['x-lgsp-purpose'] = options.purpose;
  const res = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables ?? {} }) });
  return { status: res.status, body: (await res.json()) as Result['body'] };
}

/** Subgraph HTTP requests the gateway has sent, per subgraph, from its /metrics. */
async function fetches(gateway: RunningGateway): Promise<Record<string, number>> {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^lgsp_gateway_subgraph_fetches_total\{[^}]*subgraph="([^"]+)"[^}]*\} (\d+)/.exec(line);
    if (match) counts[match[1]!] = (counts[match[1]!] ?? 0) + Number(match[2]);
  }
  return counts;
}
async function fetchesDuring(gateway: RunningGateway, action: () => Promise<Result>): Promise<{ result: Result; calls: Record<string, number> }> {
  const before = await fetches(gateway);
  const result = await action();
  const after = await fetches(gateway);
  const calls: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) if (n - (before[name] ?? 0) > 0) calls[name] = n - (before[name] ?? 0);
  return { result, calls };
}
const errorsOf = (r: Result) => (r.body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);

before(async () => {
  realm = await startTestRealm();
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  catalogs = await startCatalogs(loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent' }), { verifier });
  nationalData = await startNationalData(
    loadConfig('national-data', nationalDataConfigSchema, { PORT: '0', NATIONAL_PLATFORM_URL: sim.url, LOG_LEVEL: 'silent' }),
    {
      verifier,
      logger: createLogger('national-data', 'silent'),
    },
  );
});
after(async () => {
  await Promise.allSettled(gateways.map((g) => g.close()));
  const [first] = redisClients;
  if (first !== undefined)
    for (const pattern of [grantKeyPattern(keyPrefix), auditKeyPattern(keyPrefix)])
      for await (const keys of first.scanIterator({ MATCH: pattern, COUNT: 100 })) if (keys.length > 0) await first.del(keys);
  await Promise.allSettled(redisClients.map((c) => c.quit()));
  await Promise.allSettled([nationalData.close(), catalogs.close(), sim.close()]);
  realm.server.close();
});

const CITIZEN = `query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth permanentAddress { ward { code name } } household { number } } }`;

describe('filter mode (default)', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await gatewayWith();
  });

  test('anonymous: nothing of a catalog or a citizen; no subgraph is called', async () => {
    const { result, calls } = await fetchesDuring(gateway, () =>
      call(gateway, '{ __typename agency(code: "000.00.02.H41") { name } citizen(personalId: "040074988660") { fullName } }'),
    );
    assert.equal(result.status, 200);
    assert.deepEqual(result.body.data, { __typename: 'Query', agency: null, citizen: null });
    assert.deepEqual(errorsOf(result), [
      ['agency', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE'],
    ]);
    assert.deepEqual(calls, {});
  });

  test('any authenticated agency reads catalogs', async () => {
    const result = await call(gateway, '{ agency(code: "000.00.02.H41") { name } }', { token: await systemToken(SCHOOL) });
    assert.equal(result.body.errors, undefined);
    assert.equal(result.body.data.agency.name, 'Công an tỉnh Nghệ An');
  });

  test('the Police with a purpose reads everything of a citizen', async () => {
    const result = await call(gateway, CITIZEN, {
      token: await systemToken(POLICE),
      purpose: 'law-enforcement:VV-2025-1',
      variables: { id: WELL_KNOWN.citizens.householdHead },
    });
    assert.equal(result.body.errors, undefined);
    assert.equal(result.body.data.citizen.dateOfBirth, '1974-06-17');
    assert.equal(result.body.data.citizen.permanentAddress.ward.code, '16750');
  });

  test('personal data without a declared purpose: PURPOSE_REQUIRED and no subgraph call', async () => {
    const { result, calls } = await fetchesDuring(gateway, async () =>
      call(gateway, CITIZEN, { token: await systemToken(POLICE), variables: { id: WELL_KNOWN.citizens.householdHead } }),
    );
    assert.deepEqual(result.body.data, { citizen: null });
    // Citizen carries its policy on the type, so the field returning it is what is removed.
    assert.deepEqual(errorsOf(result), [['citizen', 'PURPOSE_REQUIRED']]);
    assert.deepEqual(result.body.errors?.[0]?.extensions?.missing, ['policy:national-data.citizen.basic']);
    assert.deepEqual(calls, {});
  });

  test('the commune: basic fields; personal fields only of its ward residents (checked by national-data per record)', async () => {
    const result = await call(gateway, CITIZEN, {
      token: await systemToken(COMMUNE),
      purpose: 'public-service:HS-1',
      variables: { id: WELL_KNOWN.citizens.householdHead },
    });
    // Trần Quốc Hòa lives in ward 16750, not in Trường Vinh (16690).
    assert.equal(result.body.data.citizen.fullName, 'Trần Quốc Hòa');
    assert.deepEqual([result.body.data.citizen.dateOfBirth, result.body.data.citizen.permanentAddress, result.body.data.citizen.household], [null, null, null]);
    assert.deepEqual(errorsOf(result), [
      ['citizen.dateOfBirth', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizen.permanentAddress', 'UNAUTHORIZED_FIELD_OR_TYPE'],
      ['citizen.household', 'UNAUTHORIZED_FIELD_OR_TYPE'],
    ]);
  });

  test('Finance: citizens not granted (no call to national-data); an enterprise with the representative ID', async () => {
    const token = await systemToken(FINANCE);
    const { result, calls } = await fetchesDuring(gateway, () =>
      call(gateway, `{ citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName } ethnicGroup(code: "01") { name } }`, {
        token,
        purpose: 'public-service:1',
      }),
    );
    assert.deepEqual(result.body.data, { citizen: null, ethnicGroup: { name: 'Kinh' } });
    assert.deepEqual(errorsOf(result), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    assert.deepEqual(calls, { catalogs: 1 });

    const enterprise = await call(
      gateway,
      `{ enterprise(code: "${WELL_KNOWN.enterprises.jointStock}") { name legalRepresentative { fullName personalId } } }`,
      { token, purpose: 'business-registration:1' },
    );
    assert.equal(enterprise.body.errors, undefined);
    assert.match(enterprise.body.data.enterprise.legalRepresentative.personalId, /^\d{12}$/);
  });

  test('the school: enterprise basics without a purpose; the representative ID is null with an error', async () => {
    const query = `{ enterprise(code: "${WELL_KNOWN.enterprises.jointStock}") { name legalRepresentative { fullName personalId } } }`;
    const result = await call(gateway, query, { token: await systemToken(SCHOOL) });
    assert.equal(typeof result.body.data.enterprise.name, 'string');
    assert.equal(typeof result.body.data.enterprise.legalRepresentative.fullName, 'string');
    assert.equal(result.body.data.enterprise.legalRepresentative.personalId, null);
    assert.deepEqual(errorsOf(result), [['enterprise.legalRepresentative.personalId', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    // Finance holds the grant, but the ID is personal data: without a purpose it is PURPOSE_REQUIRED.
    const finance = await call(gateway, query, { token: await systemToken(FINANCE) });
    assert.deepEqual(errorsOf(finance), [['enterprise.legalRepresentative.personalId', 'PURPOSE_REQUIRED']]);
  });

  test('a grant added at run time applies to the next request; removed, it stops', async () => {
    const token = await systemToken(SCHOOL);
    const query = `{ citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName } }`;
    assert.deepEqual(errorsOf(await call(gateway, query, { token, purpose: 'education:1' })), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    await gateway.grants.put(sampleGrant('test-school', { consumer: SCHOOL, purposes: ['education'] }));
    const granted = await call(gateway, query, { token, purpose: 'education:1' });
    assert.equal(granted.body.errors, undefined);
    assert.equal(granted.body.data.citizen.fullName, 'Trần Quốc Hòa');
    await gateway.grants.remove('test-school');
    assert.deepEqual(errorsOf(await call(gateway, query, { token, purpose: 'education:1' })), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
  });
});

describe('reject and dry-run modes', () => {
  test('reject: the whole operation refused with every path, nothing sent; 403 for graphql-response+json, 200 for json', async () => {
    const gateway = await gatewayWith({ mode: 'reject' });
    const token = await systemToken(FINANCE);
    const query = `{ ethnicGroup(code: "01") { name } citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName dateOfBirth } }`;
    const { result, calls } = await fetchesDuring(gateway, () => call(gateway, query, { token, purpose: 'public-service:1' }));
    assert.equal(result.status, 403);
    assert.equal('data' in result.body, false);
    assert.equal(result.body.errors?.[0]?.extensions && 'http' in result.body.errors[0].extensions, false);
    assert.deepEqual(errorsOf(result), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    assert.deepEqual(calls, {});
    const legacy = await call(gateway, query, { token, purpose: 'public-service:1', accept: 'application/json' });
    assert.equal(legacy.status, 200);
    assert.deepEqual(errorsOf(legacy), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
    const allowed = await call(gateway, '{ ethnicGroup(code: "01") { name } }', { token });
    assert.deepEqual(allowed.body.data, { ethnicGroup: { name: 'Kinh' } });
  });

  test('dry-run: nothing removed, the decisions in extensions.authorization', async () => {
    const gateway = await gatewayWith({ mode: 'dry-run' });
    const result = await call(gateway, `{ enterprise(code: "${WELL_KNOWN.enterprises.jointStock}") { legalRepresentative { personalId } } }`, {
      token: await systemToken(SCHOOL),
    });
    assert.equal(result.body.errors, undefined);
    assert.match(result.body.data.enterprise.legalRepresentative.personalId, /^\d{12}$/);
    assert.deepEqual(result.body.extensions.authorization, {
      mode: 'dry-run',
      denied: [
        {
          path: ['enterprise', 'legalRepresentative', 'personalId'],
          code: 'UNAUTHORIZED_FIELD_OR_TYPE',
          missing: ['policy:national-data.enterprise.representative-id'],
        },
      ],
    });
  });
});

describe('two gateway replicas sharing Redis', () => {
  test('a grant changed through one replica applies on the other as soon as it is notified', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    for (let i = 0; i < 3; i++) redisClients.push(await connectRedis(redisUrl));
    const a = await gatewayWith({ redis: redisClients[0]! });
    const b = await gatewayWith({ redis: redisClients[1]! });
    const token = await systemToken(SCHOOL);
    const query = `{ citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName } }`;
    assert.deepEqual(errorsOf(await call(b, query, { token, purpose: 'education:1' })), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);

    let notified!: () => void;
    const seen = new Promise<void>((resolve) => (notified = resolve));
    const stop = await b.grants.subscribe(() => notified());
    await a.grants.put(sampleGrant('replica-school', { consumer: SCHOOL, purposes: ['education'] }));
    await seen;
    await stop();
    await redisClients[2]!.ping(); // the publish reached every subscriber connection before this reply
    const granted = await call(b, query, { token, purpose: 'education:1' });
    assert.equal(granted.body.errors, undefined);
    assert.equal(granted.body.data.citizen.fullName, 'Trần Quốc Hòa');
  });
});
