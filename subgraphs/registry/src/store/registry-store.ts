/**
 * Where the registry's records live: one port, two adapters (memory, Redis) under one contract
 * (registry-store.contract.ts). Records are JSON documents in collections; a commit writes several records at once,
 * only if each one's stored revision is still the one the change read (0 = absent), so a multi-record change
 * (a version retired with its requests) lands whole or not at all.
 */
import type { AccessRequest, Agency, AgencyApplication, InformationSystem, ProviderRegistration, Service, ServiceVersion } from '../domain/model.ts';
import type { Incident, MaintenanceWindow } from '../domain/maintenance/model.ts';

/** The collections and the record type each holds. */
export interface Collections {
  agencies: Agency;
  systems: InformationSystem;
  services: Service;
  versions: ServiceVersion;
  accessRequests: AccessRequest;
  registrations: ProviderRegistration;
  // Maintenance windows and incidents (domain/maintenance/).
  maintenanceWindows: MaintenanceWindow;
  incidents: Incident;
  // Agencies' applications signed in to through single sign-on (domain/applications.ts).
  applications: AgencyApplication;
}
export type CollectionName = keyof Collections;
export const COLLECTIONS: readonly CollectionName[] = [
  'agencies',
  'systems',
  'services',
  'versions',
  'accessRequests',
  'registrations',
  'maintenanceWindows',
  'incidents',
  'applications',
];

/** The key of a record in its collection. */
export function recordKey<C extends CollectionName>(collection: C, record: Collections[C]): string {
  return collection === 'agencies' ? (record as Agency).code : collection === 'services' ? (record as Service).code : (record as { id: string }).id;
}

/** One record to write: its new content (revision ignored: the store sets it) and the revision it replaces (0 = new). */
export interface Write<C extends CollectionName = CollectionName> {
  collection: C;
  record: Collections[C];
  expectedRevision: number;
}

/** What a commit did: every record written with its new revision, or nothing because one record moved on. */
export type CommitResult = { committed: true; revisions: number[] } | { committed: false; conflict: { collection: CollectionName; key: string } };

export interface RegistryStore {
  get<C extends CollectionName>(collection: C, key: string): Promise<Collections[C] | null>;
  /** Every record of the collection, in key order. */
  list<C extends CollectionName>(collection: C): Promise<Array<Collections[C]>>;
  /** Writes all or nothing (see the module comment); each written record's revision is its expected one plus one. */
  commit(writes: Write[]): Promise<CommitResult>;
  /** Goes up with every commit that changes the collection (ETags of the internal API). */
  version(collection: CollectionName): Promise<number>;
  /** Releases what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>;
}
