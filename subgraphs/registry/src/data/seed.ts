/**
 * The development seed: the development agencies, the agency systems of the realm export and the development
 * services (national-data field sets, the edXML relay data type), written in one commit into an empty registry.
 * A registry that already has agencies is left alone, so a restart on Redis never overwrites the operator's work.
 */
import { readFileSync } from 'node:fs';
import type { AccessRequest, Agency, InformationSystem, OfferedFieldSet, Service, ServiceDescription, ServiceVersion } from '../domain/model.ts';
import type { RegistryStore, Write } from '../store/registry-store.ts';

export interface SeedFile {
  agencies: Array<{ code: string; name: string; shortName: string | null; englishName: string | null; parentCode: string | null }>;
  systems: Array<{ id: string; agencyCode: string; name: string; purpose: string }>;
  services: Array<
    Omit<Service, 'status' | 'currentVersion' | 'revision' | 'createdAt' | 'updatedAt'> & { description: ServiceDescription; fieldSets: OfferedFieldSet[] }
  >;
  /** Systems that take part in every relay data type: a LIVE access request of each to each relay service. */
  relayParticipants?: { systems: string[] };
}

export function readDevelopmentSeed(): SeedFile {
  return JSON.parse(readFileSync(new URL('./seed.development.json', import.meta.url), 'utf8')) as SeedFile;
}

export interface SeedOptions {
  /**
   * Origin serving fake health endpoints per system (the simulator's `/agency-systems/<id>/health/{live,ready}`), so
   * that monitoring has systems to check in development; unset = the seeded systems declare none.
   */
  healthUrl?: string | undefined;
}

/** The seeded system's health endpoints at `healthUrl`: level 1 every 30 s, level 2 every 60 s. */
function seedHealthEndpoints(systemId: string, healthUrl: string | undefined): InformationSystem['healthEndpoints'] {
  if (healthUrl === undefined) return [];
  const base = `${healthUrl}/agency-systems/${encodeURIComponent(systemId)}/health`;
  return [
    { level: 1, url: `${base}/live`, intervalSeconds: 30 },
    { level: 2, url: `${base}/ready`, intervalSeconds: 60 },
  ];
}

/** Writes the seed when the registry has no agency yet; answers whether it did. */
export async function seedRegistry(
  store: RegistryStore,
  seed: SeedFile = readDevelopmentSeed(),
  now = new Date(),
  options: SeedOptions = {},
): Promise<boolean> {
  if ((await store.list('agencies')).length > 0) return false;
  const at = now.toISOString();
  const meta = { revision: 0, createdAt: at, updatedAt: at };
  const writes: Write[] = [
    ...seed.agencies.map((a): Write => ({
      collection: 'agencies',
      record: { ...a, status: 'ACTIVE', successorCodes: [], effectiveFrom: null, ...meta } satisfies Agency,
      expectedRevision: 0,
    })),
    ...seed.systems.map((s): Write => ({
      collection: 'systems',
      record: {
        ...s,
        contacts: [],
        environments: ['test', 'production'],
        healthEndpoints: seedHealthEndpoints(s.id, options.healthUrl),
        credentials: [],
        ...meta,
      } satisfies InformationSystem,
      expectedRevision: 0,
    })),
    ...seed.services.flatMap((s): Write[] => [
      {
        collection: 'services',
        record: {
          code: s.code,
          name: s.name,
          providerAgency: s.providerAgency,
          providerSystem: s.providerSystem,
          kind: s.kind,
          subgraph: s.subgraph,
          relayDataType: s.relayDataType,
          status: 'ACTIVE',
          currentVersion: 1,
          ...meta,
        } satisfies Service,
        expectedRevision: 0,
      },
      {
        collection: 'versions',
        record: {
          id: `${s.code}@1`,
          serviceCode: s.code,
          version: 1,
          description: s.description,
          fieldSets: s.fieldSets,
          status: 'PUBLISHED',
          publishedAt: at,
          supersededAt: null,
          keepUntil: null,
          notice: null,
          retiredAt: null,
          ...meta,
        } satisfies ServiceVersion,
        expectedRevision: 0,
      },
    ]),
  ];
  writes.push(...relayAccess(seed, at).map((record): Write => ({ collection: 'accessRequests', record, expectedRevision: 0 })));
  const result = await store.commit(writes);
  return result.committed;
}

/**
 * The development exchange: each participating system has a LIVE access request to each relay service it does not
 * provide, so every development agency may send every data type to every other (the relay asks
 * `/internal/v1/relay/routes`), as the development agency file allowed before the registry existed.
 */
function relayAccess(seed: SeedFile, at: string): AccessRequest[] {
  const systems = seed.systems.filter((s) => seed.relayParticipants?.systems.includes(s.id));
  return seed.services
    .filter((service) => service.kind === 'RELAY_DATA_TYPE')
    .flatMap((service) =>
      systems
        .filter((system) => system.agencyCode !== service.providerAgency)
        .map((system): AccessRequest => ({
          id: `ar-seed-${service.code}-${system.agencyCode.replace(/\./g, '')}`,
          consumerAgency: system.agencyCode,
          consumerSystem: system.id,
          serviceCode: service.code,
          serviceVersion: 1,
          providerAgency: service.providerAgency,
          fieldSets: [],
          purposes: ['*'],
          legalBasis: 'DEVELOPMENT DATA: development exchange between the development agencies',
          expectedRequestsPerDay: 1000,
          quota: null,
          validTo: null,
          securityCommitment: { signedBy: 'development seed', signedAt: at, text: 'DEVELOPMENT DATA' },
          state: 'LIVE',
          providerApproved: true,
          operatorApproved: true,
          receivedAt: null,
          dueAt: null,
          overdue: false,
          history: [{ at, action: 'SEED', party: 'OPERATOR', by: 'system', from: 'PENDING_APPROVAL', to: 'LIVE', reason: 'development seed' }],
          revision: 0,
          createdAt: at,
          updatedAt: at,
        })),
    );
}
