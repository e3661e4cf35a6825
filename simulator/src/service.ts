/**
 * The national-platform simulator as a service: `startSimulator(config)` generates the synthetic data of both
 * environments (production at the root, test under `/test`), listens and returns `{ url, port, close, stats, test }`.
 * Used by `npm start` (through main.ts) and by tests (port 0).
 */
import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig, type Logger } from '@lgsp/kit';
import { configSchema, type SimulatorConfig } from './config.ts';
import { DEFAULT_DATASET_OPTIONS, generateDataset, TEST_DATASET_OPTIONS, type Dataset } from './dataset.ts';
import { FaultInjector, settingsInputSchema, type FaultSettings, type SimulatorStats } from './faults.ts';
import { TokenStore } from './tokens.ts';
import { createHandler, TEST_ENVIRONMENT_PATH, type EnvironmentDeps } from './app.ts';
import { WELL_KNOWN } from './well-known.ts';
import { AgencySystems, type AgencySystemState } from './agency-systems.ts';
import { createDirectory } from './vdxp/identities.ts';
import { createVdxpProvider, VDXP_PATH } from './vdxp/provider.ts';

export { configSchema, type SimulatorConfig } from './config.ts';
export { TEST_ENVIRONMENT_PATH } from './app.ts';
export { AgencySystems, AGENCY_SYSTEM_STATES, type AgencySystemState } from './agency-systems.ts';

/** One environment of the running simulator: its base URL, records and controls. */
export interface SimulatorEnvironment {
  /** Base URL of this environment (no trailing slash): the production one is the root, the test one `<root>/test`. */
  url: string;
  /** The generated records (read-only use: tests pick ids from it). */
  dataset: Dataset;
  /** Request counters, as GET <url>/_sim/stats returns them. */
  stats(): SimulatorStats;
  /** Replaces the fault settings, as PUT <url>/_sim/settings does. */
  configure(settings: Partial<FaultSettings>): void;
  /** Clears counters and restores the start-up settings, as POST <url>/_sim/reset does. */
  reset(): void;
  /** Invalidates every access token this environment issued, as POST <url>/_sim/revoke-tokens does. */
  revokeTokens(): void;
}

/** The running simulator: the production environment's members at the top level, the test environment in `test`. */
export interface RunningSimulator {
  /** Base URL of the production environment, e.g. http://127.0.0.1:4200 (no trailing slash). */
  url: string;
  port: number;
  /** The production records (read-only use: tests pick ids from it). */
  dataset: Dataset;
  /** Request counters, as GET /_sim/stats returns them. */
  stats(): SimulatorStats;
  /** Replaces the fault settings, as PUT /_sim/settings does. */
  configure(settings: Partial<FaultSettings>): void;
  /** Clears counters and restores the start-up settings, as POST /_sim/reset does. */
  reset(): void;
  /** Invalidates every issued access token, as POST /_sim/revoke-tokens does. */
  revokeTokens(): void;
  /** The test environment (the national platform's separate test endpoint): `<url>/test`, its own records and keys. */
  test: SimulatorEnvironment;
  /** Sets a fake agency system's health (agency-systems.ts), as PUT /_sim/agency-systems/<id> does. */
  setAgencySystem(systemId: string, state: AgencySystemState): void;
  /** The level-1 (`live`) and level-2 (`ready`) health endpoint URLs of a fake agency system. */
  agencySystemEndpoints(systemId: string): { live: string; ready: string };
  /** The national e-ID simulator (VNeID/VDXP): its issuer identifier, e.g. http://localhost:4200/vdxp. */
  vdxp: { issuer: string };
  close(): Promise<void>;
}

export interface SimulatorDeps {
  logger?: Logger;
  /** A dataset to reuse (tests starting several simulators); generated from the config otherwise. */
  dataset?: Dataset;
  /** A test dataset to reuse; generated from the config (avoiding every production id) otherwise. */
  testDataset?: Dataset;
}

/**
 * The test environment's records: another seed, and none of the production ids nor the documented "not found" ones,
 * so that a record found in one environment is never found in the other.
 */
export function generateTestDataset(production: Dataset, options: { seed?: number; citizens?: number; enterprises?: number } = {}): Dataset {
  return generateDataset({
    ...TEST_DATASET_OPTIONS,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.citizens === undefined ? {} : { citizens: options.citizens }),
    ...(options.enterprises === undefined ? {} : { enterprises: options.enterprises }),
    avoid: {
      citizenIds: [...production.citizenIds, WELL_KNOWN.citizens.notFound],
      enterpriseCodes: [...production.enterpriseCodes, WELL_KNOWN.enterprises.notFound],
    },
  });
}

