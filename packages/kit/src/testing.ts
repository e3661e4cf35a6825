/** Small helpers for tests of any service (never used by production code). */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';

/**
 * Where test ports are drawn from: below the kernel's range of ephemeral ports (`ip_local_port_range`, 32768 on
 * Linux). A port taken with `listen(0)` and released comes from that range, and any outgoing connection of the
 * machine (a test's HTTP client, Redis) may take it before the service started on it binds it: EADDRINUSE, seen in
 * CI. Below the range only an explicit bind can take it.
 */
const TEST_PORTS_FROM = 20_000;
const handedOut = new Set<number>();

function ephemeralPortsStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 0 ? start : 32_768;
  } catch {
    return 32_768; // not Linux: the usual start
  }
}

async function bindable(port: number): Promise<number | null> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening'); // rejects on 'error' (EADDRINUSE)
  } catch {
    return null;
  }
  const address = server.address();
  server.close();
  return address === null || typeof address === 'string' ? null : address.port;
}

/**
 * A loopback port that was free a moment ago (nothing listens on it), for a service a test starts on it: below the
 * ephemeral range when there is room there, and never the same one twice in this process.
 */
export async function freePortForTest(): Promise<number> {
  const below = ephemeralPortsStart();
  if (below - TEST_PORTS_FROM >= 1_000) {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const candidate = TEST_PORTS_FROM + Math.floor(Math.random() * (below - TEST_PORTS_FROM));
      if (handedOut.has(candidate)) continue;
      if ((await bindable(candidate)) !== null) {
        handedOut.add(candidate);
        return candidate;
      }
    }
  }
  // No room below the range (or every try taken): a port the kernel picks.
  const port = await bindable(0);
  if (port === null) throw new Error('no free loopback port');
  handedOut.add(port);
  return port;
}

/**
 * The Redis key prefix of one test's data: `lgsp-test:<run>:<random>:`. `npm test` names the run (LGSP_TEST_RUN) and
 * afterwards fails if any key of its run is left, so copies of the suite can share one Redis database: each test
 * writes and deletes only under its own prefix (never a fixed key name, never a scan of the whole database).
 */
export function testKeyPrefix(): string {
  return `${testRunKeyPrefix()}${randomUUID()}:`;
}

/** The prefix every key of this test run starts with (`lgsp-test:adhoc:` outside `npm test`). */
export function testRunKeyPrefix(run = process.env.LGSP_TEST_RUN): string {
  return `lgsp-test:${run && /^[A-Za-z0-9_-]+$/.test(run) ? run : 'adhoc'}:`;
}
