/**
 * The gateway's side of `npm run grants` (the command itself is `runGrantsCommand` of @lgsp/access): where the grants
 * are, read from the environment exactly as the gateway reads it, and what a grant may name — the services and
 * `@policy` names of the supergraph the gateway serves.
 */
import { UsageError, type GrantsAdminConfig, type GrantsCommandDeps, type SupergraphFieldSets } from '@lgsp/access';
import { ConfigError, createLogger, redactUrl } from '@lgsp/kit';
import { gatewayConfigFromEnv } from '../../config.ts';
import { SupergraphFile } from '../../federation/supergraph-file.ts';
import { compileAuthorization } from '../metadata.ts';

/**
 * REDIS_URL, REDIS_KEY_PREFIX and SUPERGRAPH_FILE through the gateway's own configuration (same defaults, same
 * messages naming the variable); without REDIS_URL, REGISTRY_INTERNAL_URL and REGISTRY_INTERNAL_TOKEN (the registry
 * holding the grants, as `npm start` runs it). The gateway's other variables are not this tool's business.
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
  const base = { redisKeyPrefix: config.authorization.redisKeyPrefix, supergraphFile: config.supergraphFile };
  if (config.redisUrl !== undefined) return { ...base, redisUrl: config.redisUrl };
  const registry = registryFromEnv(env);
  if (registry !== undefined) return { ...base, registry };
  throw new UsageError(
    'REDIS_URL is not set. This tool changes the grants in the Redis the gateway replicas share: set REDIS_URL ' +
      '(and REDIS_KEY_PREFIX, if not lgsp:) to the values the gateways run with.\n' +
      'A platform without Redis (the embedded platform of npm start) keeps its grants in the registry process: set ' +
      'REGISTRY_INTERNAL_URL and REGISTRY_INTERNAL_TOKEN to the values its gateway runs with instead.',
  );
}

/** REGISTRY_INTERNAL_URL and REGISTRY_INTERNAL_TOKEN, both or neither; a bad value is a UsageError naming the variable. */
function registryFromEnv(env: Record<string, string | undefined>): { baseUrl: string; token: string } | undefined {
  const baseUrl = env.REGISTRY_INTERNAL_URL?.trim() || undefined;
  const token = env.REGISTRY_INTERNAL_TOKEN?.trim() || undefined;
  if (baseUrl === undefined && token === undefined) return undefined;
  if (baseUrl === undefined) throw new UsageError('REGISTRY_INTERNAL_TOKEN is set but REGISTRY_INTERNAL_URL is not: set both, or neither');
  if (token === undefined) throw new UsageError('REGISTRY_INTERNAL_URL is set but REGISTRY_INTERNAL_TOKEN is not: set both, or neither');
  if (!/^https?:\/\/[^/\s]+/.test(baseUrl) || !URL.canParse(baseUrl)) {
    throw new UsageError(`REGISTRY_INTERNAL_URL: must be an http:// or https:// URL (the registry's origin), got ${redactUrl(baseUrl)}`);
  }
  return { baseUrl, token };
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
