/** Small helpers for tests of any service (never used by production code). */
import { createServer } from 'node:net';
import { once } from 'node:events';

/** A loopback port that was free a moment ago (nothing listens on it). */
export async function freePortForTest(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
