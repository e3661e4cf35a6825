/**
 * The grants command against a running gateway: a real gateway on Redis (own key prefix, seeded from the
 * development grants as in deployment) in front of the real national-data subgraph and the national platform
 * simulator, with access tokens signed by a local realm and checked by the gateway's own authentication. A grant put
 * with the command applies to the gateway's next request, and revoked, stops — while the gateway would otherwise
 * keep the agency's grants cached for an hour (GRANTS_CACHE_TTL_MS).
 */
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
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { configSchema as nationalDataConfigSchema } from '../../../../subgraphs/national-data/src/config.ts';
import { startNationalData } from '../../../../subgraphs/national-data/src/service.ts';
import { gatewayConfigFromEnv, startGateway, type RunningGateway } from '../../server.ts';
import { JwksEndpoint, signingKey, type SigningKey } from '../../testing/jwks-endpoint.ts';
import type { GrantStore } from '@lgsp/access';
import { sampleGrant } from '@lgsp/access/contract';
import { runGrantsCli } from '../../testing/grants-cli-process.ts';

const SCHOOL = '000.01.06.H41';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = testKeyPrefix();
const cliEnv = { ...process.env, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix, INIT_CWD: undefined };

const realm = new JwksEndpoint();
let key: SigningKey;
let realmUrl: string;
let sim: RunningSimulator;
let nationalData: Awaited<ReturnType<typeof startNationalData>>;
let gateway: RunningGateway;
let redis: RedisClient;

before(async () => {
  key = await signingKey();
  await realm.start();
  realm.published = [key.publicJwk];
  realmUrl = realm.url.replace('/protocol/openid-connect/certs', '');
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  nationalData = await startNationalData(
    loadConfig('national-data', nationalDataConfigSchema, { PORT: '0', NATIONAL_PLATFORM_URL: sim.url, LOG_LEVEL: 'silent' }),
    {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
      logger: createLogger('national-data', 'silent'),
    },
  );
  const config = gatewayConfigFromEnv({
    KEYCLOAK_URL: realmUrl,
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    GRANTS_CACHE_TTL_MS: '3600000',
  });
  gateway = await startGateway(
    { ...config, port: 0, host: '127.0.0.1', watchSupergraph: false, subgraphUrlOverrides: { SUBGRAPH_NATIONAL_DATA_URL: nationalData.url } },
    { issuer, metrics: createMetricsRegistry('gateway') },
  );
  redis = await connectRedis(redisUrl);
});

after(async () => {
  await gateway?.close();
  await Promise.allSettled([nationalData?.close(), sim?.close(), realm.close()]);
  if (redis !== undefined) {
    for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  }
});

/** A Keycloak-shaped token of an agency's system. */
const systemToken = (agency: string) =>
  new SignJWT({
    typ: 'Bearer',
    azp: 'test-client',
    scope: 'openid',
    agency_code: agency,
    preferred_username: `service-account-${agency}`,
    system_id: `system-${agency}`,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(realmUrl)
    .setAudience('lgsp-gateway')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);

async function citizenAsSchool(): Promise<{
  data: { citizen: { fullName: string } | null };
  errors?: Array<{ path?: string[]; extensions?: { code?: string } }>;
}> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await systemToken(SCHOOL)}`, 'x-lgsp-purpose': 'education:HS-2026-1' },
    body: JSON.stringify({ query: `{ citizen(personalId: "${WELL_KNOWN.citizens.householdHead}") { fullName } }` }),
  });
  return (await response.json()) as never;
}

const errorCodes = (body: Awaited<ReturnType<typeof citizenAsSchool>>) => (body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]);

/**
 * Runs the command while listening on the grants channel the gateway listens on; resolves once the notification
 * has arrived (a publish reaches every subscriber connection before Redis answers it, so the gateway has it too).
 */
async function withNotification(store: GrantStore, action: () => Promise<void>): Promise<void> {
  let notified!: () => void;
  const seen = new Promise<void>((resolve) => (notified = resolve));
  const stop = await store.subscribe(() => notified());
  try {
    await action();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no grant change notification within 5 s')), 5_000)));
    await Promise.race([seen, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await stop();
  }
}

test('a grant put with the command applies to the running gateway at once; revoked, it stops', async () => {
  // The gateway seeded the empty store from the development grants: the school holds no citizen grant.
  assert.ok((await gateway.grants.list()).length > 0, 'seeded from GRANTS_FILE');
  const denied = await citizenAsSchool();
  assert.deepEqual(denied.data, { citizen: null });
  assert.deepEqual(errorCodes(denied), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);

  const grant = sampleGrant('congan-h41.citizen.school-test', { consumer: SCHOOL, purposes: ['education'], basis: 'integration test' });
  await withNotification(gateway.grants, async () => {
    const put = await runGrantsCli(['put', '-', '--by', 'integration-test'], { env: cliEnv, stdin: JSON.stringify(grant) });
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.records[0]?.event, 'grant.created');
  });
  const granted = await citizenAsSchool();
  assert.equal(granted.errors, undefined, JSON.stringify(granted.errors));
  assert.equal(granted.data.citizen?.fullName, 'Trần Quốc Hòa');

  await withNotification(gateway.grants, async () => {
    const revoke = await runGrantsCli(['revoke', grant.id, '--by', 'integration-test'], { env: cliEnv });
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.equal(revoke.records[0]?.event, 'grant.revoked');
  });
  const deniedAgain = await citizenAsSchool();
  assert.deepEqual(deniedAgain.data, { citizen: null });
  assert.deepEqual(errorCodes(deniedAgain), [['citizen', 'UNAUTHORIZED_FIELD_OR_TYPE']]);
});
