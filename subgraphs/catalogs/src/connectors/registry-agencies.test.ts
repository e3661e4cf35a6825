/**
 * The AGENCIES catalog following the registry: real catalogs services on real Redis, polling a real HTTP server that
 * serves the registry's `GET /internal/v1/agencies` (bearer token, ETag, 304) as its contract describes.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { readTopicStream, topics } from '@lgsp/events';
import {
  ANONYMOUS,
  connectRedis,
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  type InternalTokenIssuer,
  type RedisClient,
} from '@lgsp/kit';
import { testKeyPrefix } from '@lgsp/kit/testing';
import { loadCatalogsConfig } from '../config.ts';
import type { RegistryAgencyRecord } from '../domain/registry-agencies.ts';
import { startCatalogs, type RunningCatalogs } from '../service.ts';

const TOKEN = 'registry-internal-token-for-tests-0123456789';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A registry's agency list over HTTP, as `subgraphs/registry` serves it; what it answers is set by the test. */
class FakeRegistry {
  version = 1;
  items: RegistryAgencyRecord[] = [];
  /** Set: answer this status and body instead of the list. */
  broken: { status: number; body: string } | null = null;
  readonly answered = { ok: 0, notModified: 0, refused: 0 };
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/internal/v1/agencies' || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        this.answered.refused++;
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ message: 'a valid REGISTRY_INTERNAL_TOKEN is required', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      if (this.broken !== null) {
        res.writeHead(this.broken.status, { 'content-type': 'application/json' }).end(this.broken.body);
        return;
      }
      const etag = `"${this.version}"`;
      if (req.headers['if-none-match'] === etag) {
        this.answered.notModified++;
        res.writeHead(304, { etag }).end();
        return;
      }
      this.answered.ok++;
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify({ version: this.version, items: this.items }));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Replaces the list and moves the version (and so the ETag) on. */
  publish(items: RegistryAgencyRecord[]): void {
    this.items = items;
    this.version++;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

const agency = (code: string, name: string, more: Partial<RegistryAgencyRecord> = {}): RegistryAgencyRecord => ({
  code,
  name,
  shortName: null,
  parentCode: code === '000.00.00.H41' ? null : '000.00.00.H41',
  status: 'ACTIVE',
  successorCodes: [],
  effectiveFrom: null,
  ...more,
});

const PROVINCE = agency('000.00.00.H41', 'Ủy ban nhân dân tỉnh Nghệ An (registry)');
const FINANCE = agency('000.00.03.H41', 'Sở Tài chính tỉnh Nghệ An');
const PLANNING = agency('000.00.30.H41', 'Sở Kế hoạch và Đầu tư tỉnh Nghệ An');

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('AGENCIES catalog from the registry (REGISTRY_URL)', () => {
  const registry = new FakeRegistry();
  const keyPrefix = testKeyPrefix();
  const services: RunningCatalogs[] = [];
  let redis: RedisClient;
  let issuer: InternalTokenIssuer;

  const start = async (env: Record<string, string> = {}) => {
    const config = loadCatalogsConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      CATALOGS_VERSION_CHECK_MS: '0',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      REGISTRY_URL: registry.url,
      REGISTRY_INTERNAL_TOKEN: TOKEN,
      CATALOGS_REGISTRY_POLL_MS: '50',
      ...env,
    });
    const service = await startCatalogs(config, {
      verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
      logger: createLogger('catalogs-test', 'silent'),
    });
    services.push(service);
    return service;
  };
  const gql = async (service: RunningCatalogs, query: string) => {
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(ANONYMOUS)}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data;
  };
  const versions = async () => (await redis.hKeys(`${keyPrefix}catalogs:{agencies}:versions`)).map(Number).sort((a, b) => a - b);
  const events = async () =>
    (await readTopicStream(redis, keyPrefix, topics.catalogChanged())).filter((e) => e.fields.catalog === 'AGENCIES').map((e) => e.fields.version);

  before(async () => {
    redis = await connectRedis(redisUrl);
    issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
    await registry.start();
    registry.items = [PROVINCE, FINANCE, PLANNING];
  });

  after(async () => {
    for (const service of services) await service.close().catch(() => undefined);
    await registry.stop();
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('starts with the registry list, never the development file, and announces it', async () => {
    const service = await start();
    const data = await gql(
      service,
      `{ province: agency(code: "000.00.00.H41") { name status successors { code } }
         planning: agency(code: "000.00.30.H41") { name parent { code } }
         office: agency(code: "000.00.01.H41") { name }
         agencies { code }
         catalogVersion(catalog: AGENCIES) { version source label } }`,
    );
    assert.deepEqual(data.province, { name: 'Ủy ban nhân dân tỉnh Nghệ An (registry)', status: 'ACTIVE', successors: [] });
    assert.deepEqual(data.planning, { name: 'Sở Kế hoạch và Đầu tư tỉnh Nghệ An', parent: { code: '000.00.00.H41' } });
    assert.equal(data.office, null, 'an agency of the development file only is not in the catalog');
    assert.deepEqual(
      data.agencies.map((a: { code: string }) => a.code),
      ['000.00.00.H41', '000.00.03.H41', '000.00.30.H41'],
    );
    assert.equal(data.catalogVersion.version, 1);
    assert.match(data.catalogVersion.source, /^registry http:\/\/127\.0\.0\.1:\d+\/internal\/v1\/agencies \(version 1\)$/);
    assert.deepEqual(await events(), ['1']);
    assert.equal(service.registrySync?.etag, `"${registry.version}"`);
  });

  it('polls with If-None-Match: an unchanged registry costs a 304 and publishes nothing', async () => {
    const before = registry.answered.notModified;
    await until(
      '304 answers',
      async () => registry.answered.notModified,
      (n) => n >= before + 3,
    );
    assert.deepEqual(await versions(), [1]);
    assert.deepEqual(await events(), ['1']);
  });

  it('imports a merger as a new version, announced; the merged agency keeps its history and names its successor', async () => {
    const service = services[0]!;
    registry.publish([
      PROVINCE,
      agency('000.00.03.H41', 'Sở Tài chính tỉnh Nghệ An', { status: 'MERGED', successorCodes: ['000.00.31.H41'], effectiveFrom: '2026-03-01' }),
      agency('000.00.30.H41', 'Sở Kế hoạch và Đầu tư tỉnh Nghệ An', { status: 'MERGED', successorCodes: ['000.00.31.H41'], effectiveFrom: '2026-03-01' }),
      agency('000.00.31.H41', 'Sở Tài chính tỉnh Nghệ An (sau hợp nhất)', { effectiveFrom: '2026-03-01' }),
    ]);
    await until('version 2', versions, (v) => v.length === 2);
    // The announcement follows the stored version: wait for it too (under load it may lag the version).
    await until('its event', events, (e) => e.length === 2);
    assert.deepEqual(await events(), ['1', '2']);
    const data = await gql(
      service,
      `{ now: agency(code: "000.00.30.H41") { status effectiveFrom successors { code name status } catalogVersion }
         then: agency(code: "000.00.30.H41", version: 1) { status successors { code } catalogVersion }
         successor: agency(code: "000.00.31.H41") { status }
         catalogVersion(catalog: AGENCIES) { version label } }`,
    );
    assert.deepEqual(data.now, {
      status: 'MERGED',
      effectiveFrom: '2026-03-01',
      successors: [{ code: '000.00.31.H41', name: 'Sở Tài chính tỉnh Nghệ An (sau hợp nhất)', status: 'ACTIVE' }],
      catalogVersion: 2,
    });
    assert.deepEqual(data.then, { status: 'ACTIVE', successors: [], catalogVersion: 1 });
    assert.deepEqual(data.successor, { status: 'ACTIVE' });
    const filtered = await gql(service, '{ active: agencies(status: [ACTIVE]) { code } merged: agencies(status: [MERGED, DISSOLVED]) { code } }');
    assert.deepEqual(
      filtered.active.map((a: { code: string }) => a.code),
      ['000.00.00.H41', '000.00.31.H41'],
    );
    assert.deepEqual(
      filtered.merged.map((a: { code: string }) => a.code),
      ['000.00.03.H41', '000.00.30.H41'],
    );
    assert.deepEqual(data.catalogVersion, { version: 2, label: `registry-${registry.version}` });
  });

  it('a second replica on the same Redis publishes nothing for what is already imported, and a change only once', async () => {
    const second = await start();
    assert.equal((await gql(second, '{ catalogVersion(catalog: AGENCIES) { version } }')).catalogVersion.version, 2);
    registry.publish([...registry.items, agency('000.00.32.H41', 'Sở Nội vụ tỉnh Nghệ An')]);
    await until('version 3', versions, (v) => v.length === 3);
    // Both replicas poll at 50 ms: give them several rounds to publish a duplicate, if they would.
    await until(
      'both replicas on the new list',
      async () => services.map((s) => s.registrySync?.etag),
      (tags) => tags.every((t) => t === `"${registry.version}"`),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await versions(), [1, 2, 3]);
    assert.deepEqual(await events(), ['1', '2', '3']);
    for (const service of services) assert.equal((await gql(service, '{ agency(code: "000.00.32.H41") { name } }')).agency.name, 'Sở Nội vụ tỉnh Nghệ An');
  });

  it('a refused, failing or malformed answer keeps the current version; the next good one is imported', async () => {
    const service = services[0]!;
    // A poll started after the registry broke (a timer's poll in flight may be joined first).
    const pollAfterwards = async () => {
      await service.registrySync!.poll();
      return service.registrySync!.poll();
    };
    registry.broken = { status: 200, body: JSON.stringify({ version: registry.version + 1, items: [agency('not-a-code', 'Broken')] }) };
    registry.publish([...registry.items, agency('000.00.33.H41', 'Sở Y tế tỉnh Nghệ An')]);
    const invalid = await pollAfterwards();
    assert.equal(invalid.kind, 'failed');
    assert.match((invalid as { reason: string }).reason, /^INVALID_AGENCY_CODE: registry agency not-a-code/);
    registry.broken = { status: 200, body: '{"version": "x"' };
    assert.deepEqual(await pollAfterwards(), { kind: 'failed', reason: 'malformed answer: not JSON' });
    registry.broken = { status: 503, body: '{}' };
    assert.deepEqual(await pollAfterwards(), { kind: 'failed', reason: 'HTTP 503: {}' });
    assert.deepEqual(await versions(), [1, 2, 3]);
    assert.equal((await gql(service, '{ agency(code: "000.00.33.H41") { name } }')).agency, null);
    registry.broken = null;
    await until('version 4', versions, (v) => v.length === 4);
    await until('its event', events, (e) => e.length === 4);
    assert.deepEqual(await events(), ['1', '2', '3', '4']);
  });

  it('a wrong REGISTRY_INTERNAL_TOKEN is refused by the registry: the service starts and keeps what is stored', async () => {
    const refusedBefore = registry.answered.refused;
    const wrong = await start({ REGISTRY_INTERNAL_TOKEN: 'not-the-registry-token-0123456789abcdef' });
    const outcome = await wrong.registrySync!.poll();
    assert.equal(outcome.kind, 'failed');
    assert.match((outcome as { reason: string }).reason, /^HTTP 401 \(check REGISTRY_INTERNAL_TOKEN\)/);
    assert.ok(registry.answered.refused > refusedBefore);
    assert.equal((await gql(wrong, '{ catalogVersion(catalog: AGENCIES) { version } }')).catalogVersion.version, 4);
    await wrong.close();
    services.splice(services.indexOf(wrong), 1);
  });
});

describe('AGENCIES catalog configuration', () => {
  it('REGISTRY_URL needs a REGISTRY_INTERNAL_TOKEN of at least 32 characters; the poll interval defaults to 10 s', () => {
    assert.throws(() => loadCatalogsConfig({ REGISTRY_URL: 'http://127.0.0.1:4105' }), /REGISTRY_INTERNAL_TOKEN: is required with REGISTRY_URL/);
    assert.throws(
      () => loadCatalogsConfig({ REGISTRY_URL: 'http://127.0.0.1:4105', REGISTRY_INTERNAL_TOKEN: 'short' }),
      /REGISTRY_INTERNAL_TOKEN: must be at least 32/,
    );
    const config = loadCatalogsConfig({ REGISTRY_URL: 'http://127.0.0.1:4105/', REGISTRY_INTERNAL_TOKEN: TOKEN });
    assert.equal(config.REGISTRY_URL, 'http://127.0.0.1:4105');
    assert.equal(config.CATALOGS_REGISTRY_POLL_MS, 10_000);
  });
});
