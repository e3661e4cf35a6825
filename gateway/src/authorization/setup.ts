/**
 * Builds the gateway's authorization: grant store (Redis; else the registry's over HTTP; else memory), seeding,
 * policy decider, pipeline step.
 */
import type { Logger, RedisClient } from '@lgsp/kit';
import type { LoadedSupergraph } from '../federation/supergraph.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import { authorizationStage } from './authorizing-gateway.ts';
import type { AuthorizationConfig } from './config.ts';
import {
  createHttpGrantStore,
  createMemoryGrantStore,
  createRedisGrantStore,
  readGrantsFile,
  seedGrants,
  type AccessClientOptions,
  type FieldSet,
  type GrantStore,
} from '@lgsp/access';
import { PolicyDecider } from './policies.ts';

export interface Authorization {
  grants: GrantStore;
  decider: PolicyDecider;
  /** The request pipeline's authorization step (in front of planning, for every operation on either transport). */
  step: PipelineStep;
  close(): Promise<void>;
}

export async function startAuthorization(
  config: AuthorizationConfig,
  deps: {
    redis: RedisClient | undefined;
    /**
     * Without Redis: the registry that holds the grants (REGISTRY_INTERNAL_URL, REGISTRY_INTERNAL_TOKEN), read through
     * its access API; the gateway seeds it from GRANTS_FILE when it holds none, as it seeds Redis.
     */
    registry?: AccessClientOptions | undefined;
    /** A store made by the caller (tests): neither seeded nor closed here. */
    grants?: GrantStore | undefined;
    logger: Logger;
    supergraph: () => LoadedSupergraph;
  },
): Promise<Authorization> {
  const file = config.grantsFile === undefined ? undefined : await readGrantsFile(config.grantsFile);
  const ownsStore = deps.grants === undefined;
  const grants =
    deps.grants ??
    (deps.redis !== undefined
      ? createRedisGrantStore(deps.redis, {
          keyPrefix: config.redisKeyPrefix,
          onUnreadable: (id, error) =>
            deps.logger.error(
              { event: 'grant.unreadable', grantId: id, reason: error.message },
              'a stored grant does not read as a grant: it grants nothing until it is put again or revoked',
            ),
        })
      : deps.registry !== undefined
        ? createHttpGrantStore(deps.registry)
        : createMemoryGrantStore());
  const fieldSets: FieldSet[] = file?.fieldSets ?? [];
  if (file !== undefined && ownsStore) {
    const seeded = await seedGrants(grants, file);
    if (seeded > 0) deps.logger.info({ file: config.grantsFile, grants: seeded }, 'grant store was empty: seeded from GRANTS_FILE');
  }
  if (file === undefined) deps.logger.warn('GRANTS_FILE unset: no field set declarations, every @policy is treated as personal data');
  const decider = new PolicyDecider(grants, { fieldSets, cacheTtlMs: config.grantsCacheTtlMs, logger: deps.logger });
  await decider.start();
  return {
    grants,
    decider,
    step: { name: 'authorization', executorStage: authorizationStage({ mode: config.mode, supergraph: deps.supergraph, decider }) },
    async close() {
      await decider.close();
      if (ownsStore) await grants.close();
    },
  };
}
