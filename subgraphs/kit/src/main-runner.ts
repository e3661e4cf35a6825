/**
 * The one way every service process starts and stops: configuration validated first (a ConfigError names each
 * variable and exits 1 before anything listens), then the service, then a clean close on SIGTERM/SIGINT.
 */
import { ConfigError } from './config.ts';

export interface Closable {
  close(): Promise<void>;
}

export async function runService<C, S extends Closable>(
  name: string,
  loadConfig: () => C,
  start: (config: C) => Promise<S>,
  onStarted?: (service: S) => void,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `${name}: cannot read its configuration: ${(error as Error).message}`);
    process.exit(1);
  }
  let service: S;
  try {
    service = await start(config);
  } catch (error) {
    console.error(`${name} did not start: ${(error as Error).message}`);
    process.exit(1);
  }
  onStarted?.(service);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      service.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`${name} did not stop cleanly: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
}
