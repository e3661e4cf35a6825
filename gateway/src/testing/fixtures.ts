/**
 * Real parts for the gateway's tests: two small subgraphs on the kit's server (real HTTP, real token checks)
 * and a supergraph composed from them with @apollo/composition, written to a temporary file.
 */
import { composeServices } from '@apollo/composition';
import {
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  createMetricsRegistry,
  ErrorCode,
  LgspError,
  REQUEST_ID_HEADER,
  startSubgraph,
  type BaseContext,
  type InternalTokenIssuer,
  type Principal,
  type RunningSubgraph,
} from '@lgsp/kit';
import { parse } from 'graphql';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { gatewayConfig, type GatewayConfig } from '../config.ts';

const federationLink =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@authenticated", "@requiresScopes", "@policy"])';

/** A people register: `people(ids)` returns people whose ward is an entity owned by `places`. */
export const peopleSdl = `${federationLink}
"""Queries of the test people register."""
type Query {
  """People by id, in the order asked; unknown ids are null."""
  people(ids: [ID!]!): [Person]!
  """One person, or null."""
  person(id: ID!): Person
  """A field only signed-in callers may read (tests the authorization directives in composition)."""
  secretNote: String @authenticated
}
"""Mutations of the test people register."""
type Mutation {
  """Renames a person (used to test that mutations are refused over GET)."""
  rename(id: ID!, name: String!): Person
}
"""A person (công dân) in the test register."""
type Person {
  """Identifier."""
  id: ID!
  """Full name (họ và tên)."""
  name: String!
  """Ward of residence (phường/xã), resolved by the places subgraph."""
  ward: Ward
  """A field guarded by a policy (tests the authorization directives in composition)."""
  phone: String @policy(policies: [["read_phone"]])
}
"""A ward as referenced by people."""
type Ward @key(fields: "code") {
  """GSO code."""
  code: ID!
}
`;

export const placesSdl = `${federationLink}
"""Queries of the test places catalog."""
type Query {
  """A ward by code."""
  ward(code: ID!): Ward
}
"""A ward (phường/xã)."""
type Ward @key(fields: "code") {
  """GSO code."""
  code: ID!
  """Vietnamese name."""
  name: String!
}
`;

export const wardNames: Record<string, string> = { '00004': 'Phường Ba Đình', '00008': 'Phường Ngọc Hà', '00025': 'Phường Giảng Võ' };
const wardCodes = Object.keys(wardNames);

/** Person 998 lives in a ward whose name fails to resolve (tests error paths through entity fetches). */
export const BROKEN_WARD = '99998';

export function personById(id: string): { id: string; name: string; wardCode: string } | null {
  if (id === '998') return { id, name: 'Trần Thị Lỗi', wardCode: BROKEN_WARD };
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1 || n > 1000) return null;
  return { id, name: `Nguyễn Văn ${n}`, wardCode: wardCodes[n % wardCodes.length]! };
}

/** What a test subgraph saw: per request, the principal from the verified token and the request id. */
export interface SubgraphProbe {
  calls: Array<{ principal: Principal; requestId: string; entities: boolean }>;
  /** Distinct TCP connections that carried requests. */
  connections: Set<Socket>;
}

export interface TestSubgraph extends RunningSubgraph {
  name: string;
  sdl: string;
  probe: SubgraphProbe;
}

function probed(): { probe: SubgraphProbe; routes: (app: import('express').Express) => void } {
  const probe: SubgraphProbe = { calls: [], connections: new Set() };
  return {
    probe,
    routes: (app) =>
      app.use((req, _res, next) => {
        probe.connections.add(req.socket);
        next();
      }),
  };
}

function record(probe: SubgraphProbe, context: BaseContext, entities: boolean) {
  probe.calls.push({ principal: context.principal, requestId: context.requestId, entities });
}

