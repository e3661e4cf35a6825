/**
 * Audit records through the real parts: the gateway (its own authentication against a local test realm, grants
 * from the development file) in front of the real catalogs and national-data subgraphs and the national platform
 * simulator. The gateway and national-data write to one audit log, as every process appends to one Redis stream in
 * deployment: the gateway's `graphql` record and the provider's `served` record of one request share its id.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import { createInternalTokenIssuer, createInternalTokenVerifier, createLogger, createMetricsRegistry, loadConfig } from '@lgsp/kit';
import { createMemoryAuditLog, DEV_SUBJECT_KEY, subjectHasher, type AuditLog, type AuditRecord } from '@lgsp/audit';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import WebSocket from 'ws';
import { startSimulator, type RunningSimulator } from '@lgsp/simulator';
import { WELL_KNOWN } from '@lgsp/simulator/well-known';
import { startCatalogs } from '../../../subgraphs/catalogs/src/service.ts';
import { loadCatalogsConfig } from '../../../subgraphs/catalogs/src/config.ts';
import { startNationalData } from '../../../subgraphs/national-data/src/service.ts';
import { configSchema as nationalDataConfigSchema } from '../../../subgraphs/national-data/src/config.ts';
import { gatewayConfigFromEnv, startGateway, type GatewayConfig, type RunningGateway } from '../server.ts';

const POLICE = '000.00.02.H41';
const OFFICE = '000.00.01.H41';
const PURPOSE = 'law-enforcement:VV-2025-1';
const CITIZEN_ID = WELL_KNOWN.citizens.householdHead;
const hash = subjectHasher(DEV_SUBJECT_KEY);

let realm: { url: string; server: Server; sign(claims: Record<string, unknown>): Promise<string> };
let sim: RunningSimulator;
let catalogs: Awaited<ReturnType<typeof startCatalogs>>;
let nationalData: Awaited<ReturnType<typeof startNationalData>>;
let issuer: Awaited<ReturnType<typeof createInternalTokenIssuer>>;
let gateway: RunningGateway;
/** The one log both write to. */
const log = createMemoryAuditLog();

