/**
 * Redis key names of the catalogs service, and only here: `<prefix>catalogs:{<catalog>}:<what>`, with prefix
 * `lgsp:` in deployment. The hash tag keeps one catalog's keys in one Redis Cluster slot, so a version and the
 * current pointer change together.
 */
import type { CatalogName } from '../domain/catalog.ts';

export interface CatalogKeys {
  /** String: highest version number handed out. */
  sequence: string;
  /** Hash: version number → JSON metadata. */
  versions: string;
  /** Hash: version number → JSON payload. */
  payloads: string;
  /** String: current version number. */
  current: string;
}

export function catalogKeys(prefix: string, catalog: CatalogName): CatalogKeys {
  const base = `${prefix}catalogs:{${catalog.toLowerCase()}}`;
  return { sequence: `${base}:sequence`, versions: `${base}:versions`, payloads: `${base}:payloads`, current: `${base}:current` };
}

/** Every key this service may own under a prefix (for cleaning up after tests). */
export function catalogKeyPattern(prefix: string): string {
  return `${prefix}catalogs:*`;
}
