/**
 * Child process: the four benchmark subgraphs plus a small control server (loopback) through which the harness
 * reads and resets the per-subgraph request counters.
 *   GET  /counters → {"accounts": n, ...}
 *   POST /reset    → 204
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { announceReady, closeOnSignal } from '../lib/child.ts';
import { startBenchSubgraphs } from './subgraphs.ts';

const host = '127.0.0.1';
const subgraphs = await startBenchSubgraphs(host);
const control = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/counters') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(subgraphs.counters));
  } else if (req.method === 'POST' && req.url === '/reset') {
    subgraphs.resetCounters();
    res.writeHead(204).end();
  } else {
    res.writeHead(404).end();
  }
});
control.listen(0, host);
await once(control, 'listening');

closeOnSignal(async () => {
  control.closeAllConnections();
  control.close();
  await subgraphs.close();
});
announceReady({ urls: subgraphs.urls, controlUrl: `http://${host}:${(control.address() as AddressInfo).port}` });
