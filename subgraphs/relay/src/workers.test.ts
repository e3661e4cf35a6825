/**
 * RELAY_WORKERS: the relay as several processes on one port (node:cluster), started as an operator starts it
 * (`node --import tsx subgraphs/relay/src/main.ts`) on real Redis: packets exchanged across workers (one signs a URL,
 * another honours it; one stores content, another reads it), a killed worker replaced while the port keeps serving,
 * SIGTERM stopping them all, and the settings refused without what workers must share.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectRedis, createInternalTokenIssuer, type InternalTokenIssuer } from '@lgsp/kit';
import { freePortForTest, testKeyPrefix } from '@lgsp/kit/testing';
import { loadRelayConfig } from './config.ts';
import { A, AGENCY_B, B, CLAIM, httpRequest, REQUEST_EXCHANGE, reprDigest, sha256, sleep } from './testing.ts';

const MAIN = new URL('./main.ts', import.meta.url).pathname;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The relay workers of the primary `pid`: its live children running the relay's entry (from /proc). tsx may have
 * other children (esbuild's service process), which are not workers.
 */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (
        readFileSync(`/proc/${name}/cmdline`, 'utf8')
          .split('\0')
          .some((arg) => arg.endsWith('relay/src/main.ts'))
      )
        found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('relay: RELAY_WORKERS processes on one port', { timeout: 240_000 }, () => {
  let issuer: InternalTokenIssuer;
  let jwks: Server;
  let relay: ChildProcess;
  let origin: string;
  let output = '';
  const keyPrefix = testKeyPrefix();

  const gql = async (principal: typeof A, query: string, variables: Record<string, unknown>) => {
    // A connection per call (no keep-alive): the primary hands each one to the next worker.
    const answer = await httpRequest(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
      body: Buffer.from(JSON.stringify({ query, variables })),
    });
    return JSON.parse(answer.body.toString('utf8')) as { data?: Record<string, any>; errors?: unknown[] };
  };

  /** One packet A → B: request, upload, claim, download, each on a new connection. */
  async function exchangeOne(n: number): Promise<void> {
    const content = Buffer.from(`gói tin ${n} ${randomUUID()}`);
    const space = await gql(A, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [AGENCY_B] },
        title: `thử ${n}`,
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'test',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    assert.equal(space.errors, undefined, JSON.stringify(space.errors));
    const upload = await httpRequest(space.data!.requestExchange.uploadUrl, {
      method: 'PUT',
      headers: { connection: 'close', 'content-length': String(content.length), 'repr-digest': reprDigest(content) },
      body: content,
    });
    assert.equal(upload.status, 201, upload.body.toString());
    const claim = await gql(B, CLAIM, { id: space.data!.requestExchange.id });
    assert.equal(claim.errors, undefined, JSON.stringify(claim.errors));
    const download = await httpRequest(claim.data!.claimPacket.downloadUrl, { method: 'GET', headers: { connection: 'close' } });
    assert.equal(download.status, 200);
    assert.deepEqual(download.body, content);
  }

  /** Three tsx workers each compile the relay on start: on a loaded machine that takes far more than 20 s. */
  async function ready(): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && relay.exitCode === null) {
      const answer = await fetch(`${origin}/health/ready`).catch(() => null);
      if (answer?.status === 200) return;
      await sleep(100);
    }
    throw new Error(`the relay did not get ready (${relay.exitCode === null ? 'still starting after 90 s' : `exited with ${relay.exitCode}`}):\n${output}`);
  }

  before(async () => {
    issuer = await createInternalTokenIssuer({ ttlSeconds: 120 });
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks())));
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    const port = await freePortForTest();
    origin = `http://127.0.0.1:${port}`;
    relay = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        RELAY_MASTER_KEY: randomBytes(32).toString('hex'),
        RELAY_URL_SECRET: randomBytes(32).toString('hex'),
        RELAY_WORKERS: '3',
        GATEWAY_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    relay.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    relay.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await ready();
  });

  after(async () => {
    if (relay.exitCode === null) {
      relay.kill('SIGKILL');
      for (const pid of childrenOf(relay.pid!)) process.kill(pid, 'SIGKILL');
    }
    jwks.close();
    const redis = await connectRedis(REDIS_URL);
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  it('exchanges packets whichever worker takes each step', async () => {
    assert.equal(childrenOf(relay.pid!).length, 3, 'a primary with three workers');
    assert.match(output, /"msg":"3 workers starting"/);
    for (let n = 0; n < 6; n += 1) await exchangeOne(n);
  });

  it('replaces a worker that dies and serves on with the new one', async () => {
    const [victim] = childrenOf(relay.pid!);
    process.kill(victim!, 'SIGKILL');
    // A connection handed to the worker in the instant it dies is lost (the client's timeout ends it): clients retry.
    for (let i = 0; i < 600 && !output.includes('worker stopped; starting another'); i += 1) await sleep(50);
    assert.match(output, /"workerPid":\d+,"code":null,"signal":"SIGKILL","msg":"worker stopped; starting another"/);
    for (let i = 0; i < 300 && childrenOf(relay.pid!).length < 3; i += 1) await sleep(100);
    assert.equal(childrenOf(relay.pid!).length, 3, 'three workers again');
    assert.ok(!childrenOf(relay.pid!).includes(victim!));
    await ready();
    for (let n = 100; n < 104; n += 1) await exchangeOne(n);
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = childrenOf(relay.pid!);
    relay.kill('SIGTERM');
    const [code] = (await once(relay, 'exit')) as [number | null];
    assert.equal(code, 0, output.slice(-2000));
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), 'worker gone');
  });

  it('refuses RELAY_WORKERS above 1 without Redis and the keys the workers must share, naming each', () => {
    assert.throws(
      () => loadRelayConfig({ RELAY_WORKERS: '2' }),
      (error: Error) => {
        assert.match(error.message, /RELAY_WORKERS.*REDIS_URL/);
        assert.match(error.message, /RELAY_MASTER_KEY/);
        assert.match(error.message, /RELAY_URL_SECRET/);
        return true;
      },
    );
    assert.throws(() => loadRelayConfig({ RELAY_WORKERS: '65' }), /RELAY_WORKERS/);
    assert.throws(() => loadRelayConfig({ RELAY_WORKERS: 'many' }), /RELAY_WORKERS/);
    assert.equal(loadRelayConfig({}).RELAY_WORKERS, 1);
  });
});
