/** Helpers for the relay's tests (never used by production code): a relay on real Redis with its own key prefix. */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import {
  connectRedis,
  createInternalTokenIssuer,
  createInternalTokenVerifier,
  createLogger,
  ErrorCode,
  errorBody,
  Role,
  type InternalTokenIssuer,
  type Principal,
  type RedisClient,
} from '@lgsp/kit';
import { loadRelayConfig } from './config.ts';
import { startRelay, type RunningRelay } from './service.ts';
import { freePortForTest, testKeyPrefix } from '@lgsp/kit/testing';

export const AGENCY_A = '000.00.03.H41'; // Sở Tài chính (development data)
export const AGENCY_B = '000.00.04.H41'; // Sở Tư pháp
export const AGENCY_C = '000.00.05.H41'; // Sở Y tế
export const AGENCY_D = '000.00.06.H41'; // Sở GD&ĐT — never calls in the tests: always offline

export const system = (agencyCode: string, systemId: string): Principal => ({ kind: 'system', agencyCode, systemId, roles: [], scopes: [] });
export const A = system(AGENCY_A, 'stc-qlvb');
export const B = system(AGENCY_B, 'stp-qlvb');
export const C = system(AGENCY_C, 'syt-qlvb');
export const OPERATOR: Principal = { kind: 'user', agencyCode: '000.00.01.H41', userId: 'op-1', roles: [Role.operator], scopes: [] };

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const reprDigest = (data: Buffer | string) => `sha-256=:${createHash('sha256').update(data).digest('base64')}:`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface GraphQLAnswer {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface Harness {
  relay: RunningRelay;
  redis: RedisClient;
  keyPrefix: string;
  issuer: InternalTokenIssuer;
  gql(principal: Principal, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer>;
  /** Stops the relay and starts a new one on the same Redis prefix and keys (a restart), its environment changed by `changes` from then on. */
  restart(changes?: Record<string, string | undefined>): Promise<void>;
  scan(pattern: string): Promise<string[]>;
  contentKeys(packetId?: string): Promise<string[]>;
  /** The relay's warnings and errors so far, as the JSON lines it wrote. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Record<string, string> = {}, jsonSchemas?: Record<string, object>): Promise<Harness> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = await connectRedis(redisUrl);
  const keyPrefix = testKeyPrefix();
  const issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  // The relay's warnings and errors, kept for assertions (an operator alert is a log line).
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger('relay', 'warn', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  let environment: Record<string, string | undefined> = {
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    RELAY_MASTER_KEY: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''),
    RELAY_URL_SECRET: `test-secret-${randomUUID()}`,
    RELAY_SWEEP_MS: '0',
    ...overrides,
  };
  let config = loadRelayConfig(environment);
  const harness: Harness = {
    relay: await startRelay(config, { verifier, jsonSchemas, logger }),
    redis,
    logs,
    keyPrefix,
    issuer,
    async gql(principal, query, variables = {}) {
      const response = await fetch(harness.relay.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.tokenFor(principal)}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLAnswer;
    },
    async restart(changes) {
      await harness.relay.close();
      if (changes !== undefined) {
        environment = { ...environment, ...changes };
        config = loadRelayConfig(environment);
      }
      harness.relay = await startRelay(config, { verifier, jsonSchemas, logger });
    },
    async scan(pattern) {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
      return keys;
    },
    contentKeys(packetId) {
      return harness.scan(packetId === undefined ? `${keyPrefix}relay:content:*` : `${keyPrefix}relay:content:{${packetId}}:*`);
    },
    async close() {
      await harness.relay.close();
      const keys = await harness.scan(`${keyPrefix}*`);
      if (keys.length > 0) await redis.del(keys);
      await redis.quit();
    },
  };
  return harness;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request (PUT bodies streamed from an iterable, chunked when no Content-Length is given). */
export function httpRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: Buffer | AsyncIterable<Buffer> },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      (async () => {
        try {
          for await (const piece of body) {
            if (req.destroyed) return;
            if (!req.write(piece)) await new Promise<void>((r) => req.once('drain', () => r()));
          }
          req.end();
        } catch (error) {
          req.destroy(error as Error);
        }
      })();
    }
  });
}

export const REQUEST_EXCHANGE = `mutation($input: RequestExchangeInput!) {
  requestExchange(input: $input) { id uploadUrl expiresAt maxBytes packet { id status } }
}`;
export const CLAIM = `mutation($id: ID!) { claimPacket(id: $id) { packetId downloadUrl expiresAt sha256 bytes } }`;
export const ACK = `mutation($id: ID!, $sha256: String!) { acknowledgePacket(id: $id, sha256: $sha256) { recipient status alreadyAcknowledged packet { id status } } }`;
export const PACKET = `query($id: ID!) { packet(id: $id) {
  id title status sourceAgencyCode sourceSystem bytes sha256 contentDeleted priority dataType
  deliveries { agencyCode status attempts deliveredAt }
  rejection { code message line column path }
  edxml { kind fromOrganId toOrganIds documentId statusCode responseForDocumentId }
  documentStatusHistory { statusCode description reportedBy statusPacketId }
} }`;
export const HISTORY = `query($id: ID!) { packetStatusHistory(id: $id) { status at recipient detail } }`;

