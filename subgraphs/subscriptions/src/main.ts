/** Runs the subscriptions subgraph from the environment; stops cleanly on SIGTERM/SIGINT. */
import { runService } from '@lgsp/kit';
import { loadSubscriptionsConfig } from './config.ts';
import { startSubscriptions } from './service.ts';

await runService('subscriptions', loadSubscriptionsConfig, (config) => startSubscriptions(config));
