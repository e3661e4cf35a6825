/**
 * Reading the windows from a real HTTP server playing the registry's `/internal/v1/maintenance`: the bearer token,
 * ETag / If-None-Match (304), items that do not read as windows left out, and the windows kept while the registry
 * fails or answers garbage (it may be the part under maintenance).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@lgsp/kit';
import { createRegistrySchedule, MAINTENANCE_PATH, type RegistrySchedule } from './registry-schedule.ts';

const TOKEN = 'registry-internal-token-for-schedule-tests';
const WINDOW = {
  id: 'mw-1',
  startsAt: '2026-12-10T15:00:00Z',
  endsAt: '2026-12-10T17:00:00Z',
  summary: 'Nâng cấp',
  emergency: false,
  affectedServices: ['national-data-citizen'],
  affectedSubgraphs: ['national-data'],
  status: 'SCHEDULED',
};

const registry = {
  version: 1,
  items: [WINDOW] as unknown[],
  mode: 'ok' as 'ok' | 'down' | 'garbage',
  requests: [] as Array<{ auth?: string; inm?: string; status: number }>,
};
let server: Server;
let schedule: RegistrySchedule;

before(async () => {
  server = createServer((req, res) => {
    const record = (status: number) => registry.requests.push({ auth: req.headers.authorization, inm: req.headers['if-none-match'], status });
    if (req.url !== MAINTENANCE_PATH || req.headers.authorization !== `Bearer ${TOKEN}`) {
      record(401);
      return res.writeHead(401).end();
    }
    if (registry.mode === 'down') {
      record(503);
      return res.writeHead(503).end();
    }
    if (registry.mode === 'garbage') {
      record(200);
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"nope":1}');
    }
    const etag = `"${registry.version}"`;
    if (req.headers['if-none-match'] === etag) {
      record(304);
      return res.writeHead(304, { etag }).end();
    }
    record(200);
    res.writeHead(200, { etag, 'content-type': 'application/json' }).end(JSON.stringify({ version: registry.version, items: registry.items }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  schedule = await createRegistrySchedule({
    registryUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: TOKEN,
    pollMs: 60_000,
    timeoutMs: 2_000,
    logger: createLogger('test', 'silent'),
  });
});

after(async () => {
  await schedule?.close();
  server?.close();
});

describe('maintenance windows read from the registry', () => {
  it('reads them at start with the bearer token, then asks with If-None-Match', async () => {
    assert.deepEqual(
      schedule.current().map((w) => [w.id, w.startsAt, w.affectedSubgraphs]),
      [['mw-1', '2026-12-10T15:00:00.000Z', ['national-data']]],
    );
    assert.equal(registry.requests[0]?.auth, `Bearer ${TOKEN}`);
    assert.equal(await schedule.refresh(), 'not-modified');
    assert.equal(registry.requests.at(-1)?.inm, '"1"');
  });

  it('leaves out an item that is not a window and applies the others', async () => {
    registry.version = 2;
    registry.items = [WINDOW, { ...WINDOW, id: 'mw-bad', endsAt: '2026-12-10T14:00:00Z' }, { id: 'mw-2' }, { ...WINDOW, id: 'mw-3', summary: 'Đổi' }];
    assert.equal(await schedule.refresh(), 'updated');
    assert.deepEqual(
      schedule.current().map((w) => w.id),
      ['mw-1', 'mw-3'],
    );
  });

  it('keeps the windows read while the registry is down or answers garbage', async () => {
    registry.mode = 'down';
    assert.equal(await schedule.refresh(), 'failed');
    assert.equal(schedule.current().length, 2);
    registry.mode = 'garbage';
    assert.equal(await schedule.refresh(), 'failed');
    assert.equal(schedule.current().length, 2);
    registry.mode = 'ok';
    registry.version = 3;
    registry.items = [];
    assert.equal(await schedule.refresh(), 'updated');
    assert.deepEqual(schedule.current(), []);
  });
});
