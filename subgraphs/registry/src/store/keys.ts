/**
 * Redis key names of the registry, and only here: `<prefix>registry:{registry}:<what>`, with prefix `lgsp:` in
 * deployment. One hash tag for the whole registry: a commit changes records of several collections in one script,
 * which Redis Cluster allows only within one slot (the registry is small: hundreds of agencies, thousands of requests).
 */
import type { CollectionName } from './registry-store.ts';

export interface RegistryKeys {
  /** Hash: record key → JSON record. */
  records(collection: CollectionName): string;
  /** String: the collection's version. */
  version(collection: CollectionName): string;
}

export function registryKeys(prefix: string): RegistryKeys {
  const base = `${prefix}registry:{registry}`;
  return { records: (c) => `${base}:${c}`, version: (c) => `${base}:version:${c}` };
}

/** Every key the registry may own under a prefix (for cleaning up after tests). */
export function registryKeyPattern(prefix: string): string {
  return `${prefix}registry:*`;
}
