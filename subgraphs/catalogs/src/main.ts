/** Runs the catalogs subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { runService } from '@lgsp/kit';
import { loadCatalogsConfig } from './config.ts';
import { startCatalogs } from './service.ts';

await runService('catalogs', loadCatalogsConfig, (config) => startCatalogs(config));
