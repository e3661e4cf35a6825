/** Runs the national-data subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { ConfigError, createLogger, loadConfig } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startNationalData } from './service.ts';

let config;
try {
  config = loadConfig('national-data', configSchema);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const logger = createLogger('national-data', config.LOG_LEVEL);
const service = await startNationalData(config, { logger });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
