/** Runs the monitoring subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { runService } from '@lgsp/kit';
import { loadMonitoringConfig } from './config.ts';
import { startMonitoring } from './service.ts';

await runService('monitoring', loadMonitoringConfig, (config) => startMonitoring(config));