/** Accepts any subset of the configuration; the rest takes the documented defaults. */
export async function startSimulator(config: Partial<SimulatorConfig> = {}, deps: SimulatorDeps = {}): Promise<RunningSimulator> {
  const resolved: SimulatorConfig = { ...loadConfig('simulator', configSchema, {}), ...config };
  const logger = deps.logger ?? createLogger('simulator', resolved.LOG_LEVEL);
  const dataset =
    deps.dataset ??
    generateDataset({
      ...DEFAULT_DATASET_OPTIONS,
      seed: resolved.SIMULATOR_SEED,
      citizens: resolved.SIMULATOR_CITIZENS,
      enterprises: resolved.SIMULATOR_ENTERPRISES,
    });
  const testDataset =
    deps.testDataset ??
    generateTestDataset(dataset, {
      seed: resolved.SIMULATOR_TEST_SEED,
      citizens: resolved.SIMULATOR_TEST_CITIZENS,
      enterprises: resolved.SIMULATOR_TEST_ENTERPRISES,
    });
  const faultSettings = () =>
    settingsInputSchema.parse({
      latencyMs: resolved.SIMULATOR_LATENCY_MS,
      failureRate: resolved.SIMULATOR_FAILURE_RATE,
      hangRate: resolved.SIMULATOR_HANG_RATE,
    });
  const ttl = resolved.SIMULATOR_TOKEN_TTL_SECONDS;
  const production: EnvironmentDeps = {
    dataset,
    faults: new FaultInjector(faultSettings()),
    tokens: new TokenStore(resolved.SIMULATOR_CONSUMER_KEY, resolved.SIMULATOR_CONSUMER_SECRET, ttl),
  };
  const test: EnvironmentDeps = {
    dataset: testDataset,
    faults: new FaultInjector(faultSettings()),
    tokens: new TokenStore(resolved.SIMULATOR_TEST_CONSUMER_KEY, resolved.SIMULATOR_TEST_CONSUMER_SECRET, ttl),
  };
  const hanging = new Set<ServerResponse>();
  const agencySystems = new AgencySystems();
  const appDeps: Parameters<typeof createHandler>[0] = { production, test, logger, hanging, agencySystems };
  const server = createServer({ keepAliveTimeout: 65_000 }, createHandler(appDeps));
  server.listen(resolved.PORT, resolved.HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${resolved.HOST}:${port}`;
  // VDXP's issuer is a public URL: localhost when listening on a loopback or every interface, as browsers reach it.
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(resolved.HOST);
  const vdxp = await createVdxpProvider({
    issuer: resolved.VDXP_ISSUER_URL ?? `http://${local ? 'localhost' : resolved.HOST}:${port}${VDXP_PATH}`,
    directory: createDirectory(dataset, resolved.VDXP_SUBJECT_KEY),
    clients: [
      {
        clientId: resolved.VDXP_CLIENT_ID,
        clientSecret: resolved.VDXP_CLIENT_SECRET,
        redirectUris: resolved.VDXP_REDIRECT_URIS,
        name: 'Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)',
      },
    ],
    citizenPassword: resolved.VDXP_CITIZEN_PASSWORD,
    logger,
  });
  appDeps.vdxp = vdxp;
  logger.info(
    {
      url,
      citizens: dataset.citizens.size,
      enterprises: dataset.enterprises.size,
      testUrl: url + TEST_ENVIRONMENT_PATH,
      testCitizens: testDataset.citizens.size,
      testEnterprises: testDataset.enterprises.size,
      vdxpIssuer: vdxp.issuer,
    },
    'national-platform simulator listening',
  );
  const environment = (parts: EnvironmentDeps, base: string): SimulatorEnvironment => ({
    url: base,
    dataset: parts.dataset,
    stats: () => parts.faults.stats(),
    configure: (settings) => parts.faults.replace(settingsInputSchema.parse(settings)),
    reset: () => parts.faults.reset(),
    revokeTokens: () => void parts.tokens.revokeAll(),
  });

  return {
    ...environment(production, url),
    port,
    test: environment(test, url + TEST_ENVIRONMENT_PATH),
    setAgencySystem: (systemId, state) => agencySystems.set(systemId, state),
    agencySystemEndpoints: (systemId) => AgencySystems.endpoints(url, systemId),
    vdxp: { issuer: vdxp.issuer },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
