/** Runs the gateway from the environment (see the table in config.ts) and stops it cleanly on SIGTERM/SIGINT. */
import { ConfigError, createLogger } from '@lgsp/kit';
import { gatewayConfigFromEnv } from './config.ts';
import { startGateway } from './server.ts';

let config;
try {
  config = gatewayConfigFromEnv(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const logger = createLogger('gateway', config.logLevel);
try {
  const gateway = await startGateway(config, { logger });
  console.log(`gateway ready at ${gateway.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping gateway');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.fatal({ err: error }, 'gateway failed to start');
  console.error(`gateway failed to start: ${(error as Error).message}`);
  process.exit(1);
}
