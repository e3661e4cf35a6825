/** Runs the national-data subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { createLogger, loadConfig, runService } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startNationalData } from './service.ts';

await runService(
  'national-data',
  () => loadConfig('national-data', configSchema),
  (config) => startNationalData(config, { logger: createLogger('national-data', config.LOG_LEVEL) }),
);
