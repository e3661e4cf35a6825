/**
 * Child process for part (b): the development identity provider (Keycloak's stand-in, `startDevIssuer`), the
 * national-platform simulator, the catalogs subgraph and the national-data subgraph, each started through its own
 * `start*` function on the in-memory stores (as `npm start` without REDIS_URL), plus a loopback control server for
 * the harness:
 *   GET /counters → {"simulator": n, "catalogs": n, "national-data": n}   requests served so far
 *
 * The subgraphs verify the gateway's internal token against the public half of BENCH_SIGNING_KEY_FILE, the key
 * both gateways sign with in this run.
 */
import { createInternalTokenVerifier, createMetricsRegistry, loadConfig, type Registry } from '@lgsp/kit';
import type { JWK } from 'jose';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { announceReady, closeOnSignal } from '../lib/child.ts';
import { PLATFORM_MODULES } from './platform.ts';

interface Running {
  url: string;
  close(): Promise<void>;
}
interface ServiceModule {
  configSchema: z.ZodObject;
}

const host = '127.0.0.1';
const keyFile = process.env.BENCH_SIGNING_KEY_FILE;
if (keyFile === undefined) throw new Error('BENCH_SIGNING_KEY_FILE: the private JWK both gateways sign with is required');
const { d: _private, ...publicJwk } = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
const { createHash } = await import('node:crypto');
// Same key id as the kit's issuer derives, so the verifier picks the key by `kid`.
const kid = createHash('sha256')
  .update(JSON.stringify([publicJwk.x, publicJwk.y]))
  .digest('base64url')
  .slice(0, 16);
const verifier = createInternalTokenVerifier({ jwks: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] } });

const serviceEnv = (extra: Record<string, string>) => ({ PORT: '0', HOST: host, LOG_LEVEL: 'silent', ...extra });
const operationsServed = async (registry: Registry): Promise<number> => {
  const metric = registry.getSingleMetric('lgsp_subgraph_operations_total');
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.reduce((total, v) => total + v.value, 0);
};

const started: Running[] = [];
closeOnSignal(async () => {
  for (const service of started.reverse()) await service.close();
});

// 0. The development issuer: our gateway verifies the caller's access token against its JWKS (KEYCLOAK_URL).
const devIssuerModule = (await import(PLATFORM_MODULES.devIssuer.href)) as ServiceModule & {
  startDevIssuer(config: unknown): Promise<Running & { issuer: string }>;
};
const devIssuer = await devIssuerModule.startDevIssuer(
  loadConfig('dev-issuer', devIssuerModule.configSchema, { DEV_ISSUER_PORT: '0', HOST: host, LOG_LEVEL: 'silent' }),
);
started.push(devIssuer);

// 1. The simulator (the national platform's stand-in).
const simulatorModule = (await import(PLATFORM_MODULES.simulator.href)) as {
  startSimulator(config: Record<string, unknown>): Promise<Running & { dataset: { citizenIds: string[] }; stats(): { totalRequests: number } }>;
};
const simulator = await simulatorModule.startSimulator({ PORT: 0, HOST: host, LOG_LEVEL: 'silent' });
started.push(simulator);

// 2. catalogs.
const catalogsModule = (await import(PLATFORM_MODULES.catalogs.href)) as ServiceModule & {
  startCatalogs(config: unknown, deps: { verifier: typeof verifier; metrics: Registry }): Promise<Running>;
};
const catalogsMetrics = createMetricsRegistry('catalogs');
const catalogs = await catalogsModule.startCatalogs(loadConfig('catalogs', catalogsModule.configSchema, serviceEnv({})), {
  verifier,
  metrics: catalogsMetrics,
});
started.push(catalogs);

// 3. national-data, pointed at the simulator through whichever of its variables names the national platform's URL
// (its test environment, `/test`, for the test one).
const nationalDataModule = (await import(PLATFORM_MODULES.nationalData.href)) as ServiceModule & {
  startNationalData(config: unknown, deps: { verifier: typeof verifier; metrics: Registry }): Promise<Running>;
};
const upstreamVariables = Object.keys(nationalDataModule.configSchema.shape).filter((k) => /(SIMULATOR|NATIONAL|NDXP|UPSTREAM|PLATFORM).*_URL$/.test(k));
if (upstreamVariables.length === 0) throw new Error('national-data configSchema has no variable for the national platform URL');
const nationalDataMetrics = createMetricsRegistry('national-data');
const nationalData = await nationalDataModule.startNationalData(
  loadConfig(
    'national-data',
    nationalDataModule.configSchema,
    serviceEnv(Object.fromEntries(upstreamVariables.map((k) => [k, k.includes('_TEST_') ? `${simulator.url}/test` : simulator.url]))),
  ),
  { verifier, metrics: nationalDataMetrics },
);
started.push(nationalData);

// 100 citizens spread over the whole dataset (so their wards and ethnic groups vary).
const ids = simulator.dataset.citizenIds;
const stride = Math.floor(ids.length / 100);
const personalIds = Array.from({ length: 100 }, (_, i) => ids[i * stride]!);

const control = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/counters') {
    void Promise.all([operationsServed(catalogsMetrics), operationsServed(nationalDataMetrics)]).then(([c, n]) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ simulator: simulator.stats().totalRequests, catalogs: c, 'national-data': n }));
    });
  } else {
    res.writeHead(404).end();
  }
});
control.listen(0, host);
await once(control, 'listening');
started.unshift({ url: '', close: async () => void control.close() });

announceReady({
  urls: { simulator: simulator.url, catalogs: catalogs.url, nationalData: nationalData.url },
  issuer: devIssuer.issuer,
  controlUrl: `http://${host}:${(control.address() as AddressInfo).port}`,
  personalIds,
});
