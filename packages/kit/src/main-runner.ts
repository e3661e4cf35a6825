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
  const config = loadOrExit(name, loadConfig);
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

/** The configuration, or exit 1 with its message (a ConfigError names each variable). */
function loadOrExit<C>(name: string, loadConfig: () => C): C {
  try {
    return loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `${name}: cannot read its configuration: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** A worker that dies within this long of its start counts as failing to start. */
const EARLY_EXIT_MS = 10_000;
/** Early exits in a row after which the primary gives up (a configuration or code error, not bad luck). */
const EARLY_EXITS_ALLOWED = 5;

/**
 * Runs the service in `workers` processes that share its port (node:cluster: the primary accepts connections and
 * hands them to the workers in turn), for a stateless service whose state lives in Redis to use several cores.
 * With 1, or inside a worker, it is `runService` itself. The primary restarts a worker that dies, gives up (exit 1)
 * after five that die right after starting, and on SIGTERM/SIGINT stops every worker cleanly before exiting.
 */
export async function runServiceWorkers<C, S extends Closable>(
  name: string,
  loadConfig: () => C,
  workersOf: (config: C) => number,
  start: (config: C) => Promise<S>,
): Promise<void> {
  const cluster = (await import('node:cluster')).default;
  if (cluster.isWorker) return runService(name, loadConfig, start);
  const config = loadOrExit(name, loadConfig);
  const workers = workersOf(config);
  if (workers <= 1) return runService(name, () => config, start);

  let stopping = false;
  let earlyExits = 0;
  const note = (message: string, fields: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ level: 'info', time: new Date().toISOString(), service: name, role: 'primary', pid: process.pid, ...fields, msg: message }));
  const fork = () => {
    const startedAt = Date.now();
    const worker = cluster.fork();
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      earlyExits = Date.now() - startedAt < EARLY_EXIT_MS ? earlyExits + 1 : 0;
      if (earlyExits >= EARLY_EXITS_ALLOWED) {
        console.error(
          `${name}: ${EARLY_EXITS_ALLOWED} workers in a row stopped right after starting (last: code ${String(code)}, signal ${String(signal)}); giving up`,
        );
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
        process.exitCode = 1;
        return;
      }
      note('worker stopped; starting another', { workerPid: worker.process.pid, code, signal });
      setTimeout(fork, Math.min(200 * 2 ** earlyExits, 5_000)).unref();
    });
  };
  for (let i = 0; i < workers; i += 1) fork();
  note(`${workers} workers starting`, { workers });
  cluster.on('exit', () => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  }
}
