import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { freePortForTest, testKeyPrefix, testRunKeyPrefix } from './testing.ts';

test('freePortForTest: bindable ports below the ephemeral range (no outgoing connection can take them), never one twice', async () => {
  const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const ports = [];
  for (let i = 0; i < 50; i += 1) ports.push(await freePortForTest());
  assert.equal(new Set(ports).size, ports.length, 'no port handed out twice');
  for (const port of ports) assert.ok(port >= 20_000 && port < ephemeralStart, `${port} below ${ephemeralStart}`);
  const server = createServer().listen(ports[0], '127.0.0.1');
  await once(server, 'listening');
  server.close();
});

test("testKeyPrefix: a fresh prefix under the run's prefix, valid as REDIS_KEY_PREFIX", () => {
  const a = testKeyPrefix();
  const b = testKeyPrefix();
  assert.notEqual(a, b);
  assert.ok(a.startsWith(testRunKeyPrefix()), a);
  assert.match(a, /^[A-Za-z0-9_.:-]+:$/);
  assert.equal(testRunKeyPrefix('r1'), 'lgsp-test:r1:');
  assert.equal(testRunKeyPrefix('*'), 'lgsp-test:adhoc:', 'a run name is never a pattern');
});
