/** Runs the national-platform simulator from the environment (see ../CONTRACT.md for the variables). */
import { ConfigError, createLogger, loadConfig } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startSimulator } from './service.ts';

let config;
try {
  config = loadConfig('simulator', configSchema);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const logger = createLogger('simulator', config.LOG_LEVEL);
const simulator = await startSimulator(config, { logger });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
