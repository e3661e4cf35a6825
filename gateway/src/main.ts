/** Runs the gateway from the environment (see the table in config.ts) and stops it cleanly on SIGTERM/SIGINT. */
import { createLogger, runService } from '@lgsp/kit';
import { gatewayConfigFromEnv } from './config.ts';
import { startGateway } from './server.ts';

await runService(
  'gateway',
  () => gatewayConfigFromEnv(process.env),
  (config) => startGateway(config, { logger: createLogger('gateway', config.logLevel) }),
  (gateway) => console.log(`gateway ready at ${gateway.url}`),
);
