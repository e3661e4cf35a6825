/**
 * The access API beyond the contracts: its shared secret, its answers to bad input in the platform's error shape,
 * and the HTTP adapters' change stream surviving a registry restart (a real server on loopback, stopped and started
 * again on the same port).
 */
import { freePortForTest } from '@lgsp/kit/testing';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleGrant } from '../grants/grant-store.contract.ts';
import { createHttpGrantStore } from '../grants/http-grant-store.ts';
import { createMemoryGrantStore } from '../grants/memory-grant-store.ts';
import { createHttpCredentialRevocations } from '../revocations/http-credential-revocations.ts';
import { startAccessServer, TEST_ACCESS_TOKEN, type AccessServer } from '../testing.ts';
import { ACCESS_API_PATH } from './client.ts';

describe('access API', () => {
  let server: AccessServer;
  before(async () => {
    server = await startAccessServer();
  });
  after(async () => {
    await server.close();
  });

  const call = (path: string, init: RequestInit & { token?: string | null } = {}) =>
    fetch(`${server.url}${ACCESS_API_PATH}${path}`, {
      ...init,
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TEST_ACCESS_TOKEN}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
  const codeOf = async (response: Response) => ((await response.json()) as { errors: Array<{ extensions: { code: string }; message: string }> }).errors[0]!;

  it('refuses a request without the REGISTRY_INTERNAL_TOKEN, or with another, with 401 UNAUTHENTICATED', async () => {
    for (const token of [null, 'wrong']) {
      const response = await call('/grants', { token });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="lgsp-internal"');
      assert.deepEqual(await codeOf(response), { message: 'a valid REGISTRY_INTERNAL_TOKEN is required', extensions: { code: 'UNAUTHENTICATED' } });
    }
    const wrong = createHttpGrantStore({ baseUrl: server.url, token: 'wrong' });
    await assert.rejects(
      wrong.list(),
      /GET http:\/\/127\.0\.0\.1:\d+\/internal\/v1\/access\/grants failed: HTTP 401 \(a valid REGISTRY_INTERNAL_TOKEN is required\)/,
    );
    await assert.rejects(
      wrong.subscribe(() => undefined),
      /HTTP 401/,
    );
  });

  it('answers bad input with 400 BAD_USER_INPUT naming the problem, and writes nothing', async () => {
    const malformed = await call('/grants/items/a', { method: 'PUT', body: '{"id":' });
    assert.equal(malformed.status, 400);
    assert.match((await codeOf(malformed)).message, /^the body is not valid JSON/);
    const otherId = await call('/grants/items/a', { method: 'PUT', body: JSON.stringify(sampleGrant('b')) });
    assert.equal(otherId.status, 400);
    assert.deepEqual(await codeOf(otherId), { message: "the grant's id b is not the id of the path, a", extensions: { code: 'BAD_USER_INPUT' } });
    const invalid = await call('/grants/put-all', {
      method: 'POST',
      body: JSON.stringify({ grants: [sampleGrant('c', { consumer: 'x' })], expectedVersion: 0 }),
    });
    assert.equal(invalid.status, 400);
    assert.match((await codeOf(invalid)).message, /^invalid grant: consumer: must be an agency code/);
    const noVersion = await call('/grants/put-all', { method: 'POST', body: JSON.stringify({ grants: [] }) });
    assert.equal((await codeOf(noVersion)).message, 'expectedVersion must be a non-negative integer');
    const badVersion = await call('/grants/items/a?expectedVersion=-1', { method: 'DELETE' });
    assert.equal(badVersion.status, 400);
    const noLimit = await call('/changes');
    assert.deepEqual(await codeOf(noLimit), { message: 'limit is required', extensions: { code: 'BAD_USER_INPUT' } });
    const bigLimit = await call('/changes?limit=5000');
    assert.match((await codeOf(bigLimit)).message, /limit must be an integer from 1 to 1000/);
    const badRecord = await call('/changes', { method: 'POST', body: JSON.stringify({ entity: 'grant' }) });
    assert.equal(badRecord.status, 400);
    assert.match((await codeOf(badRecord)).message, /^invalid change record: /);
    const missing = await call('/grants/items/nope');
    assert.equal(missing.status, 404);
    assert.equal((await codeOf(missing)).extensions.code, 'NOT_FOUND');
    assert.deepEqual(await server.grants.list(), []);
    assert.deepEqual(await server.changes.list({ limit: 10 }), []);
  });
});

describe('HTTP adapters: the change stream', () => {
  it('tells the listener again after the registry restarted (changes may have been missed), then of each change', async () => {
    const port = await freePortForTest();
    const grants = createMemoryGrantStore();
    let server = await startAccessServer({ grants, port });
    const store = createHttpGrantStore({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
    const revocations = createHttpCredentialRevocations({ baseUrl: server.url, token: TEST_ACCESS_TOKEN });
    let calls = 0;
    let waiting: { count: number; resolve: () => void } | undefined;
    const seen = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`listener called ${calls} times, not ${count}, within 10 s`)), 10_000);
        waiting = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        if (calls >= count) waiting.resolve();
      });
    const stop = await store.subscribe(() => {
      calls += 1;
      if (waiting !== undefined && calls >= waiting.count) waiting.resolve();
    });
    let revoked = 0;
    const stopRevocations = await revocations.subscribe(() => (revoked += 1));
    try {
      await grants.put(sampleGrant('a'));
      await seen(1);
      assert.equal(revoked, 0, 'a grant change is not a revocation change');
      // The registry goes away and comes back: the adapter opens the stream again and says changes may be lost.
      await server.close();
      await grants.put(sampleGrant('b')); // made while nobody listened
      server = await startAccessServer({ grants, port });
      await seen(2);
      await grants.put(sampleGrant('c'));
      await seen(3);
      assert.deepEqual(
        (await store.list()).map((g) => g.id),
        ['a', 'b', 'c'],
      );
    } finally {
      await stop();
      await stopRevocations();
      await store.close();
      await revocations.close();
      await server.close();
      await grants.close();
    }
  });

  it('opens a stream again that went silent (no heartbeat within streamIdleMs), and tells the listener', async () => {
    // A heartbeat far slower than the client's idle limit: the client takes the stream for dead.
    const server = await startAccessServer({ heartbeatMs: 60_000 });
    const store = createHttpGrantStore({ baseUrl: server.url, token: TEST_ACCESS_TOKEN, streamIdleMs: 300 });
    let calls = 0;
    const stop = await store.subscribe(() => (calls += 1));
    try {
      const started = Date.now();
      while (calls === 0 && Date.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(calls >= 1, 'the listener was told after the silent stream was replaced');
    } finally {
      await stop();
      await store.close();
      await server.close();
    }
  });

  it('rejects subscribe when the registry cannot be reached', async () => {
    const store = createHttpGrantStore({ baseUrl: `http://127.0.0.1:${await freePortForTest()}`, token: TEST_ACCESS_TOKEN });
    await assert.rejects(
      store.subscribe(() => undefined),
      /^Error: GET http:\/\/127\.0\.0\.1:\d+\/internal\/v1\/access\/grants\/changes failed: fetch failed/,
    );
  });
});
