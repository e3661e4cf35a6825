/** One way to connect to Redis, with an error that tells the operator what to do when it is not there. */
import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { redactUrl } from './redact-url.ts';

export type RedisClient = RedisClientType;

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * Connects and pings once. Fails fast (within `connectTimeoutMs`) with a message naming REDIS_URL instead of
 * retrying forever at start-up; once connected, the client reconnects on its own with backoff.
 */
export async function connectRedis(url: string, options: { connectTimeoutMs?: number; name?: string } = {}): Promise<RedisClient> {
  const timeout = options.connectTimeoutMs ?? 3_000;
  let connected = false;
  const client = createClient({
    url,
    name: options.name,
    socket: {
      connectTimeout: timeout,
      reconnectStrategy: (retries) => (connected ? Math.min(50 * 2 ** retries, 2_000) : false),
    },
  }) as RedisClient;
  client.on('error', () => {
    /* reported through the failing commands and health checks; an unhandled 'error' would crash the process */
  });
  try {
    await client.connect();
    await client.ping();
    connected = true;
    return client;
  } catch (error) {
    // disconnect() throws synchronously on a client that never connected; the REDIS_URL message matters more.
    try {
      await client.disconnect();
    } catch {
      /* nothing to close */
    }
    throw new RedisUnavailableError(
      `REDIS_URL=${redactUrl(url)}: cannot reach Redis (${(error as Error).message}). ` +
        'Start one (Debian: apt-get install redis-server && redis-server --daemonize yes) or unset REDIS_URL for in-memory stores.',
    );
  }
}

export { redactUrl } from './redact-url.ts';

/**
 * A Lua script run by its SHA-1 (EVALSHA), loaded again when Redis does not know it (NOSCRIPT: a restart, a
 * failover, SCRIPT FLUSH): the script's text crosses the wire once per server, not once per call.
 */
export function redisScript(source: string): { run(redis: RedisClient, keys: string[], args: Array<string | Buffer>): Promise<unknown> } {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalSha(sha, { keys, arguments: args });
      } catch (error) {
        if (!/NOSCRIPT/.test((error as Error).message)) throw error;
        return redis.eval(source, { keys, arguments: args });
      }
    },
  };
}
