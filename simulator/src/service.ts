/**
 * The national-platform simulator as a service: `startSimulator(config)` generates the synthetic data, listens and
 * returns `{ url, port, close, stats }`. Used by `npm start` (through main.ts) and by tests (port 0).
 */
import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger, loadConfig, type Logger } from '@lgsp/kit';
import { configSchema, type SimulatorConfig } from './config.ts';
import { DEFAULT_DATASET_OPTIONS, generateDataset, type Dataset } from './dataset.ts';
import { FaultInjector, settingsInputSchema, type FaultSettings, type SimulatorStats } from './faults.ts';
import { TokenStore } from './tokens.ts';
import { createHandler } from './app.ts';

export { configSchema, type SimulatorConfig } from './config.ts';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:4200 (no trailing slash). */
  url: string;
  port: number;
  /** The generated records (read-only use: tests pick ids from it). */
  dataset: Dataset;
  /** Request counters, as GET /_sim/stats returns them. */
  stats(): SimulatorStats;
  /** Replaces the fault settings, as PUT /_sim/settings does. */
  configure(settings: Partial<FaultSettings>): void;
  /** Clears counters and restores the start-up settings, as POST /_sim/reset does. */
  reset(): void;
  /** Invalidates every issued access token, as POST /_sim/revoke-tokens does. */
  revokeTokens(): void;
  close(): Promise<void>;
}

export interface SimulatorDeps {
  logger?: Logger;
  /** A dataset to reuse (tests starting several simulators); generated from the config otherwise. */
  dataset?: Dataset;
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
  const faults = new FaultInjector(
    settingsInputSchema.parse({
      latencyMs: resolved.SIMULATOR_LATENCY_MS,
      failureRate: resolved.SIMULATOR_FAILURE_RATE,
      hangRate: resolved.SIMULATOR_HANG_RATE,
    }),
  );
  const tokens = new TokenStore(resolved.SIMULATOR_CONSUMER_KEY, resolved.SIMULATOR_CONSUMER_SECRET, resolved.SIMULATOR_TOKEN_TTL_SECONDS);
  const hanging = new Set<ServerResponse>();
  const server = createServer({ keepAliveTimeout: 65_000 }, createHandler({ dataset, faults, tokens, logger, hanging }));
  server.listen(resolved.PORT, resolved.HOST);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${resolved.HOST}:${port}`;
  logger.info({ url, citizens: dataset.citizens.size, enterprises: dataset.enterprises.size }, 'national-platform simulator listening');

  return {
    url,
    port,
    dataset,
    stats: () => faults.stats(),
    configure: (settings) => faults.replace(settingsInputSchema.parse(settings)),
    reset: () => faults.reset(),
    revokeTokens: () => void tokens.revokeAll(),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