export async function startPeopleSubgraph(issuer: InternalTokenIssuer, port = 0): Promise<TestSubgraph> {
  const { probe, routes } = probed();
  const seen = new WeakSet<object>();
  const once = (context: BaseContext) => {
    if (!seen.has(context)) {
      seen.add(context);
      record(probe, context, false);
    }
  };
  const running = await startSubgraph<BaseContext>({
    name: 'people-data',
    typeDefs: parse(peopleSdl),
    resolvers: {
      Query: {
        people: (_: unknown, { ids }: { ids: string[] }, context: BaseContext) => {
          once(context);
          return ids.map(personById);
        },
        person: (_: unknown, { id }: { id: string }, context: BaseContext) => {
          once(context);
          return personById(id);
        },
        secretNote: () => 'secret',
      },
      Mutation: { rename: (_: unknown, { id, name }: { id: string; name: string }) => ({ ...personById(id), name }) },
      Person: { ward: (person: { wardCode: string }) => ({ code: person.wardCode }), phone: () => '0900000000' },
    },
    host: '127.0.0.1',
    port,
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger('people-data', 'silent'),
    metrics: createMetricsRegistry('people-data'),
    context: (base) => base,
    routes,
  });
  return { ...running, name: 'people-data', sdl: peopleSdl, probe };
}

export async function startPlacesSubgraph(issuer: InternalTokenIssuer, port = 0): Promise<TestSubgraph> {
  const { probe, routes } = probed();
  const seen = new WeakSet<object>();
  const running = await startSubgraph<BaseContext>({
    name: 'places',
    typeDefs: parse(placesSdl),
    resolvers: {
      Query: { ward: (_: unknown, { code }: { code: string }) => (code in wardNames ? { code } : null) },
      Ward: {
        __resolveReference: (ref: { code: string }, context: BaseContext) => {
          if (!seen.has(context)) {
            seen.add(context);
            record(probe, context, true);
          }
          return ref.code in wardNames || ref.code === BROKEN_WARD ? ref : null;
        },
        name: (ward: { code: string }) => {
          if (ward.code === BROKEN_WARD) throw new LgspError(ErrorCode.NOT_FOUND, `ward ${ward.code} has no name in this catalog version`);
          return wardNames[ward.code];
        },
      },
    },
    host: '127.0.0.1',
    port,
    verifier: createInternalTokenVerifier({ jwks: issuer.jwks() }),
    logger: createLogger('places', 'silent'),
    metrics: createMetricsRegistry('places'),
    context: (base) => base,
    routes,
  });
  return { ...running, name: 'places', sdl: placesSdl, probe };
}

/** Composes subgraphs into a supergraph SDL; throws with composition's messages when it fails. */
export function composeSupergraph(subgraphs: Array<{ name: string; url: string; sdl: string }>): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors !== undefined) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl;
}

/** A temporary directory with a supergraph file, removed by `cleanup`. */
export async function supergraphFileWith(sdl: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-gateway-test-'));
  const path = join(dir, 'supergraph.graphql');
  await writeFile(path, sdl);
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A complete test federation: issuer, both subgraphs, a supergraph file and a gateway config pointing at them. */
export async function startTestFederation(overrides: Partial<GatewayConfig> = {}) {
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const people = await startPeopleSubgraph(issuer);
  const places = await startPlacesSubgraph(issuer);
  const supergraph = await supergraphFileWith(composeSupergraph([people, places]));
  const config = gatewayConfig({ port: 0, host: '127.0.0.1', supergraphFile: supergraph.path, logLevel: 'silent', ...overrides });
  // A production gateway refuses to start without the audit subject key (@lgsp/audit): a random one beside the file.
  if (config.production && config.audit.writer.AUDIT_SUBJECT_KEY_FILE === undefined) {
    const keyFile = join(dirname(supergraph.path), 'audit-subject.key');
    await writeFile(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    config.audit = { ...config.audit, writer: { ...config.audit.writer, AUDIT_SUBJECT_KEY_FILE: keyFile } };
  }
  return {
    issuer,
    people,
    places,
    supergraph,
    config,
    async cleanup() {
      await Promise.allSettled([people.close(), places.close()]);
      await supergraph.cleanup();
    },
  };
}

export { REQUEST_ID_HEADER };
