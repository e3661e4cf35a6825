/**
 * The port through which a published catalog version is announced to the platform (the subscriptions subgraph
 * serves it as `catalogChanged`). The domain knows only this interface; the adapter that writes the
 * `catalog-changed` topic is chosen at wiring (store/catalog-change-events.ts).
 */
import type { CatalogVersionInfo } from './catalog.ts';

export interface CatalogEvents {
  /**
   * Announces that `version` was published and made current; answers the event's id, or null when this
   * implementation announces nowhere. Called after the version is stored, never before.
   */
  versionPublished(version: CatalogVersionInfo): Promise<string | null>;
}

/**
 * Announces nothing: for wiring where no version is ever announced (the service only seeds empty catalogs, which
 * no one can have read before) or where nothing is stored (the import command without REDIS_URL, tests).
 */
export const noCatalogEvents: CatalogEvents = {
  versionPublished: async () => null,
};
