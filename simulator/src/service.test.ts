/** The simulator's HTTP contract, over real HTTP on 127.0.0.1. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { DEV_CONSUMER_KEY, DEV_CONSUMER_SECRET, DEV_TEST_CONSUMER_KEY, DEV_TEST_CONSUMER_SECRET } from './config.ts';
import { startSimulator, type RunningSimulator } from './service.ts';
import { WELL_KNOWN, WELL_KNOWN_TEST } from './well-known.ts';
import type { CongDanBatchResponse, CongdanCollectionResponse, ChiTietDoanhNghiep, DoanhNghiepBatchResponse, TokenResponse } from './contract.ts';

let sim: RunningSimulator;
let token: string;
const basic = `Basic ${Buffer.from(`${DEV_CONSUMER_KEY}:${DEV_CONSUMER_SECRET}`).toString('base64')}`;

async function call(method: string, path: string, options: { body?: unknown; auth?: string | null; form?: string } = {}) {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? `Bearer ${token}` : options.auth;
  if (auth !== null) headers.authorization = auth;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = options.form;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await request(`${sim.url}${path}`, { method: method as 'GET', headers, body });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as any };
}

async function freshToken(): Promise<string> {
  const res = await call('POST', '/token', { auth: basic, form: 'grant_type=client_credentials' });
  assert.equal(res.status, 200);
  return (res.json as TokenResponse).access_token;
}

before(async () => {
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  token = await freshToken();
});
after(() => sim.close());
beforeEach(() => sim.reset());

describe('POST /token (WSO2 client credentials)', () => {
  test('issues a bearer token for the consumer key and secret', async () => {
    const res = await call('POST', '/token', { auth: basic, form: 'grant_type=client_credentials' });
    assert.equal(res.status, 200);
    assert.equal(res.json.token_type, 'Bearer');
    assert.equal(res.json.scope, 'am_application_scope default');
    assert.equal(res.json.expires_in, 3600);
    assert.match(res.json.access_token, /^[0-9a-f-]{36}$/);
  });

  test('refuses wrong credentials and other grant types', async () => {
    const wrong = `Basic ${Buffer.from(`${DEV_CONSUMER_KEY}:nope`).toString('base64')}`;
    assert.equal((await call('POST', '/token', { auth: wrong, form: 'grant_type=client_credentials' })).status, 401);
    assert.equal((await call('POST', '/token', { auth: null, form: 'grant_type=client_credentials' })).status, 401);
    const res = await call('POST', '/token', { auth: basic, form: 'grant_type=password' });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'unsupported_grant_type');
  });
});

describe('population (dân cư)', () => {
  test('GET /dancu/1.0/congdan/{id} answers a CongdanCollection', async () => {
    const res = await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`);
    assert.equal(res.status, 200);
    const body = res.json as CongdanCollectionResponse;
    assert.equal(body.CongdanCollection.SoCongDan, '1');
    const citizen = body.CongdanCollection.CongDan[0]!;
    assert.equal(citizen.SoDinhDanh, WELL_KNOWN.citizens.householdHead);
    assert.deepEqual(citizen, sim.dataset.citizens.get(WELL_KNOWN.citizens.householdHead));
  });

  test('a bearer token is required', async () => {
    const none = await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`, { auth: null });
    assert.equal(none.status, 401);
    assert.equal(none.json.fault.code, 900901);
    assert.equal(
      (await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`, { auth: 'Bearer 00000000-0000-0000-0000-000000000000' })).status,
      401,
    );
    assert.equal(sim.stats().endpoints['dancu.congdan'].byStatus['401'], 2);
  });

  test('revoked tokens are refused until a new one is fetched', async () => {
    sim.revokeTokens();
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`)).status, 401);
    token = await freshToken();
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`)).status, 200);
  });

  test('unknown id → 404 RECORD_NOT_FOUND; malformed id → 400 DATA_TYPE_INVALID', async () => {
    const missing = await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.notFound}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.MaLoi, '201');
    const bad = await call('GET', '/dancu/1.0/congdan/12345');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.MaLoi, '302');
  });

  test('batch answers every id in order, missing ones as not found', async () => {
    const ids = [WELL_KNOWN.citizens.spouse, WELL_KNOWN.citizens.notFound, WELL_KNOWN.citizens.hanoiHead, 'abc'];
    const res = await call('POST', '/dancu/1.0/congdan/batch', { body: { SoDinhDanh: ids } });
    assert.equal(res.status, 200);
    const body = res.json as CongDanBatchResponse;
    assert.equal(body.SoCongDan, 2);
    assert.deepEqual(
      body.KetQua.map((i) => [i.SoDinhDanh, i.TonTai]),
      [
        [ids[0], true],
        [ids[1], false],
        [ids[2], true],
        [ids[3], false],
      ],
    );
    assert.deepEqual(body.KetQua[1], { SoDinhDanh: ids[1], TonTai: false, MaLoi: '201', MoTaLoi: 'RECORD_NOT_FOUND' });
    assert.equal(body.KetQua[3]!.TonTai === false && body.KetQua[3]!.MaLoi, '302');
    const stats = sim.stats().endpoints['dancu.congdan.batch'];
    assert.equal(stats.requests, 1);
    assert.equal(stats.idsRequested, 4);
  });

  test('batch accepts at most 100 ids and needs a list', async () => {
    const ids = sim.dataset.citizenIds.slice(0, 101);
    const tooMany = await call('POST', '/dancu/1.0/congdan/batch', { body: { SoDinhDanh: ids } });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.json.MaLoi, '303');
    assert.equal((await call('POST', '/dancu/1.0/congdan/batch', { body: { SoDinhDanh: ids.slice(0, 100) } })).status, 200);
    assert.equal((await call('POST', '/dancu/1.0/congdan/batch', { body: { ids } })).status, 400);
    assert.equal((await call('POST', '/dancu/1.0/congdan/batch', { body: { SoDinhDanh: [] } })).status, 400);
  });
});

describe('enterprise registration (apiCSDLDKDN)', () => {
  test('chiTietDoanhNghiep?msdn= answers MainInformation, HOAdress, BusinessActivity, LegalRepresentative', async () => {
    const res = await call('GET', `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN.enterprises.jointStock}`);
    assert.equal(res.status, 200);
    const body = res.json as ChiTietDoanhNghiep;
    assert.equal(body.Status, '1');
    assert.equal(body.MainInformation.ENTERPRISE_GDT_CODE, WELL_KNOWN.enterprises.jointStock);
    assert.equal(body.MainInformation.ENTERPRISE_TYPE_NAME, 'Công ty cổ phần');
    assert.match(body.HOAdress.WardID, /^\d{5}$/);
    assert.match(body.LegalRepresentative[0]!.PERSONAL_ID, /^\d{12}$/);
    assert.ok(body.BusinessActivity.some((b) => b.IS_MAIN === 'Y'));
  });

  test('not found, malformed, unauthenticated', async () => {
    assert.equal((await call('GET', `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN.enterprises.notFound}`)).status, 404);
    assert.equal((await call('GET', '/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=12')).status, 400);
    assert.equal((await call('GET', `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN.enterprises.hanoi}`, { auth: null })).status, 401);
  });

  test('batch form', async () => {
    const codes = [WELL_KNOWN.enterprises.hanoi, WELL_KNOWN.enterprises.notFound];
    const res = await call('POST', '/apiCSDLDKDN/1.0/chiTietDoanhNghiep/batch', { body: { msdn: codes } });
    assert.equal(res.status, 200);
    const body = res.json as DoanhNghiepBatchResponse;
    assert.equal(body.DataCount, 1);
    assert.equal(body.KetQua[0]!.TonTai && body.KetQua[0]!.MainInformation.ENTERPRISE_GDT_CODE, codes[0]);
    assert.equal(body.KetQua[1]!.TonTai, false);
  });
});

describe('test controls (/_sim)', () => {
  test('stats count requests per endpoint; reset clears them', async () => {
    await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`);
    await call('POST', '/dancu/1.0/congdan/batch', { body: { SoDinhDanh: sim.dataset.citizenIds.slice(0, 30) } });
    const stats = (await call('GET', '/_sim/stats', { auth: null })).json;
    assert.equal(stats.endpoints['dancu.congdan'].requests, 1);
    assert.equal(stats.endpoints['dancu.congdan.batch'].idsRequested, 30);
    assert.equal(stats.totalRequests, 2);
    await call('POST', '/_sim/reset', { auth: null });
    assert.equal(sim.stats().totalRequests, 0);
  });

  test('failureRate 1 answers 503 every time, 0 never; per endpoint overrides the global value', async () => {
    const put = await call('PUT', '/_sim/settings', { auth: null, body: { failureRate: 1, endpoints: { 'dkdn.chiTietDoanhNghiep': { failureRate: 0 } } } });
    assert.equal(put.status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`)).status, 503);
    assert.equal((await call('GET', `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN.enterprises.hanoi}`)).status, 200);
    assert.equal(sim.stats().endpoints['dancu.congdan'].injectedFailures, 5);
  });

  test('a failure rate of 0.5 fails the same requests on every run', async () => {
    const outcomes = async () => {
      sim.configure({ failureRate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`)).status);
      return statuses;
    };
    const first = await outcomes();
    const second = await outcomes();
    assert.deepEqual(second, first);
    assert.ok(first.includes(503) && first.includes(200));
  });

  test('invalid settings are refused with the offending field', async () => {
    const res = await call('PUT', '/_sim/settings', { auth: null, body: { failureRate: 2 } });
    assert.equal(res.status, 400);
    assert.match(res.json.issues[0], /failureRate/);
    assert.equal((await call('PUT', '/_sim/settings', { auth: null, body: { endpoints: { nope: {} } } })).status, 400);
  });

  test('hangRate 1 never answers until the client gives up; latency delays answers', async () => {
    // undici's own headersTimeout ticks with a 1 s resolution; an AbortSignal gives the client a precise deadline.
    const givenUp = (error: Error) => error.name === 'TimeoutError' || error.name === 'AbortError';
    sim.configure({ hangRate: 1 });
    await assert.rejects(
      request(`${sim.url}/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(150),
      }),
      givenUp,
    );
    assert.equal(sim.stats().endpoints['dancu.congdan'].injectedHangs, 1);
    sim.configure({ latencyMs: 400 });
    await assert.rejects(
      request(`${sim.url}/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(100),
      }),
      givenUp,
    );
    sim.configure({ latencyMs: 50 });
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.spouse}`)).status, 200);
  });

  test('samples list ids for tools and benchmarks', async () => {
    const res = await call('GET', '/_sim/samples?count=100', { auth: null });
    assert.equal(res.json.citizens.length, 100);
    assert.equal(res.json.enterprises.length, 100);
  });
});

test('configuration errors name the variable', async () => {
  const { loadConfig } = await import('@lgsp/kit');
  const { configSchema } = await import('./config.ts');
  assert.throws(() => loadConfig('simulator', configSchema, { SIMULATOR_FAILURE_RATE: '1.5' }), /SIMULATOR_FAILURE_RATE: must be between 0 and 1/);
  assert.throws(() => loadConfig('simulator', configSchema, { NODE_ENV: 'production' }), /SIMULATOR_CONSUMER_SECRET: the development credentials/);
  assert.throws(
    () =>
      loadConfig('simulator', configSchema, {
        NODE_ENV: 'production',
        SIMULATOR_CONSUMER_KEY: 'province-key',
        SIMULATOR_CONSUMER_SECRET: 'a-real-secret-0123456789',
      }),
    /SIMULATOR_TEST_CONSUMER_SECRET: the development credentials/,
  );
  assert.throws(
    () => loadConfig('simulator', configSchema, { SIMULATOR_TEST_CONSUMER_KEY: DEV_CONSUMER_KEY }),
    /SIMULATOR_TEST_CONSUMER_KEY: must differ from SIMULATOR_CONSUMER_KEY/,
  );
  const config = loadConfig('simulator', configSchema, { SIMULATOR_LATENCY_MS: '25', SIMULATOR_FAILURE_RATE: '0.25' });
  assert.equal(config.SIMULATOR_LATENCY_MS, 25);
  assert.equal(config.SIMULATOR_FAILURE_RATE, 0.25);
});

describe("the test environment (/test: the national platform's separate test endpoint)", () => {
  const testBasic = `Basic ${Buffer.from(`${DEV_TEST_CONSUMER_KEY}:${DEV_TEST_CONSUMER_SECRET}`).toString('base64')}`;
  const testToken = async () => {
    const res = await call('POST', '/test/token', { auth: testBasic, form: 'grant_type=client_credentials' });
    assert.equal(res.status, 200);
    return (res.json as TokenResponse).access_token;
  };
  beforeEach(() => sim.test.reset());

  test('serves the test dataset under /test with its own consumer keys; sim.test.url is that base', async () => {
    assert.equal(sim.test.url, `${sim.url}/test`);
    const bearer = `Bearer ${await testToken()}`;
    const res = await call('GET', `/test/dancu/1.0/congdan/${WELL_KNOWN_TEST.citizens.householdHead}`, { auth: bearer });
    assert.equal(res.status, 200);
    assert.deepEqual(
      (res.json as CongdanCollectionResponse).CongdanCollection.CongDan[0],
      sim.test.dataset.citizens.get(WELL_KNOWN_TEST.citizens.householdHead),
    );
    const enterprise = await call('GET', `/test/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN_TEST.enterprises.oneMemberLlc}`, { auth: bearer });
    assert.equal(enterprise.status, 200);
    assert.equal((enterprise.json as ChiTietDoanhNghiep).MainInformation.ENTERPRISE_GDT_CODE, WELL_KNOWN_TEST.enterprises.oneMemberLlc);
  });

  test('a production record is not found on the test endpoint, and a test record not on the production one', async () => {
    const bearer = `Bearer ${await testToken()}`;
    assert.equal((await call('GET', `/test/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`, { auth: bearer })).status, 404);
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN_TEST.citizens.householdHead}`)).status, 404);
    assert.equal((await call('GET', `/test/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN.enterprises.jointStock}`, { auth: bearer })).status, 404);
    assert.equal((await call('GET', `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${WELL_KNOWN_TEST.enterprises.oneMemberLlc}`)).status, 404);
    const batch = await call('POST', '/test/dancu/1.0/congdan/batch', {
      auth: bearer,
      body: { SoDinhDanh: [WELL_KNOWN_TEST.citizens.wardResident, WELL_KNOWN.citizens.spouse] },
    });
    assert.deepEqual(
      (batch.json as CongDanBatchResponse).KetQua.map((i) => i.TonTai),
      [true, false],
    );
  });

  test("each environment refuses the other one's consumer keys and tokens", async () => {
    assert.equal((await call('POST', '/test/token', { auth: basic, form: 'grant_type=client_credentials' })).status, 401);
    assert.equal((await call('POST', '/token', { auth: testBasic, form: 'grant_type=client_credentials' })).status, 401);
    const testBearer = `Bearer ${await testToken()}`;
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`, { auth: testBearer })).status, 401);
    assert.equal((await call('GET', `/test/dancu/1.0/congdan/${WELL_KNOWN_TEST.citizens.householdHead}`)).status, 401, 'a production token');
  });

  test('counters, faults and samples are per environment', async () => {
    sim.reset();
    const bearer = `Bearer ${await testToken()}`;
    await call('GET', `/test/dancu/1.0/congdan/${WELL_KNOWN_TEST.citizens.householdHead}`, { auth: bearer });
    assert.equal(sim.test.stats().endpoints['dancu.congdan']?.requests, 1);
    assert.equal(sim.stats().totalRequests, 0, 'the production endpoint saw nothing');
    assert.equal((await call('GET', '/test/_sim/stats', { auth: null })).json.totalRequests, 2);
    sim.test.configure({ failureRate: 1 });
    assert.equal((await call('GET', `/test/dancu/1.0/congdan/${WELL_KNOWN_TEST.citizens.householdHead}`, { auth: bearer })).status, 503);
    assert.equal((await call('GET', `/dancu/1.0/congdan/${WELL_KNOWN.citizens.householdHead}`)).status, 200, 'production is not failing');
    const samples = await call('GET', '/test/_sim/samples?count=5&ward=16690', { auth: null });
    assert.ok(samples.json.citizens.length > 0);
    for (const id of samples.json.citizens as string[]) assert.ok(sim.test.dataset.citizens.has(id) && !sim.dataset.citizens.has(id));
    assert.equal((await call('GET', '/test/health', { auth: null })).status, 200);
    for (const path of ['/health', '/health/live', '/health/ready']) assert.equal((await call('GET', path, { auth: null })).status, 200, path);
  });
});
