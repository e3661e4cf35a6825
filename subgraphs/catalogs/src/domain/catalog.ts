/** The catalogs this service keeps, and what describes one published version of a catalog. */

// The catalog-changed events carry these names: one list, in @lgsp/events, for this service and its subscribers.
import { CATALOG_NAMES, type CatalogName } from '@lgsp/events/topics';
export { CATALOG_NAMES, type CatalogName };

/** One immutable, published version of a catalog. Versions are numbered 1, 2, 3… per catalog. */
export interface CatalogVersionInfo {
  catalog: CatalogName;
  version: number;
  /** ISO 8601 instant the version was published. */
  publishedAt: string;
  /** Where the data comes from (package and version, file, legal document). */
  source: string;
  /** Number of entries (for administrative units: units of both tiers). */
  itemCount: number;
  /** Optional human label, e.g. "vn-units-2026-07-25". */
  label: string | null;
}

/** What a publisher hands over; the store assigns the version number and the publication time. */
export interface NewCatalogVersion<T = unknown> {
  source: string;
  itemCount: number;
  label?: string | null | undefined;
  payload: T;
}
