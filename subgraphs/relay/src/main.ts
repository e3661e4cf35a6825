/** Runs the relay subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { runService } from '@lgsp/kit';
import { loadRelayConfig } from './config.ts';
import { startRelay } from './service.ts';

await runService('relay', loadRelayConfig, (config) => startRelay(config));