/** A RequestExchangeInput for `content`: a FILE from the test to agency B, with its size and SHA-256. */
export function exchangeInput(content: Buffer, overrides: Record<string, unknown> = {}) {
  return {
    recipients: { agencyCodes: [AGENCY_B] },
    title: 'Gói tin thử',
    priority: 'NORMAL',
    dataType: 'FILE',
    protocol: 'test',
    declaredBytes: content.length,
    sha256: sha256(content),
    ...overrides,
  };
}

/** requestExchange + PUT in one step; returns the space and the upload answer. */
export async function sendPacket(
  h: Harness,
  from: Principal,
  content: Buffer,
  input: Partial<Record<string, unknown>> & { recipients: Record<string, unknown> },
): Promise<{ id: string; uploadUrl: string; upload: HttpAnswer }> {
  const answer = await h.gql(from, REQUEST_EXCHANGE, { input: exchangeInput(content, input) });
  if (answer.errors !== undefined) throw new Error(`requestExchange failed: ${JSON.stringify(answer.errors)}`);
  const space = answer.data!.requestExchange as { id: string; uploadUrl: string };
  const upload = await httpRequest(space.uploadUrl, {
    method: 'PUT',
    headers: { 'content-length': String(content.length), 'repr-digest': reprDigest(content) },
    body: content,
  });
  return { id: space.id, uploadUrl: space.uploadUrl, upload };
}

/** What the test registry serves: the agencies and the relay routes of each environment, each with its version. */
export interface TestRegistryData {
  agencies: { version: number; items: Array<Record<string, unknown>> };
  routes: Record<'production' | 'test', { version: number; items: Array<{ dataType: string; provider: string; participants: string[] }> }>;
}

export interface TestRegistry {
  /** Its origin (REGISTRY_URL). */
  url: string;
  token: string;
  data: TestRegistryData;
  /** Every request it answered: path with query, If-None-Match, status. */
  requests: Array<{ path: string; ifNoneMatch: string | undefined; status: number }>;
  /** Answers every request with this status (an error body) until set back to null. */
  failWith: number | null;
  /** Answers 200 with this body instead of the data (a registry that breaks the contract) until set back to null. */
  brokenBody: unknown;
  /** Stops listening (the registry goes away); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A real HTTP server serving the registry's internal contract for the relay (BRIEF "Registry internal HTTP API"):
 * `GET /internal/v1/agencies` and `GET /internal/v1/relay/routes?environment=…`, bearer token, `ETag: "<version>"`,
 * `If-None-Match` → 304. What a test changes in `data` is served at once (bump the version with it).
 */
export async function startTestRegistry(data: TestRegistryData, options: { listening?: boolean } = {}): Promise<TestRegistry> {
  const port = await freePortForTest();
  const token = `registry-internal-token-${randomUUID()}`;
  let server: Server | null = null;
  const registry: TestRegistry = {
    url: `http://127.0.0.1:${port}`,
    token,
    data,
    requests: [],
    failWith: null,
    brokenBody: null,
    async start() {
      server = createServer((req, res) => {
        const url = new URL(req.url ?? '/', registry.url);
        const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
          registry.requests.push({ path: `${url.pathname}${url.search}`, ifNoneMatch: req.headers['if-none-match'], status });
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body === undefined ? undefined : JSON.stringify(body));
        };
        if (req.headers.authorization !== `Bearer ${token}`)
          return answer(401, errorBody(ErrorCode.UNAUTHENTICATED, 'a valid REGISTRY_INTERNAL_TOKEN is required'));
        if (registry.failWith !== null) return answer(registry.failWith, errorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'the registry is failing'));
        let resource: { version: number } | undefined;
        if (url.pathname === '/internal/v1/agencies') resource = registry.data.agencies;
        else if (url.pathname === '/internal/v1/relay/routes') {
          const environment = url.searchParams.get('environment');
          if (environment !== 'production' && environment !== 'test')
            return answer(400, errorBody(ErrorCode.BAD_USER_INPUT, 'environment must be production or test'));
          resource = registry.data.routes[environment];
        }
        if (resource === undefined) return answer(404, errorBody(ErrorCode.NOT_FOUND, 'no such path'));
        const etag = `"${resource.version}"`;
        if (req.headers['if-none-match'] === etag) return answer(304, undefined, { etag });
        return answer(200, registry.brokenBody ?? resource, { etag });
      });
      server.keepAliveTimeout = 1;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    async stop() {
      const stopping = server;
      server = null;
      if (stopping === null) return;
      stopping.closeAllConnections();
      await new Promise((resolve) => stopping.close(resolve));
    },
  };
  if (options.listening !== false) await registry.start();
  return registry;
}
