/**
 * Where catalog versions live. A version is immutable once published; a per-catalog pointer names the current
 * one. Adapters: memory (embedded mode, tests) and Redis (source of truth shared by every replica).
 */
import type { CatalogName, CatalogVersionInfo, NewCatalogVersion } from '../domain/catalog.ts';

export interface PublishOptions {
  /** Publish only when the catalog has no version at all (start-up seeding by several replicas at once). */
  onlyIfEmpty?: boolean;
  /** Make the new version the current one (default true). */
  makeCurrent?: boolean;
  /**
   * Publish only when the current version is this one (null: the catalog has none) — a compare-and-set, so that
   * replicas importing the same change at the same moment publish it once. Absent: no condition.
   */
  ifCurrentIs?: number | null;
}

export interface PublishResult {
  /** The version published, or the current one when `onlyIfEmpty` or `ifCurrentIs` refused to publish. */
  info: CatalogVersionInfo;
  published: boolean;
}

export interface CatalogStore {
  /** The current version number, or null when the catalog has none. */
  currentVersion(catalog: CatalogName): Promise<number | null>;
  /** Every published version, oldest first. */
  versions(catalog: CatalogName): Promise<CatalogVersionInfo[]>;
  versionInfo(catalog: CatalogName, version: number): Promise<CatalogVersionInfo | null>;
  /** The data of one version (JSON), or null when there is no such version. */
  readPayload(catalog: CatalogName, version: number): Promise<unknown>;
  /** Publishes a new version numbered one above the highest so far; atomic. */
  publish(catalog: CatalogName, next: NewCatalogVersion, options?: PublishOptions): Promise<PublishResult>;
  /** Points the catalog at an existing version (e.g. to roll back). Throws NOT_FOUND for an unknown version. */
  setCurrentVersion(catalog: CatalogName, version: number): Promise<void>;
}

/** What the store keeps about a version besides its number (the number is the key). */
export interface StoredVersionMeta {
  publishedAt: string;
  source: string;
  itemCount: number;
  label: string | null;
}

export function toInfo(catalog: CatalogName, version: number, meta: StoredVersionMeta): CatalogVersionInfo {
  return { catalog, version, publishedAt: meta.publishedAt, source: meta.source, itemCount: meta.itemCount, label: meta.label };
}
