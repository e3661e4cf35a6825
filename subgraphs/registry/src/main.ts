/** Runs the registry subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { runService } from '@lgsp/kit';
import { loadRegistryConfig } from './config.ts';
import { startRegistry } from './service.ts';

await runService('registry', loadRegistryConfig, (config) => startRegistry(config));
