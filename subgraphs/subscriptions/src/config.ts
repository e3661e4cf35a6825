/**
 * The subscriptions service's environment, read and checked once.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 4104 | HTTP port: graphql-ws and GraphQL over HTTP at `/graphql`, `/internal/events`, health, metrics |
 * | `HOST` | 127.0.0.1 | interface to listen on |
 * | `LOG_LEVEL` | info | pino level |
 * | `NODE_ENV` | development | `production` hides internal error details from graphql-ws close reasons |
 * | `REDIS_URL` | (unset) | Redis whose streams the topics live in; unset = in-memory topics (embedded mode) |
 * | `REDIS_KEY_PREFIX` | `lgsp:` | prefix of every Redis key (`<prefix>events:<topic>`), the same as the relay's |
 * | `GATEWAY_JWKS_URL` | http://127.0.0.1:4000/.well-known/jwks.json | the gateway's keys for the internal token |
 * | `EVENTS_RETENTION` | 10000 | events kept per topic (XADD MAXLEN ~): how far back `after` can resume |
 * | `EVENTS_PUBLISH_TOKEN` | (unset) | bearer secret (≥ 32 chars) of `POST /internal/events`; unset = the endpoint is off |
 * | `SUBSCRIPTIONS_BLOCK_MS` | 5000 | longest an idle topic reader blocks in XREAD before it reads again |
 * | `SUBSCRIPTIONS_MAX_BUFFERED` | 1000 | events waiting for a slow subscriber before its subscription ends (SLOW_CONSUMER) |
 * | `SUBSCRIPTIONS_KEEPALIVE_MS` | 12000 | WebSocket ping interval; a peer that does not answer is dropped (0 = off) |
 * | `RELAY_URL` | (unset) | origin of the relay (e.g. http://127.0.0.1:4103): systems holding `packetAvailable` are reported online to its `/internal/presence` (needs EVENTS_PUBLISH_TOKEN) |
 * | `PRESENCE_REPORT_MS` | 60000 | how often held systems are reported, each report holding them for three intervals (at most 900000: the relay takes holds up to 1 h); any policy offline limit works with it |
 */
import { z } from 'zod';
import { env, loadConfig } from '@lgsp/kit';

export const configSchema = z
  .object({
    PORT: env.port(4104),
    HOST: env.host(),
    LOG_LEVEL: env.logLevel(),
    NODE_ENV: env.nodeEnv(),
    REDIS_URL: env.redisUrl().optional(),
    REDIS_KEY_PREFIX: env.redisKeyPrefix(),
    GATEWAY_JWKS_URL: env.url().default('http://127.0.0.1:4000/.well-known/jwks.json'),
    EVENTS_RETENTION: env.positiveInt(10_000),
    EVENTS_PUBLISH_TOKEN: env.secret().optional(),
    SUBSCRIPTIONS_BLOCK_MS: env.positiveInt(5_000),
    SUBSCRIPTIONS_MAX_BUFFERED: env.positiveInt(1_000),
    SUBSCRIPTIONS_KEEPALIVE_MS: env.nonNegativeInt(12_000),
    RELAY_URL: env.url().optional(),
    PRESENCE_REPORT_MS: env
      .positiveInt(60_000)
      .pipe(z.number().max(900_000, 'must be at most 900000 (15 min): a report holds for three intervals, and the relay takes at most 1 h')),
  })
  .superRefine((c, ctx) => {
    if (c.RELAY_URL !== undefined && c.EVENTS_PUBLISH_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['EVENTS_PUBLISH_TOKEN'], message: 'is required with RELAY_URL (the relay refuses presence reports without it)' });
    }
  });

export type SubscriptionsConfig = z.infer<typeof configSchema>;

export function loadSubscriptionsConfig(environment: Record<string, string | undefined> = process.env): SubscriptionsConfig {
  return loadConfig('subscriptions', configSchema, environment);
}
