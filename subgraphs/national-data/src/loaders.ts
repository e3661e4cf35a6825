/**
 * DataLoaders, created per GraphQL request: every citizen or enterprise a query touches (root lists, entity
 * references from the gateway, household members, legal representatives) is collected in one tick and fetched with
 * one batch call per 100 ids. Personal data is never cached across requests: the loaders die with the request.
 */
import DataLoader from 'dataloader';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Citizen } from './domain/citizen.ts';
import type { Enterprise } from './domain/enterprise.ts';
import { POPULATION_BATCH_LIMIT, type PopulationConnector } from './connectors/population.ts';
import { ENTERPRISE_BATCH_LIMIT, type EnterpriseRegistryConnector } from './connectors/enterprise-registry.ts';

export interface Loaders {
  citizen: DataLoader<string, Citizen>;
  enterprise: DataLoader<string, Enterprise>;
}

export function createLoaders(sources: { population: PopulationConnector; enterprises: EnterpriseRegistryConnector }): Loaders {
  return {
    citizen: new DataLoader<string, Citizen>(
      (ids) =>
        fetchAll(
          ids,
          (one) => sources.population.citizen(one),
          (many) => sources.population.citizens(many),
          () => new LgspError(ErrorCode.NOT_FOUND, 'The population database has no citizen with this personal ID'),
        ),
      { maxBatchSize: POPULATION_BATCH_LIMIT },
    ),
    enterprise: new DataLoader<string, Enterprise>(
      (codes) =>
        fetchAll(
          codes,
          (one) => sources.enterprises.enterprise(one),
          (many) => sources.enterprises.enterprises(many),
          () => new LgspError(ErrorCode.NOT_FOUND, 'The business registration database has no enterprise with this code'),
        ),
      { maxBatchSize: ENTERPRISE_BATCH_LIMIT },
    ),
  };
}

/**
 * One key → the single lookup; several → the batch call. A failure of the call becomes the error of every key in
 * it (and only of those fields); a missing record becomes NOT_FOUND for its key alone.
 */
async function fetchAll<T>(
  keys: readonly string[],
  one: (key: string) => Promise<T | null>,
  many: (keys: readonly string[]) => Promise<Map<string, T | null>>,
  notFound: () => LgspError,
): Promise<Array<T | Error>> {
  try {
    if (keys.length === 1) {
      const found = await one(keys[0]!);
      return [found ?? notFound()];
    }
    const found = await many(keys);
    return keys.map((key) => found.get(key) ?? notFound());
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return keys.map(() => failure);
  }
}
