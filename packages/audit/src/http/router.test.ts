/** The audit API beyond the contract: its bearer secret, and bad input answered in the platform's error shape, never 500. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleEntry } from '../audit-log.contract.ts';
import { startAuditServer, TEST_MONITORING_TOKEN, type AuditServer } from '../testing.ts';
import { AUDIT_API_PATH, AuditHttpError, createHttpAuditLog } from './http-audit-log.ts';

describe('audit API', () => {
  let server: AuditServer;
  before(async () => {
    server = await startAuditServer();
  });
  after(async () => {
    await server.close();
  });

  const call = (path: string, init: { method?: string; body?: string; token?: string | null } = {}) =>
    fetch(`${server.url}${AUDIT_API_PATH}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? TEST_MONITORING_TOKEN}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  const error = async (response: Response) => ((await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors[0]!;

  it('refuses a request without MONITORING_INTERNAL_TOKEN, or with another, with 401 UNAUTHENTICATED', async () => {
    for (const token of [null, 'wrong', `${TEST_MONITORING_TOKEN}x`]) {
      const response = await call('/head', { token });
      assert.equal(response.status, 401);
      assert.deepEqual(await error(response), { message: 'a valid MONITORING_INTERNAL_TOKEN is required', extensions: { code: 'UNAUTHENTICATED' } });
    }
    const wrong = createHttpAuditLog({ baseUrl: server.url, token: 'wrong' });
    await assert.rejects(wrong.head(), (e: unknown) => e instanceof AuditHttpError && e.status === 401 && /HTTP 401/.test(e.message));
  });

  it('answers bad input with 400 and a precise code, a too large body with 413, and stores nothing', async () => {
    const cases: Array<[string, { method?: string; body?: string }, number, string, RegExp]> = [
      ['/append', { body: '{"entries":' }, 400, 'BAD_USER_INPUT', /^the body is not valid JSON/],
      ['/append', { body: '[]' }, 400, 'BAD_USER_INPUT', /JSON object/],
      ['/append', { body: '{}' }, 400, 'BAD_USER_INPUT', /must be an array/],
      ['/append', { body: JSON.stringify({ entries: [{ ...sampleEntry(), at: 'x' }] }) }, 400, 'BAD_USER_INPUT', /entries\.0\.at/],
      ['/append', { body: JSON.stringify({ entries: [sampleEntry()], batchId: '../x' }) }, 400, 'BAD_USER_INPUT', /batchId/],
      ['/append', { body: JSON.stringify({ entries: Array.from({ length: 1001 }, () => sampleEntry()) }) }, 400, 'LIMIT_EXCEEDED', /1000/],
      ['/append', { body: JSON.stringify({ entries: [], pad: 'x'.repeat(17 * 1024 * 1024) }) }, 413, 'LIMIT_EXCEEDED', /larger than 16mb/],
      ['/range?from=x&count=1', {}, 400, 'BAD_USER_INPUT', /from must be an integer/],
      ['/range?from=1', {}, 400, 'BAD_USER_INPUT', /count must be an integer/],
      ['/range?from=1&count=1&from=2', {}, 400, 'BAD_USER_INPUT', /from must be an integer/],
      ['/query', { body: JSON.stringify({ from: 'monday', to: '2026-12-06T00:00:00Z' }) }, 400, 'INVALID_DATE', /from/],
      ['/query', { body: JSON.stringify({ from: '2026-12-01T00:00:00Z', to: '2026-12-06T00:00:00Z', cursor: 'x' }) }, 400, 'INVALID_CURSOR', /cursor/],
      ['/query', { body: JSON.stringify({ from: '2026-12-01T00:00:00Z', to: '2026-12-06T00:00:00Z', limit: 'ten' }) }, 400, 'BAD_USER_INPUT', /limit/],
      ['/statistics', { body: JSON.stringify({ fromDay: '2026-13-01', toDay: '2026-12-01' }) }, 400, 'INVALID_DATE', /fromDay/],
      ['/checkpoints', { body: JSON.stringify({ seq: 0 }) }, 400, 'BAD_USER_INPUT', /invalid checkpoint/],
      ['/trim', { body: JSON.stringify({ throughSeq: 'all' }) }, 400, 'BAD_USER_INPUT', /throughSeq/],
      ['/nothing', {}, 404, 'NOT_FOUND', /no audit API at GET \/nothing/],
    ];
    for (const [path, init, status, code, message] of cases) {
      const response = await call(path, init);
      assert.equal(response.status, status, `${path} ${init.body?.slice(0, 60) ?? ''}`);
      const first = await error(response);
      assert.equal(first.extensions.code, code, first.message);
      assert.match(first.message, message);
    }
    assert.equal(await server.log.head(), null);
  });
});
