/**
 * Who may be a recipient (REQUIREMENTS R4 step 2: "recipients exist and may receive from this source"), and the
 * smart search of destination units (BG:5.7). A port: the relay depends on this interface only.
 *
 * In deployment the registry answers (`connectors/registry-agency-directory.ts`: its `/internal/v1/agencies` and
 * `/internal/v1/relay/routes`): a relay data type is a service of the registry, and sending it needs an access request
 * in force in the caller's environment (issue 16, must-have 7). `createFileAgencyDirectory` — the catalogs' development
 * agency list, every listed agency with every other — is for development without a registry (REGISTRY_URL unset, with
 * a warning) and for tests; never for a production path.
 */
import { readFileSync } from 'node:fs';
import type { Environment } from '@lgsp/kit';

/** An agency's lifecycle status in the registry; only ACTIVE agencies send or receive packets. */
export type AgencyStatus = 'ACTIVE' | 'RENAMED' | 'SPLIT' | 'MERGED' | 'DISSOLVED';

export interface AgencyRecord {
  /** Mã định danh (QCVN 102:2016 `AAA.BB.CC.XNN`). */
  code: string;
  name: string;
  shortName: string | null;
  parentCode: string | null;
  /** ACTIVE, or how it ended (renamed, split, merged, dissolved); a status the relay does not know counts as not active. */
  status: AgencyStatus | string;
  /** The agencies that took over from one no longer ACTIVE (what a refused sender should send to instead). */
  successorCodes: string[];
}

/**
 * One relay data type offered by a provider agency, and the consumer agencies whose access request to it is in force
 * in an environment (the registry's `/internal/v1/relay/routes` item).
 */
export interface RelayRoute {
  dataType: string;
  provider: string;
  participants: string[];
}

/**
 * Why `source` may not send `dataType` to `recipient` (`extensions.reason` of the refusal):
 * - `SOURCE_NOT_REGISTERED` / `SOURCE_NOT_ACTIVE`: the sender is not in the directory / no longer ACTIVE;
 * - `RECIPIENT_UNKNOWN` / `RECIPIENT_NOT_ACTIVE`: the same for a recipient (renamed, split, merged, dissolved: see its successors);
 * - `SAME_AGENCY`: a packet to oneself;
 * - `DATA_TYPE_NOT_ALLOWED`: no route of this data type has the sender (no access request in force for it in this environment);
 * - `RECIPIENT_NOT_ALLOWED`: routes of this data type have the sender, none has the recipient too.
 */
export type RouteRefusal =
  | 'SOURCE_NOT_REGISTERED'
  | 'SOURCE_NOT_ACTIVE'
  | 'RECIPIENT_UNKNOWN'
  | 'RECIPIENT_NOT_ACTIVE'
  | 'SAME_AGENCY'
  | 'DATA_TYPE_NOT_ALLOWED'
  | 'RECIPIENT_NOT_ALLOWED';

export interface AgencyDirectory {
  get(code: string): Promise<AgencyRecord | null>;
  /** Units directly under `parentCode`. */
  children(parentCode: string): Promise<AgencyRecord[]>;
  /** Units whose name, short name or code contains the text (accents and case ignored), best first. */
  search(text: string, limit: number): Promise<AgencyRecord[]>;
  /** Whether `recipient` may receive packets of `dataType` from `source` in `environment`. */
  mayReceive(source: string, recipient: string, dataType: string, environment: Environment): Promise<boolean>;
  /** Why not (`mayReceive` is false exactly when this is not null). */
  refusal(source: string, recipient: string, dataType: string, environment: Environment): Promise<RouteRefusal | null>;
}

/** Routes by data type: for each, the agency sets (`{provider} ∪ participants`) of its routes; `ANY` lets every pair exchange anything. */
export type RouteIndex = ReadonlyMap<string, ReadonlyArray<ReadonlySet<string>>> | 'ANY';

export function indexRoutes(routes: readonly RelayRoute[]): RouteIndex {
  const index = new Map<string, Array<ReadonlySet<string>>>();
  for (const route of routes) {
    const members = new Set([route.provider, ...route.participants]);
    const list = index.get(route.dataType);
    if (list === undefined) index.set(route.dataType, [members]);
    else list.push(members);
  }
  return index;
}

/**
 * The registry's rule (BRIEF, "Registry internal HTTP API"): `source` may send `dataType` to `recipient` iff some
 * route of that data type has both agencies in `{provider} ∪ participants`, `source ≠ recipient`, and both agencies
 * are ACTIVE. Answers the first reason it fails, in the order of `RouteRefusal`.
 */
