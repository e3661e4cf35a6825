/** Runs the relay subgraph from the environment, in RELAY_WORKERS processes; stops cleanly on SIGTERM/SIGINT. */
import { runServiceWorkers } from '@lgsp/kit';
import { loadRelayConfig } from './config.ts';
import { startRelay } from './service.ts';

await runServiceWorkers(
  'relay',
  loadRelayConfig,
  (config) => config.RELAY_WORKERS,
  (config) => startRelay(config),
);
