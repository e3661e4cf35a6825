/** Runs the national-platform simulator from the environment (see ../CONTRACT.md for the variables). */
import { createLogger, loadConfig, runService } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startSimulator } from './service.ts';

await runService(
  'simulator',
  () => loadConfig('simulator', configSchema),
  (config) => startSimulator(config, { logger: createLogger('simulator', config.LOG_LEVEL) }),
);
