/** Runs the catalogs subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { ConfigError } from '@lgsp/kit';
import { loadCatalogsConfig } from './config.ts';
import { startCatalogs } from './service.ts';

let running;
try {
  running = await startCatalogs(loadCatalogsConfig());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `catalogs did not start: ${(error as Error).message}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    running
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(`catalogs did not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      });
  });
}
