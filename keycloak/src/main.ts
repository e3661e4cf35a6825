/**
 * Runs the development issuer from the environment (see config.ts): `npm start -w @lgsp/keycloak`, or via the
 * platform launcher when KEYCLOAK_URL is not set. Stops cleanly on SIGTERM/SIGINT.
 */
import { createLogger, loadConfig } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startDevIssuer } from './service.ts';

let config;
try {
  config = loadConfig('dev-issuer', configSchema);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const logger = createLogger('dev-issuer', config.LOG_LEVEL);
const running = await startDevIssuer(config, { logger });
logger.info({ issuer: running.issuer, discovery: `${running.issuer}/.well-known/openid-configuration` }, 'development issuer ready (DEVELOPMENT ONLY credentials)');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  });
}
