/**
 * The gateway's side of `npm run grants` (the command itself is `runGrantsCommand` of @lgsp/access): where the grants
 * are, read from the environment exactly as the gateway reads it, and what a grant may name — the services and
 * `@policy` names of the supergraph the gateway serves.
 */
import { UsageError, type GrantsAdminConfig, type GrantsCommandDeps, type SupergraphFieldSets } from '@lgsp/access';
import { ConfigError, createLogger } from '@lgsp/kit';
import { gatewayConfigFromEnv } from '../../config.ts';
import { SupergraphFile } from '../../federation/supergraph-file.ts';
import { compileAuthorization } from '../metadata.ts';

/**
 * REDIS_URL, REDIS_KEY_PREFIX and SUPERGRAPH_FILE through the gateway's own configuration (same defaults, same
 * messages naming the variable); the gateway's other variables are not this tool's business and are not read.
 */
export function grantsAdminConfigFromEnv(env: Record<string, string | undefined>): GrantsAdminConfig {
  let config;
  try {
    config = gatewayConfigFromEnv({ REDIS_URL: env.REDIS_URL, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX, SUPERGRAPH_FILE: env.SUPERGRAPH_FILE });
  } catch (error) {
    // The gateway's messages: they name each variable and mask secrets and passwords in URLs already.
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  if (config.redisUrl === undefined) {
    throw new UsageError(
      'REDIS_URL is not set. This tool changes the grants in the Redis the gateway replicas share: set REDIS_URL ' +
        '(and REDIS_KEY_PREFIX, if not lgsp:) to the values the gateways run with.\n' +
        'A gateway without REDIS_URL (the embedded platform of npm start) keeps its grants in its own memory, which no ' +
        'other process can reach: edit its GRANTS_FILE and restart it instead.',
    );
  }
  return { redisUrl: config.redisUrl, redisKeyPrefix: config.authorization.redisKeyPrefix, supergraphFile: config.supergraphFile };
}

/** Reads the supergraph as the gateway does (errors name SUPERGRAPH_FILE) and collects its services and field sets. */
export async function readSupergraphFieldSets(file: string): Promise<SupergraphFieldSets> {
  const supergraph = await new SupergraphFile(file, { watch: false, logger: createLogger('grants', 'silent') }).read();
  return {
    file,
    services: supergraph.subgraphs.map((s) => s.name),
    fieldSets: compileAuthorization(supergraph.document).policies,
  };
}

/** What `runGrantsCommand` needs, the gateway's way (a test may give its own `openStore`). */
export function gatewayGrantsCommandDeps(openStore?: GrantsCommandDeps['openStore']): GrantsCommandDeps {
  return {
    config: grantsAdminConfigFromEnv,
    readFieldSets: (config) => readSupergraphFieldSets(config.supergraphFile),
    ...(openStore === undefined ? {} : { openStore }),
  };
}
