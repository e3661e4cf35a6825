/**
 * Runs the development issuer from the environment (see config.ts): `npm start -w @lgsp/keycloak`, or via the
 * platform launcher when KEYCLOAK_URL is not set. Stops cleanly on SIGTERM/SIGINT.
 */
import { createLogger, loadConfig, runService, type Logger } from '@lgsp/kit';
import { configSchema } from './config.ts';
import { startDevIssuer } from './service.ts';

let logger: Logger | undefined;
await runService(
  'dev-issuer',
  () => loadConfig('dev-issuer', configSchema),
  (config) => startDevIssuer(config, { logger: (logger = createLogger('dev-issuer', config.LOG_LEVEL)) }),
  (running) =>
    logger?.info(
      { issuer: running.issuer, discovery: `${running.issuer}/.well-known/openid-configuration` },
      'development issuer ready (DEVELOPMENT ONLY credentials)',
    ),
);