export function routeRefusal(
  agencies: ReadonlyMap<string, AgencyRecord>,
  routes: RouteIndex,
  source: string,
  recipient: string,
  dataType: string,
): RouteRefusal | null {
  const from = agencies.get(source);
  if (from === undefined) return 'SOURCE_NOT_REGISTERED';
  if (from.status !== 'ACTIVE') return 'SOURCE_NOT_ACTIVE';
  const to = agencies.get(recipient);
  if (to === undefined) return 'RECIPIENT_UNKNOWN';
  if (to.status !== 'ACTIVE') return 'RECIPIENT_NOT_ACTIVE';
  if (source === recipient) return 'SAME_AGENCY';
  if (routes === 'ANY') return null;
  const withSource = (routes.get(dataType) ?? []).filter((members) => members.has(source));
  if (withSource.length === 0) return 'DATA_TYPE_NOT_ALLOWED';
  return withSource.some((members) => members.has(recipient)) ? null : 'RECIPIENT_NOT_ALLOWED';
}

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** A list of agencies, indexed for the directory's reads. */
export class AgencyIndex {
  readonly byCode: ReadonlyMap<string, AgencyRecord>;
  private readonly folded: Array<{ agency: AgencyRecord; names: string[] }>;

  constructor(readonly agencies: readonly AgencyRecord[]) {
    this.byCode = new Map(agencies.map((a) => [a.code, a]));
    this.folded = agencies.map((agency) => ({ agency, names: [agency.name, agency.shortName ?? '', agency.code].map(fold) }));
  }

  children(parentCode: string): AgencyRecord[] {
    return this.agencies.filter((a) => a.parentCode === parentCode);
  }

  search(text: string, limit: number): AgencyRecord[] {
    const needle = fold(text.trim());
    if (needle === '') return [];
    return this.folded
      .map(({ agency, names }) => {
        const score = names.some((n) => n === needle) ? 0 : names.some((n) => n.startsWith(needle)) ? 1 : names.some((n) => n.includes(needle)) ? 2 : -1;
        return { agency, score };
      })
      .filter((s) => s.score >= 0)
      .sort((x, y) => x.score - y.score || x.agency.code.localeCompare(y.agency.code))
      .slice(0, limit)
      .map((s) => s.agency);
  }
}

/** Where a directory reads from: the agencies, and the routes of an environment (each may refuse, e.g. never loaded). */
export interface DirectorySource {
  agencies(): Promise<AgencyIndex> | AgencyIndex;
  routes(environment: Environment): Promise<RouteIndex> | RouteIndex;
}

/** The directory over a source of agencies and routes: the one implementation of the reads and of the rule. */
export function directoryOver(source: DirectorySource): AgencyDirectory {
  const refusal = async (from: string, to: string, dataType: string, environment: Environment) => {
    const agencies = await source.agencies();
    return routeRefusal(agencies.byCode, await source.routes(environment), from, to, dataType);
  };
  return {
    async get(code) {
      return (await source.agencies()).byCode.get(code) ?? null;
    },
    async children(parentCode) {
      return (await source.agencies()).children(parentCode);
    },
    async search(text, limit) {
      return (await source.agencies()).search(text, limit);
    },
    refusal,
    async mayReceive(from, to, dataType, environment) {
      return (await refusal(from, to, dataType, environment)) === null;
    },
  };
}

/**
 * A directory over a fixed list (the development file, tests). Without `routes` every listed ACTIVE agency may send
 * anything to every other (development); with them, the registry's rule over the routes of each environment (an
 * environment left out has no route).
 */
export function createListAgencyDirectory(agencies: readonly AgencyRecord[], routes?: Partial<Record<Environment, readonly RelayRoute[]>>): AgencyDirectory {
  const index = new AgencyIndex(agencies);
  const routeIndexes = new Map<Environment, RouteIndex>();
  return directoryOver({
    agencies: () => index,
    routes(environment) {
      if (routes === undefined) return 'ANY';
      let found = routeIndexes.get(environment);
      if (found === undefined) routeIndexes.set(environment, (found = indexRoutes(routes[environment] ?? [])));
      return found;
    },
  });
}

const DEV_FILE = new URL('../../../catalogs/src/data/agencies.development.json', import.meta.url);

/**
 * The catalogs' development agency list, every agency ACTIVE and free to exchange anything with every other: for
 * development without a registry (the service logs a warning) and tests only.
 */
export function createFileAgencyDirectory(file: URL | string = DEV_FILE): AgencyDirectory {
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    items: Array<{ code: string; name: string; shortName?: string | null; parentCode?: string | null }>;
  };
  return createListAgencyDirectory(
    data.items.map((i) => ({
      code: i.code,
      name: i.name,
      shortName: i.shortName ?? null,
      parentCode: i.parentCode ?? null,
      status: 'ACTIVE',
      successorCodes: [],
    })),
  );
}