/** A realm publishing one RS256 key at Keycloak's certs path, signing Keycloak-shaped access tokens. */
async function startTestRealm() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.url === '/realms/lgsp/protocol/openid-connect/certs') res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/lgsp`;
  return {
    url,
    server,
    sign: (claims: Record<string, unknown>) =>
      new SignJWT({ typ: 'Bearer', azp: 'test-client', scope: 'openid', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
        .setIssuer(url)
        .setAudience('lgsp-gateway')
        .setSubject(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
  };
}

const systemToken = (agency: string) =>
  realm.sign({ agency_code: agency, preferred_username: `service-account-${agency}`, system_id: `system-${agency}`, azp: `client-${agency}` });

async function startTestGateway(auditLog: AuditLog, environment: Record<string, string> = {}): Promise<RunningGateway> {
  const base = gatewayConfigFromEnv({ KEYCLOAK_URL: realm.url, LOG_LEVEL: 'silent', GATEWAY_AUDIT_PROVIDERS: `catalogs=${OFFICE}`, ...environment });
  const config: GatewayConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    watchSupergraph: false,
    // No subscriptions subgraph runs here: its URL is a closed port (a stream that starts fails afterwards).
    subgraphUrlOverrides: {
      SUBGRAPH_CATALOGS_URL: catalogs.url,
      SUBGRAPH_NATIONAL_DATA_URL: nationalData.url,
      SUBGRAPH_SUBSCRIPTIONS_URL: 'http://127.0.0.1:9/graphql',
    },
  };
  return startGateway(config, { issuer, metrics: createMetricsRegistry('gateway'), auditLog });
}

async function post(query: string, options: { token?: string; purpose?: string; variables?: Record<string, unknown>; operationName?: string } = {}) {
  const requestId = randomUUID();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-request-id': requestId };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose !== undefined) headers['x-lgsp-purpose'] = options.purpose;
  const body = JSON.stringify({ query, variables: options.variables ?? {}, operationName: options.operationName });
  const res = await fetch(gateway.url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id'), text, body: JSON.parse(text) as { data?: any; errors?: any[] }, sent: body };
}

/** The records of a request once both writers have written them (each writes when its response has been sent). */
async function recordsOf(requestId: string, expected: { graphql: number; served: number }): Promise<{ graphql: AuditRecord[]; served: AuditRecord[] }> {
  for (let attempt = 0; ; attempt++) {
    await gateway.audit.writer!.flush();
    await nationalData.audit.writer!.flush();
    const records = log.records.filter((r) => r.requestId === requestId);
    const graphql = records.filter((r) => r.kind === 'graphql');
    const served = records.filter((r) => r.kind === 'served');
    if ((graphql.length >= expected.graphql && served.length >= expected.served) || attempt === 100) return { graphql, served };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

before(async () => {
  realm = await startTestRealm();
  issuer = await createInternalTokenIssuer({ ttlSeconds: 60 });
  const verifier = createInternalTokenVerifier({ jwks: issuer.jwks() });
  sim = await startSimulator({ PORT: 0, LOG_LEVEL: 'silent' });
  catalogs = await startCatalogs(loadCatalogsConfig({ PORT: '0', LOG_LEVEL: 'silent' }), { verifier });
  nationalData = await startNationalData(
    loadConfig('national-data', nationalDataConfigSchema, { PORT: '0', NATIONAL_PLATFORM_URL: sim.url, LOG_LEVEL: 'silent' }),
    { verifier, logger: createLogger('national-data', 'silent'), auditLog: log },
  );
  gateway = await startTestGateway(log);
});
after(async () => {
  await gateway?.close();
  await Promise.allSettled([nationalData.close(), catalogs.close(), sim.close()]);
  realm.server.close();
});

const LOOKUP = `query CitizenLookup($id: String!) {
  citizen(personalId: $id) { personalId fullName dateOfBirth permanentAddress { ward { code name } } household { members { personalId } } }
}`;

describe('a citizen lookup over HTTP', () => {
  test('the gateway records who, why, what and whose data; national-data records what it served under the same request id', async () => {
    const response = await post(LOOKUP, { token: await systemToken(POLICE), purpose: PURPOSE, variables: { id: CITIZEN_ID } });
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined);
    const members: string[] = response.body.data.citizen.household.members.map((m: { personalId: string }) => m.personalId);
    assert.ok(members.length > 1);
    const { graphql, served } = await recordsOf(response.requestId!, { graphql: 1, served: 1 });

    assert.equal(graphql.length, 1);
    const record = graphql[0]!;
    assert.equal(record.source, 'gateway');
    assert.equal(record.agency, POLICE);
    assert.equal(record.system, `system-${POLICE}`);
    assert.equal(record.user, null);
    assert.equal(record.purpose, PURPOSE);
    assert.equal(record.action, 'CitizenLookup');
    assert.equal(record.operationType, 'query');
    assert.equal(record.documentHash, sha256(LOOKUP));
    assert.equal(record.outcome, 'success');
    assert.deepEqual(record.errorCodes, []);
    assert.equal(record.environment, 'production');
    for (const field of ['Query.citizen', 'Citizen.fullName', 'Citizen.dateOfBirth', 'Address.ward', 'AdministrativeUnit.name', 'HouseholdMember.personalId'])
      assert.ok(record.fields.includes(field), `${field} in ${record.fields.join(', ')}`);
    // Personal data: what the citizen field sets (declared personalData) cover; catalog names are not.
    for (const field of ['Query.citizen', 'Citizen.fullName', 'Citizen.dateOfBirth', 'Citizen.household'])
      assert.ok(record.personalFields.includes(field), field);
    assert.ok(!record.personalFields.includes('AdministrativeUnit.name'));
    assert.equal(record.service, 'national-data');
    assert.equal(record.details.services, 'national-data,catalogs');
    assert.equal(record.counterpartAgency, POLICE); // the provider of the citizen field sets
    assert.equal(record.details.providers, `${POLICE},${OFFICE}`); // catalogs' from GATEWAY_AUDIT_PROVIDERS
    // Subjects: the argument and every personal ID of the response, as keyed hashes only.
    assert.ok(record.subjects.includes(hash({ kind: 'personal-id', value: CITIZEN_ID })));
    for (const member of members) assert.ok(record.subjects.includes(hash({ kind: 'personal-id', value: member })), member);
    assert.ok(!JSON.stringify(record).includes(CITIZEN_ID), 'no personal ID in clear');
    assert.equal(record.bytesIn, Buffer.byteLength(response.sent));
    assert.equal(record.bytesOut, Buffer.byteLength(response.text));
    assert.equal(typeof record.durationMs, 'number');
    assert.equal(record.details.transport, 'http');

    assert.equal(served.length, 1);
    const provided = served[0]!;
    assert.equal(provided.source, 'national-data');
    assert.equal(provided.service, 'national-data');
    assert.equal(provided.agency, POLICE);
    assert.equal(provided.system, `system-${POLICE}`);
    assert.equal(provided.purpose, PURPOSE);
    assert.equal(provided.counterpartAgency, POLICE);
    assert.equal(provided.outcome, 'success');
    assert.ok(provided.fields.includes('Citizen.fullName') && provided.fields.includes('Query.citizen'), provided.fields.join(', '));
    assert.ok(provided.subjects.includes(hash({ kind: 'personal-id', value: CITIZEN_ID })));
    for (const member of members) assert.ok(provided.subjects.includes(hash({ kind: 'personal-id', value: member })), member);
    assert.ok((provided.bytesOut ?? 0) > 0);
    // Found by the citizen's personal ID, as the operator searches.
    const found = await log.query({
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
      subject: hash({ kind: 'personal-id', value: CITIZEN_ID }),
    });
    assert.ok(found.records.some((r) => r.requestId === response.requestId && r.kind === 'graphql'));
  });

  test('an enterprise lookup names the enterprise code and the register as the counterpart', async () => {
    const code = WELL_KNOWN.enterprises.jointStock;
    const response = await post('query ($code: String!) { enterprise(code: $code) { code name } }', { token: await systemToken(POLICE), variables: { code } });
    assert.equal(response.body.errors, undefined, response.text);
    const { graphql, served } = await recordsOf(response.requestId!, { graphql: 1, served: 1 });
    assert.equal(graphql[0]!.action, null);
    assert.deepEqual(graphql[0]!.subjects, [hash({ kind: 'enterprise-code', value: code })]);
    assert.deepEqual(graphql[0]!.personalFields, []); // enterprise.basic is not personal data
    assert.equal(graphql[0]!.counterpartAgency, '000.00.03.H41');
    assert.equal(served[0]!.counterpartAgency, '000.00.03.H41');
    assert.deepEqual(served[0]!.subjects, [hash({ kind: 'enterprise-code', value: code })]);
  });
});

describe('refused operations are recorded', () => {
  test('personal data without a purpose: denied, nothing read, the subject asked about recorded', async () => {
    const response = await post(LOOKUP, { token: await systemToken(POLICE), variables: { id: CITIZEN_ID } });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'PURPOSE_REQUIRED');
    const { graphql, served } = await recordsOf(response.requestId!, { graphql: 1, served: 0 });
    assert.equal(graphql.length, 1);
    assert.equal(graphql[0]!.outcome, 'denied');
    assert.deepEqual(graphql[0]!.errorCodes, ['PURPOSE_REQUIRED']);
    assert.deepEqual(graphql[0]!.fields, []);
    assert.deepEqual(graphql[0]!.personalFields, []);
    assert.equal(graphql[0]!.purpose, null);
    assert.deepEqual(graphql[0]!.subjects, [hash({ kind: 'personal-id', value: CITIZEN_ID })]);
    assert.equal(served.length, 0); // nothing reached national-data
  });

  test('a parse failure: rejected, with its code and the document hash', async () => {
    const query = '{ citizen(personalId: "040074988660") { fullName ';
    const response = await post(query, { token: await systemToken(POLICE), purpose: PURPOSE });
    assert.equal(response.status, 400);
    const { graphql } = await recordsOf(response.requestId!, { graphql: 1, served: 0 });
    assert.equal(graphql[0]!.outcome, 'rejected');
    assert.deepEqual(graphql[0]!.errorCodes, ['GRAPHQL_PARSE_FAILED']);
    assert.equal(graphql[0]!.documentHash, sha256(query));
    assert.equal(graphql[0]!.agency, POLICE);
  });

  test('an invalid token: denied before GraphQL, with the HTTP status', async () => {
    const response = await post('{ __typename }', { token: 'not-a-token' });
    assert.equal(response.status, 401);
    const { graphql } = await recordsOf(response.requestId!, { graphql: 1, served: 0 });
    assert.equal(graphql[0]!.outcome, 'denied');
    assert.equal(graphql[0]!.agency, null);
    assert.equal(graphql[0]!.details.httpStatus, 401);
  });

  test('a quota used up: denied with RATE_LIMITED (after authorization allowed the fields)', async () => {
    const agency = '000.00.07.H41';
    await gateway.grants.put({
      id: `audit-test.quota.${randomUUID()}`,
      provider: OFFICE,
      consumer: agency,
      service: 'catalogs',
      fieldSets: ['catalogs.audit-test'],
      purposes: ['*'],
      validFrom: '2020-01-01T00:00:00Z',
      quota: { requests: 1, perSeconds: 3600 },
    });
    const token = await systemToken(agency);
    const query = '{ administrativeUnit(code: "40") { code name } }';
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 5 && refused === undefined; i++) {
      const response = await post(query, { token });
      if (response.status === 429) refused = response;
    }
    assert.ok(refused !== undefined, 'the quota refused a request');
    const { graphql } = await recordsOf(refused.requestId!, { graphql: 1, served: 0 });
    assert.equal(graphql[0]!.outcome, 'denied');
    assert.deepEqual(graphql[0]!.errorCodes, ['RATE_LIMITED']);
    assert.equal(graphql[0]!.service, 'catalogs');
    assert.ok(graphql[0]!.fields.includes('AdministrativeUnit.name'));
  });
});

/** A graphql-transport-ws connection to the test gateway, with the given upgrade request id. */
async function openSocket(requestId: string) {
  const socket = new WebSocket(gateway.url.replace('http', 'ws'), ['graphql-transport-ws'], { headers: { 'x-request-id': requestId } });
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (match: (m: any) => boolean) => {
    for (;;) {
      const index = messages.findIndex(match);
      if (index >= 0) return messages.splice(index, 1)[0];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  await once(socket, 'open');
  return { socket, next, send: (message: unknown) => socket.send(JSON.stringify(message)) };
}

describe('over graphql-ws', () => {
  test('a citizen lookup is recorded as over HTTP, with the connection’s request id on both sides', async () => {
    const requestId = randomUUID();
    const { socket, next, send } = await openSocket(requestId);
    try {
      send({ type: 'connection_init', payload: { authorization: `Bearer ${await systemToken(POLICE)}`, 'x-lgsp-purpose': PURPOSE } });
      await next((m) => m.type === 'connection_ack');
      send({ id: '1', type: 'subscribe', payload: { query: LOOKUP, operationName: 'CitizenLookup', variables: { id: CITIZEN_ID } } });
      const answer = await next((m) => m.type === 'next' && m.id === '1');
      assert.equal(answer.payload.errors, undefined);
      await next((m) => m.type === 'complete' && m.id === '1');
      // Refused over the socket: a validation failure.
      send({ id: '2', type: 'subscribe', payload: { query: '{ citizen { nope } }' } });
      await next((m) => m.type === 'error' && m.id === '2');

      const { graphql, served } = await recordsOf(requestId, { graphql: 2, served: 1 });
      const lookup = graphql.find((r) => r.action === 'CitizenLookup')!;
      assert.equal(lookup.details.transport, 'ws');
      assert.equal(lookup.agency, POLICE);
      assert.equal(lookup.purpose, PURPOSE);
      assert.equal(lookup.outcome, 'success');
      assert.equal(lookup.documentHash, sha256(LOOKUP));
      assert.ok(lookup.personalFields.includes('Citizen.dateOfBirth'));
      assert.ok(lookup.subjects.includes(hash({ kind: 'personal-id', value: CITIZEN_ID })));
      assert.equal(lookup.bytesOut, Buffer.byteLength(JSON.stringify(answer.payload)));
      assert.equal(served.length, 1);
      assert.equal(served[0]!.purpose, PURPOSE);
      assert.ok(served[0]!.subjects.includes(hash({ kind: 'personal-id', value: CITIZEN_ID })));
      const invalid = graphql.find((r) => r.action !== 'CitizenLookup')!;
      assert.equal(invalid.outcome, 'rejected');
      assert.deepEqual(invalid.errorCodes, ['GRAPHQL_VALIDATION_FAILED']);
    } finally {
      socket.close();
    }
  });

  test('a subscription: one record when it starts, one when it is refused', async () => {
    const query = 'subscription Inbox { packetAvailable { eventId } }';
    const started = randomUUID();
    const police = await openSocket(started);
    const refusedId = randomUUID();
    const anonymous = await openSocket(refusedId);
    try {
      police.send({ type: 'connection_init', payload: { authorization: `Bearer ${await systemToken(POLICE)}` } });
      await police.next((m) => m.type === 'connection_ack');
      police.send({ id: 's', type: 'subscribe', payload: { query, operationName: 'Inbox' } });
      anonymous.send({ type: 'connection_init', payload: {} });
      await anonymous.next((m) => m.type === 'connection_ack');
      anonymous.send({ id: 's', type: 'subscribe', payload: { query, operationName: 'Inbox' } });
      const refusal = await anonymous.next((m) => m.type === 'error' && m.id === 's');
      assert.equal(refusal.payload[0].extensions.code, 'UNAUTHORIZED_FIELD_OR_TYPE');

      const subscribed = (await recordsOf(started, { graphql: 1, served: 0 })).graphql;
      assert.equal(subscribed.length, 1);
      assert.equal(subscribed[0]!.operationType, 'subscription');
      assert.equal(subscribed[0]!.action, 'Inbox');
      assert.equal(subscribed[0]!.outcome, 'success');
      assert.equal(subscribed[0]!.service, 'subscriptions');
      assert.deepEqual(subscribed[0]!.fields, ['Subscription.packetAvailable', 'PacketAvailableEvent.eventId']);
      assert.deepEqual(subscribed[0]!.personalFields, []);

      const refused = (await recordsOf(refusedId, { graphql: 1, served: 0 })).graphql;
      assert.equal(refused[0]!.operationType, 'subscription');
      assert.equal(refused[0]!.outcome, 'denied');
      assert.equal(refused[0]!.agency, null);
      assert.deepEqual(refused[0]!.errorCodes, ['UNAUTHORIZED_FIELD_OR_TYPE']);
    } finally {
      police.socket.close();
      anonymous.socket.close();
    }
  });
});

describe('shutdown', () => {
  test('a clean close writes every queued record', async () => {
    // A log whose appends wait until the test lets them through: the records are still queued when close starts.
    const inner = createMemoryAuditLog();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated: AuditLog = { ...inner, append: async (entries) => (await gate, inner.append(entries)) };
    const second = await startTestGateway(gated);
    const token = await systemToken(POLICE);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': randomUUID() };
      const res = await fetch(second.url, { method: 'POST', headers, body: JSON.stringify({ query: '{ administrativeUnit(code: "40") { name } }' }) });
      await res.text();
      ids.push(res.headers.get('x-request-id')!);
    }
    const closing = second.close();
    assert.equal(inner.records.length, 0);
    release();
    await closing;
    assert.deepEqual(
      inner.records.map((r) => r.requestId),
      ids,
    );
  });
});
