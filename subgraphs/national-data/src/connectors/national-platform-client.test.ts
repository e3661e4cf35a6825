/** The connectors against the real simulator over HTTP: tokens, retries, timeouts, error mapping, circuit. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createLogger, ErrorCode, LgspError, loadConfig } from '@lgsp/kit';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN, WELL_KNOWN_TEST } from '@lgsp/simulator/well-known';
import { configSchema } from '../config.ts';
import { createNationalConnectors, type NationalConnectors } from './index.ts';

const logger = createLogger('national-data-test', 'silent');
let sim: RunningSimulator;
let connectors: NationalConnectors;

function connect(overrides: Record<string, string> = {}): NationalConnectors {
  const config = loadConfig('national-data', configSchema, {
    NATIONAL_PLATFORM_URL: sim.url,
    NATIONAL_PLATFORM_TEST_URL: sim.test.url,
    // Generous: a cold first call on a loaded CI machine took 944 ms. The timeout test sets its own.
    NATIONAL_PLATFORM_TIMEOUT_MS: '3000',
    NATIONAL_PLATFORM_RETRIES: '2',
    NATIONAL_PLATFORM_RETRY_BASE_MS: '1',
    NATIONAL_PLATFORM_BREAKER_FAILURES: '3',
    NATIONAL_PLATFORM_BREAKER_RESET_MS: '200',
    ...overrides,
  });
  return createNationalConnectors(config, logger);
}

const failsWith = (code: string) => (error: unknown) => error instanceof LgspError && error.code === code;

before(async () => {
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
});
after(() => sim.close());
beforeEach(async () => {
  await connectors?.close();
  sim.reset();
  sim.test.reset();
  connectors = connect();
});

test('maps the CongDan record to the domain citizen', async () => {
  const citizen = await connectors.production.population.citizen(WELL_KNOWN.citizens.householdHead);
  assert.ok(citizen);
  assert.equal(citizen.fullName, 'Trần Quốc Hòa');
  assert.equal(citizen.dateOfBirth, '1974-06-17');
  assert.equal(citizen.gender, 'MALE');
  assert.equal(citizen.permanentAddress.wardCode, '16750');
  assert.equal(citizen.household?.members.length, 5);
  assert.equal(citizen.household?.members[1]?.relation, 'SPOUSE');
  assert.equal(await connectors.production.population.citizen(WELL_KNOWN.citizens.notFound), null);
});

test('one token serves many calls; a revoked token is refreshed once and the call repeated', async () => {
  for (let i = 0; i < 3; i++) await connectors.production.population.citizen(WELL_KNOWN.citizens.spouse);
  assert.equal(sim.stats().endpoints.token.requests, 1);
  sim.revokeTokens();
  assert.ok(await connectors.production.population.citizen(WELL_KNOWN.citizens.spouse));
  const stats = sim.stats().endpoints;
  assert.equal(stats.token.requests, 2);
  assert.equal(stats['dancu.congdan'].byStatus['401'], 1);
  assert.equal(stats['dancu.congdan'].byStatus['200'], 4);
});

test('wrong consumer credentials → UPSTREAM_UNAVAILABLE, and the token request is not repeated', async () => {
  const wrong = connect({ NATIONAL_PLATFORM_CONSUMER_SECRET: 'not-the-secret-at-all' });
  await assert.rejects(wrong.production.population.citizen(WELL_KNOWN.citizens.spouse), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  assert.equal(sim.stats().endpoints.token.requests, 1);
  assert.equal(sim.stats().endpoints['dancu.congdan'].requests, 0);
  await wrong.close();
});

test('idempotent calls are retried (GET and the batch lookup), up to NATIONAL_PLATFORM_RETRIES times', async () => {
  sim.configure({ endpoints: { 'dancu.congdan': { failureRate: 1 }, 'dancu.congdan.batch': { failureRate: 1 } } });
  await assert.rejects(connectors.production.population.citizen(WELL_KNOWN.citizens.spouse), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  await assert.rejects(
    connectors.production.population.citizens([WELL_KNOWN.citizens.spouse, WELL_KNOWN.citizens.hanoiHead]),
    failsWith(ErrorCode.UPSTREAM_UNAVAILABLE),
  );
  assert.equal(sim.stats().endpoints['dancu.congdan'].requests, 3);
  assert.equal(sim.stats().endpoints['dancu.congdan.batch'].requests, 3);
});

test('a retry after a transient failure succeeds', async () => {
  // With seed 1 and rate 0.5 the simulator fails a fixed subset of requests; some call below meets a failure and
  // still gets its answer through a retry.
  sim.configure({ endpoints: { 'dancu.congdan': { failureRate: 0.5 } } });
  for (let i = 0; i < 6; i++) assert.ok(await connectors.production.population.citizen(WELL_KNOWN.citizens.spouse));
  const stats = sim.stats().endpoints['dancu.congdan'];
  assert.ok(stats.injectedFailures > 0, 'some attempts failed');
  assert.equal(stats.byStatus['200'], 6);
});

test('non-idempotent calls are not retried', async () => {
  sim.configure({ endpoints: { 'dancu.congdan.batch': { failureRate: 1 } } });
  await assert.rejects(
    connectors.production.client.call({
      source: 'test',
      endpoint: 'batch',
      method: 'POST',
      path: '/dancu/1.0/congdan/batch',
      body: { SoDinhDanh: [WELL_KNOWN.citizens.spouse] },
    }),
    failsWith(ErrorCode.UPSTREAM_UNAVAILABLE),
  );
  assert.equal(sim.stats().endpoints['dancu.congdan.batch'].requests, 1);
  // The token request is a POST too: a failing token endpoint is asked once per call.
  sim.configure({ endpoints: { token: { failureRate: 1 } } });
  const tokensBefore = sim.stats().endpoints.token.requests;
  const fresh = connect();
  await assert.rejects(fresh.production.population.citizen(WELL_KNOWN.citizens.spouse), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  assert.equal(sim.stats().endpoints.token.requests, tokensBefore + 1);
  await fresh.close();
});

test('an answer slower than the timeout → UPSTREAM_TIMEOUT, not retried', async () => {
  const impatient = connect({ NATIONAL_PLATFORM_TIMEOUT_MS: '800' });
  // The token comes first and in time, so what times out below is the data call itself.
  assert.ok(await impatient.production.population.citizen(WELL_KNOWN.citizens.spouse));
  sim.reset();
  const timedOutAt = (source: string) => (error: unknown) => failsWith(ErrorCode.UPSTREAM_TIMEOUT)(error) && (error as LgspError).details?.source === source;
  sim.configure({ endpoints: { 'dancu.congdan': { latencyMs: 2_000 } } });
  await assert.rejects(impatient.production.population.citizen(WELL_KNOWN.citizens.spouse), timedOutAt('population'));
  sim.configure({ endpoints: { 'dancu.congdan.batch': { hangRate: 1 } } });
  await assert.rejects(impatient.production.population.citizens([WELL_KNOWN.citizens.spouse, WELL_KNOWN.citizens.hanoiHead]), timedOutAt('population'));
  await impatient.close();
  assert.equal(sim.stats().endpoints['dancu.congdan'].requests, 1);
  assert.equal(sim.stats().endpoints['dancu.congdan.batch'].requests, 1);
  assert.equal(sim.stats().endpoints.token.requests, 0, 'the token fetched before the reset was still good');
});

test('a platform that refuses connections → UPSTREAM_UNAVAILABLE', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const nowhere = connect({ NATIONAL_PLATFORM_URL: `http://127.0.0.1:${port}` });
  await assert.rejects(nowhere.production.enterprises.enterprise(WELL_KNOWN.enterprises.hanoi), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  await nowhere.close();
});

test('the circuit opens after repeated failures, spares the platform, then recovers through half-open', async () => {
  sim.configure({ endpoints: { 'dkdn.chiTietDoanhNghiep': { failureRate: 1 } } });
  for (let i = 0; i < 3; i++)
    await assert.rejects(connectors.production.enterprises.enterprise(WELL_KNOWN.enterprises.hanoi), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  assert.equal(connectors.production.guards.enterprises.breaker.state, 'open');
  const before = sim.stats().endpoints['dkdn.chiTietDoanhNghiep'].requests;
  await assert.rejects(
    connectors.production.enterprises.enterprise(WELL_KNOWN.enterprises.hanoi),
    (e: unknown) => failsWith(ErrorCode.UPSTREAM_UNAVAILABLE)(e) && /circuit open/.test((e as Error).message),
  );
  assert.equal(sim.stats().endpoints['dkdn.chiTietDoanhNghiep'].requests, before, 'no request while open');
  // The population source has its own circuit and is unaffected.
  assert.ok(await connectors.production.population.citizen(WELL_KNOWN.citizens.spouse));

  sim.configure({});
  while (connectors.production.guards.enterprises.breaker.state === 'open') await new Promise((r) => setTimeout(r, 25));
  assert.equal(connectors.production.guards.enterprises.breaker.state, 'half-open');
  const enterprise = await connectors.production.enterprises.enterprise(WELL_KNOWN.enterprises.hanoi);
  assert.equal(enterprise?.code, WELL_KNOWN.enterprises.hanoi);
  assert.equal(connectors.production.guards.enterprises.breaker.state, 'closed');
});

test('not-found answers do not count against the circuit', async () => {
  for (let i = 0; i < 5; i++) assert.equal(await connectors.production.enterprises.enterprise(WELL_KNOWN.enterprises.notFound), null);
  assert.equal(connectors.production.guards.enterprises.breaker.state, 'closed');
});

test('enterprise mapping and batch', async () => {
  const found = await connectors.production.enterprises.enterprises([WELL_KNOWN.enterprises.jointStock, WELL_KNOWN.enterprises.notFound]);
  const jsc = found.get(WELL_KNOWN.enterprises.jointStock);
  assert.equal(jsc?.legalForm, 'JOINT_STOCK');
  assert.match(jsc?.legalRepresentatives[0]?.personalId ?? '', /^\d{12}$/);
  assert.equal(found.get(WELL_KNOWN.enterprises.notFound), null);
  assert.equal(sim.stats().endpoints['dkdn.chiTietDoanhNghiep.batch'].requests, 1);
});

after(() => connectors?.close());

test('the test connectors read the test endpoint only, with its own keys; production ones the production endpoint only', async () => {
  const testCitizen = await connectors.test.population.citizen(WELL_KNOWN_TEST.citizens.householdHead);
  assert.equal(testCitizen?.personalId, WELL_KNOWN_TEST.citizens.householdHead);
  assert.equal(await connectors.test.population.citizen(WELL_KNOWN.citizens.householdHead), null, 'a production citizen is not in the test dataset');
  const batch = await connectors.test.enterprises.enterprises([WELL_KNOWN_TEST.enterprises.oneMemberLlc, WELL_KNOWN.enterprises.jointStock]);
  assert.ok(batch.get(WELL_KNOWN_TEST.enterprises.oneMemberLlc));
  assert.equal(batch.get(WELL_KNOWN.enterprises.jointStock), null);
  assert.equal(sim.stats().totalRequests, 0, 'the production endpoint was never called');
  assert.equal(sim.test.stats().endpoints.token.requests, 1);

  assert.equal(await connectors.production.population.citizen(WELL_KNOWN_TEST.citizens.householdHead), null);
  assert.ok(await connectors.production.population.citizen(WELL_KNOWN.citizens.householdHead));
  assert.equal(sim.test.stats().endpoints['dancu.congdan'].requests, 2, "the test endpoint saw only the test connectors' calls");
});

test("one environment's failing endpoint opens only its own circuits", async () => {
  sim.test.configure({ failureRate: 1 });
  for (let i = 0; i < 3; i++)
    await assert.rejects(connectors.test.population.citizen(WELL_KNOWN_TEST.citizens.householdHead), failsWith(ErrorCode.UPSTREAM_UNAVAILABLE));
  assert.equal(connectors.test.guards.population.breaker.state, 'open');
  assert.equal(connectors.production.guards.population.breaker.state, 'closed');
  assert.ok(await connectors.production.population.citizen(WELL_KNOWN.citizens.householdHead));
});

test('a test endpoint equal to the production one is refused at start-up', () => {
  assert.throws(
    () => loadConfig('national-data', configSchema, { NATIONAL_PLATFORM_URL: 'http://127.0.0.1:4200', NATIONAL_PLATFORM_TEST_URL: 'http://127.0.0.1:4200/' }),
    /NATIONAL_PLATFORM_TEST_URL: must differ from NATIONAL_PLATFORM_URL/,
  );
  assert.throws(
    () =>
      loadConfig('national-data', configSchema, {
        NODE_ENV: 'production',
        NATIONAL_PLATFORM_CONSUMER_KEY: 'k',
        NATIONAL_PLATFORM_CONSUMER_SECRET: 's',
        NATIONAL_PLATFORM_TEST_URL: 'https://sandbox.example.gov.vn',
      }),
    /NATIONAL_PLATFORM_TEST_CONSUMER_KEY: set the consumer key/,
  );
});
