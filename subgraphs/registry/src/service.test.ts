/**
 * The registry over real HTTP with real internal tokens, on real Redis: the operator registers an agency and its
 * system, a consumer agency requests two field sets, provider and operator approve, the grants and credentials
 * follow each step, every wrong party and illegal step is refused with its code, and a step failing midway leaves
 * everything as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registryGrantId } from './ports/grants.ts';
import {
  adminOf,
  developerOf,
  FINANCE,
  JUSTICE,
  OPERATOR,
  POLICE,
  providerSystemOf,
  startRegistryHarness,
  type GraphQLAnswer,
  type RegistryHarness,
} from './testing.ts';

const NEW_AGENCY = '000.00.23.H41';
const NEW_SYSTEM = `${NEW_AGENCY}:mot-cua`;
/** Keycloak client ids are lower case: `<agency code>.<slug>.<environment>`. */
const CLIENT_PREFIX = `${NEW_AGENCY.toLowerCase()}.mot-cua`;

const REQUEST_FIELDS =
  'id state providerApproved operatorApproved fieldSets approvedFieldSets dueAt overdue workingDaysLeft consumerAgencyName providerAgencyName history { action party by from to reason fieldSets }';

const codeOf = (answer: GraphQLAnswer) => answer.errors?.[0]?.extensions?.code;

function ok(answer: GraphQLAnswer): Record<string, any> {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data!;
}

const submitRequest = `mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { ${REQUEST_FIELDS} } }`;
const act = `mutation($id: ID!, $action: AccessAction!, $reason: String, $as: Party, $fieldSets: [String!]) { actOnAccessRequest(id: $id, action: $action, reason: $reason, as: $as, fieldSets: $fieldSets) { ${REQUEST_FIELDS} } }`;

const requestInput = (fieldSets: string[], system = NEW_SYSTEM) => ({
  consumerSystem: system,
  serviceCode: 'national-data-citizen',
  fieldSets,
  purposes: ['civil-status'],
  legalBasis: 'Nghị định 47/2024/NĐ-CP, Điều 12',
  expectedRequestsPerDay: 500,
  quota: { requests: 10, perSeconds: 1 },
  securityCommitment: { signedBy: 'Nguyễn Văn B, Chủ tịch UBND phường', text: 'Cam kết bảo đảm an toàn thông tin theo mẫu 03.' },
});

describe('registry service', () => {
  let h: RegistryHarness;
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('refuses calls without the gateway token, and anonymous callers', async () => {
    const response = await fetch(h.running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ registryAgencies { code } }"}',
    });
    assert.equal(response.status, 401);
    const anonymous = await h.gql({ kind: 'anonymous', roles: [], scopes: [] }, '{ registryAgencies { code } }');
    assert.equal(codeOf(anonymous), 'UNAUTHENTICATED');
  });

  it("lists each field set's fields with their types and descriptions from the composed supergraph", async () => {
    const data = ok(
      await h.gql(
        adminOf(JUSTICE),
        '{ registryService(code: "national-data-citizen") { versions { fieldSets { name fields fieldDocs { coordinate type description } } } } }',
      ),
    );
    const sets = data.registryService.versions[0].fieldSets as Array<{
      name: string;
      fields: string[];
      fieldDocs: Array<{ coordinate: string; type: string; description: string | null }>;
    }>;
    const basic = sets.find((f) => f.name === 'national-data.citizen.basic')!;
    const personal = sets.find((f) => f.name === 'national-data.citizen.personal')!;
    assert.ok(basic.fields.includes('Citizen.fullName') && basic.fields.includes('Query.citizen'), basic.fields.join(', '));
    assert.ok(!basic.fields.includes('Citizen.dateOfBirth'), 'a field with its own @policy belongs to that set');
    assert.ok(personal.fields.includes('Citizen.dateOfBirth') && personal.fields.includes('Citizen.household'), personal.fields.join(', '));
    const fullName = basic.fieldDocs.find((d) => d.coordinate === 'Citizen.fullName')!;
    assert.ok(fullName.type.startsWith('String'));
    assert.ok((fullName.description ?? '').length > 0);
    assert.deepEqual(
      basic.fieldDocs.map((d) => d.coordinate),
      basic.fields,
    );
  });

  it('serves the development seed', async () => {
    const data = ok(
      await h.gql(
        adminOf(JUSTICE),
        '{ registryAgencies { code status } registryService(code: "national-data-citizen") { providerAgency kind currentVersion versions { id status fieldSets { name } } } }',
      ),
    );
    assert.ok(data.registryAgencies.some((a: { code: string }) => a.code === POLICE));
    assert.equal(data.registryService.providerAgency, POLICE);
    assert.deepEqual(
      data.registryService.versions[0].fieldSets.map((f: { name: string }) => f.name),
      ['national-data.citizen.basic', 'national-data.citizen.personal'],
    );
  });

  it('lets only the operator register an agency, with a precise code for a bad code or a duplicate', async () => {
    const register = 'mutation($input: RegisterAgencyInput!) { registerAgency(input: $input) { code name parentCode status } }';
    const input = { code: NEW_AGENCY, name: 'Ủy ban nhân dân phường Cửa Nam', shortName: 'UBND phường Cửa Nam', parentCode: '000.00.00.H41' };
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), register, { input })), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(OPERATOR, register, { input: { ...input, code: '000.01.00.H41' } })), 'INVALID_AGENCY_CODE');
    assert.equal(codeOf(await h.gql(OPERATOR, register, { input: { ...input, code: 'H41' } })), 'INVALID_AGENCY_CODE');
    const data = ok(await h.gql(OPERATOR, register, { input }));
    assert.deepEqual(data.registerAgency, { code: NEW_AGENCY, name: input.name, parentCode: '000.00.00.H41', status: 'ACTIVE' });
    assert.equal(codeOf(await h.gql(OPERATOR, register, { input })), 'ALREADY_EXISTS');
    const renamed = ok(
      await h.gql(OPERATOR, `mutation { updateAgency(code: "${NEW_AGENCY}", input: { englishName: "Cua Nam Ward People's Committee" }) { name englishName } }`),
    );
    assert.deepEqual(renamed.updateAgency, { name: input.name, englishName: "Cua Nam Ward People's Committee" });
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), `mutation { updateAgency(code: "${NEW_AGENCY}", input: { name: "x" }) { name } }`)), 'FORBIDDEN');
    assert.ok(h.events.announced.some((e) => e.family === 'agency-changed' && e.fields.code === NEW_AGENCY));
    const read = `{ registryChanges(entity: "Agency", entityId: "${NEW_AGENCY}") { action actor { kind username } before after } }`;
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), read)), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(OPERATOR, '{ registryChanges(limit: 501) { id } }')), 'LIMIT_EXCEEDED');
    const logged = ok(await h.gql(OPERATOR, read)).registryChanges;
    assert.deepEqual(
      logged.map((c: { action: string; actor: { kind: string; username: string } }) => [c.action, c.actor.kind, c.actor.username]),
      [
        ['UPDATE', 'user', OPERATOR.username],
        ['REGISTER', 'user', OPERATOR.username],
      ],
    );
    assert.equal(logged[1].before, null);
    assert.equal(JSON.parse(logged[1].after).code, NEW_AGENCY);
    const records = await h.changes.list({ entity: 'Agency', id: NEW_AGENCY, limit: 5 });
    assert.deepEqual(
      records.map((r) => r.action),
      ['UPDATE', 'REGISTER'],
    );
    const record = records.at(-1);
    assert.equal(record?.actor.username, OPERATOR.username);
  });

  it("lets an agency's administrator register its own systems only", async () => {
    const register =
      'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id agencyCode environments healthEndpoints { level url intervalSeconds } } }';
    const input = {
      agencyCode: NEW_AGENCY,
      slug: 'mot-cua',
      name: 'Bộ phận một cửa phường Cửa Nam',
      purpose: 'Giải quyết thủ tục hành chính',
      contacts: [{ name: 'Trần Thị C', email: 'tranthic@nghean.gov.vn', role: 'TECHNICAL' }],
      environments: ['TEST', 'PRODUCTION'],
      healthEndpoints: [{ level: 1, url: 'https://motcua-cuanam.nghean.gov.vn/health', intervalSeconds: 60 }],
    };
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), register, { input })), 'FORBIDDEN');
    assert.equal(
      codeOf(await h.gql(adminOf(NEW_AGENCY), register, { input: { ...input, contacts: [{ ...input.contacts[0], email: 'not-mail' }] } })),
      'BAD_USER_INPUT',
    );
    const data = ok(await h.gql(adminOf(NEW_AGENCY), register, { input }));
    assert.equal(data.registerInformationSystem.id, NEW_SYSTEM);
    assert.deepEqual(data.registerInformationSystem.environments, ['TEST', 'PRODUCTION']);
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), register, { input })), 'ALREADY_EXISTS');
    // Another agency does not see its details.
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), `{ informationSystem(id: "${NEW_SYSTEM}") { id } }`)), 'FORBIDDEN');
  });

  let requestId = '';

  it('takes a request for two field sets, refusing field sets the version does not offer', async () => {
    const unknown = await h.gql(adminOf(NEW_AGENCY), submitRequest, { input: requestInput(['national-data.citizen.basic', 'national-data.citizen.secret']) });
    assert.equal(codeOf(unknown), 'UNKNOWN_FIELD_SET');
    assert.deepEqual(unknown.errors?.[0]?.extensions?.unknown, ['national-data.citizen.secret']);
    // Only the consumer agency's administrator asks for its systems.
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), submitRequest, { input: requestInput(['national-data.citizen.basic']) })), 'FORBIDDEN');
    const data = ok(
      await h.gql(adminOf(NEW_AGENCY), submitRequest, { input: requestInput(['national-data.citizen.basic', 'national-data.citizen.personal']) }),
    );
    const request = data.submitAccessRequest;
    requestId = request.id;
    assert.equal(request.state, 'PENDING_APPROVAL');
    assert.ok(Date.parse(request.dueAt) > Date.now() + 4 * 86_400_000, 'five working days ahead');
    // Five working days counted from the day of receipt (the next working day when received after hours).
    assert.ok(request.workingDaysLeft === 5 || request.workingDaysLeft === 6, `workingDaysLeft ${request.workingDaysLeft}`);
    assert.equal(request.approvedFieldSets, null);
    assert.equal(request.providerAgencyName, 'Công an tỉnh Nghệ An');
    assert.equal(typeof request.consumerAgencyName, 'string');
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), submitRequest, { input: requestInput(['national-data.citizen.basic']) })), 'ALREADY_EXISTS');
    assert.ok(h.events.announced.some((e) => e.family === 'access-request-changed' && e.agency === POLICE && e.fields.accessRequestId === requestId));
  });

  it('refuses approvals by the wrong party and shows the request only to its parties', async () => {
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), act, { id: requestId, action: 'APPROVE' })), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), act, { id: requestId, action: 'APPROVE' })), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), `{ accessRequest(id: "${requestId}") { id } }`)), 'FORBIDDEN');
    assert.equal(codeOf(await h.gql(adminOf(POLICE), act, { id: requestId, action: 'REJECT' })), 'BAD_USER_INPUT', 'a refusal needs a reason');
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), act, { id: requestId, action: 'REPORT_INTEGRATED' })), 'ILLEGAL_TRANSITION');
    const visible = ok(await h.gql(adminOf(JUSTICE), '{ accessRequests { id } }'));
    assert.deepEqual(visible.accessRequests, []);
  });

  it('lets only the provider choose the field sets it approves: a non-empty subset of those requested', async () => {
    const police = adminOf(POLICE);
    const empty = await h.gql(police, act, { id: requestId, action: 'APPROVE', fieldSets: [] });
    assert.equal(codeOf(empty), 'BAD_USER_INPUT');
    assert.equal(empty.errors?.[0]?.extensions?.argument, 'fieldSets');
    const other = await h.gql(police, act, { id: requestId, action: 'APPROVE', fieldSets: ['national-data.citizen.basic', 'national-data.enterprise.basic'] });
    assert.equal(codeOf(other), 'FIELD_SET_NOT_REQUESTED');
    assert.deepEqual(other.errors?.[0]?.extensions?.notRequested, ['national-data.enterprise.basic']);
    const byOperator = await h.gql(OPERATOR, act, { id: requestId, action: 'APPROVE', fieldSets: ['national-data.citizen.basic'] });
    assert.equal(codeOf(byOperator), 'BAD_USER_INPUT', 'the operator approves what the provider chose');
    const withReject = await h.gql(police, act, { id: requestId, action: 'REJECT', reason: 'x', fieldSets: ['national-data.citizen.basic'] });
    assert.equal(codeOf(withReject), 'BAD_USER_INPUT');
    const unchanged = ok(await h.gql(OPERATOR, `{ accessRequest(id: "${requestId}") { state approvedFieldSets } }`)).accessRequest;
    assert.deepEqual(unchanged, { state: 'PENDING_APPROVAL', approvedFieldSets: null });
  });

  it('writes nothing when the grant store fails at the second approval', async () => {
    const provider = providerSystemOf(POLICE, `${POLICE}:csdl-dan-cu-tinh`);
    const first = ok(await h.gql(provider, act, { id: requestId, action: 'APPROVE', fieldSets: ['national-data.citizen.basic'] })).actOnAccessRequest;
    assert.equal(first.state, 'PROVIDER_APPROVED');
    assert.equal(first.providerApproved, true);
    assert.deepEqual(first.fieldSets, ['national-data.citizen.basic', 'national-data.citizen.personal'], 'the request keeps what was asked');
    assert.deepEqual(first.approvedFieldSets, ['national-data.citizen.basic']);
    assert.deepEqual(first.history.at(-1).fieldSets, ['national-data.citizen.basic'], 'the history records the choice');
    h.grants.failNextWrite(new Error('grant store down'));
    const failed = await h.gql(OPERATOR, act, { id: requestId, action: 'APPROVE' });
    assert.equal(codeOf(failed), 'INTERNAL_SERVER_ERROR');
    const still = ok(await h.gql(OPERATOR, `{ accessRequest(id: "${requestId}") { state operatorApproved } }`)).accessRequest;
    assert.deepEqual(still, { state: 'PROVIDER_APPROVED', operatorApproved: false });
    assert.deepEqual(await h.grants.list(), []);
  });

  it('writes the test grant when both approved; test credentials only then, production ones not yet', async () => {
    const approved = ok(await h.gql(OPERATOR, act, { id: requestId, action: 'APPROVE' })).actOnAccessRequest;
    assert.equal(approved.state, 'TESTING');
    assert.equal(approved.dueAt, null, 'the clock stops once answered');
    assert.equal(approved.workingDaysLeft, null, 'no one must answer any more');
    assert.deepEqual(approved.approvedFieldSets, ['national-data.citizen.basic']);
    const grant = await h.grants.get(registryGrantId(requestId, 'test'));
    assert.deepEqual(
      { ...grant, validFrom: undefined },
      {
        id: `registry.${requestId}.test`,
        provider: POLICE,
        consumer: NEW_AGENCY,
        service: 'national-data',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['civil-status'],
        validFrom: undefined,
        basis: `access request ${requestId}: Nghị định 47/2024/NĐ-CP, Điều 12`,
        environment: 'test',
        quota: { requests: 10, perSeconds: 1 },
      },
    );
    assert.equal(await h.grants.get(registryGrantId(requestId, 'production')), null);

    const issue = `mutation($env: RegistryEnvironment!) { issueCredential(systemId: "${NEW_SYSTEM}", input: { environment: $env, method: CLIENT_SECRET_JWT }) { clientId environment method secret } }`;
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), issue, { env: 'PRODUCTION' })), 'ILLEGAL_TRANSITION');
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), issue, { env: 'TEST' })), 'FORBIDDEN');
    const issued = ok(await h.gql(adminOf(NEW_AGENCY), issue, { env: 'TEST' })).issueCredential;
    assert.equal(issued.clientId, `${CLIENT_PREFIX}.test`);
    assert.equal(issued.environment, 'TEST');
    assert.equal(typeof issued.secret, 'string');
    assert.equal((await h.issuer.get(issued.clientId))?.enabled, true);
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), issue, { env: 'TEST' })), 'ALREADY_EXISTS');
    const jwt = `mutation { issueCredential(systemId: "${NEW_SYSTEM}", input: { environment: TEST, method: CLIENT_JWT }) { clientId } }`;
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), jwt)), 'ALREADY_EXISTS');
  });

  it('goes live after the consumer reports and the provider confirms: the production grant is written', async () => {
    assert.equal(codeOf(await h.gql(adminOf(POLICE), act, { id: requestId, action: 'REPORT_INTEGRATED' })), 'FORBIDDEN');
    const reported = ok(await h.gql(adminOf(NEW_AGENCY), act, { id: requestId, action: 'REPORT_INTEGRATED' })).actOnAccessRequest;
    assert.equal(reported.state, 'INTEGRATION_REPORTED');
    const live = ok(await h.gql(adminOf(POLICE), act, { id: requestId, action: 'CONFIRM_INTEGRATION' })).actOnAccessRequest;
    assert.equal(live.state, 'LIVE');
    const production = await h.grants.get(registryGrantId(requestId, 'production'));
    assert.equal(production?.environment, 'production');
    assert.deepEqual(production?.fieldSets, ['national-data.citizen.basic'], 'production follows the approved field sets too');
    const issued = ok(
      await h.gql(
        adminOf(NEW_AGENCY),
        `mutation { issueCredential(systemId: "${NEW_SYSTEM}", input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
      ),
    ).issueCredential;
    assert.equal(issued.clientId, `${CLIENT_PREFIX}.production`);
    const rotate = `mutation { rotateCredential(clientId: "${issued.clientId}") { clientId secret } }`;
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), rotate)), 'FORBIDDEN');
    const rotated = ok(await h.gql(adminOf(NEW_AGENCY), rotate)).rotateCredential;
    assert.equal(rotated.clientId, issued.clientId);
    assert.notEqual(rotated.secret, issued.secret);
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), 'mutation { rotateCredential(clientId: "000.00.23.H41.nope.test") { clientId } }')), 'NOT_FOUND');
    assert.deepEqual(
      live.history.map((e: { action: string; party: string }) => `${e.action}:${e.party}`),
      ['SUBMIT:CONSUMER', 'APPROVE:PROVIDER', 'APPROVE:OPERATOR', 'REPORT_INTEGRATED:CONSUMER', 'CONFIRM_INTEGRATION:PROVIDER'],
    );
  });

  it('lists the grants in force to the operator and to either side, including those configured without a request', async () => {
    const configured = {
      id: 'dev.tuphap.citizen-basic',
      provider: POLICE,
      consumer: JUSTICE,
      service: 'national-data',
      fieldSets: ['national-data.citizen.basic'],
      purposes: ['civil-status'],
      validFrom: '2026-01-01T00:00:00.000Z',
      basis: 'development grant',
    };
    assert.equal(await h.grants.putAll([configured], await h.grants.version()), true);
    const query = `query($p: ID, $c: ID) { grants(providerAgency: $p, consumerAgency: $c) {
      id origin accessRequestId providerAgency providerAgencyName consumerAgency consumerAgencyName service fieldSets environment active validTo basis } }`;
    const all = ok(await h.gql(OPERATOR, query)).grants as Array<Record<string, unknown>>;
    assert.deepEqual(all.map((g) => g.id).sort(), ['dev.tuphap.citizen-basic', `registry.${requestId}.production`, `registry.${requestId}.test`]);
    const dev = all.find((g) => g.id === 'dev.tuphap.citizen-basic')!;
    assert.deepEqual(
      {
        origin: dev.origin,
        accessRequestId: dev.accessRequestId,
        environment: dev.environment,
        active: dev.active,
        providerAgencyName: dev.providerAgencyName,
      },
      { origin: 'CONFIGURED', accessRequestId: null, environment: 'PRODUCTION', active: true, providerAgencyName: 'Công an tỉnh Nghệ An' },
    );
    const test = all.find((g) => g.id === `registry.${requestId}.test`)!;
    assert.deepEqual(
      [test.origin, test.accessRequestId, test.environment, test.fieldSets],
      ['ACCESS_REQUEST', requestId, 'TEST', ['national-data.citizen.basic']],
    );
    // The provider sees what it gives; the consumer what it receives; a third agency nothing of theirs.
    assert.equal((ok(await h.gql(adminOf(POLICE), query)).grants as unknown[]).length, 3);
    const received = ok(await h.gql(adminOf(NEW_AGENCY), query, { c: NEW_AGENCY })).grants as Array<{ id: string }>;
    assert.deepEqual(received.map((g) => g.id).sort(), [`registry.${requestId}.production`, `registry.${requestId}.test`]);
    assert.deepEqual(ok(await h.gql(adminOf(FINANCE), query)).grants, []);
    assert.equal(codeOf(await h.gql(adminOf(FINANCE), query, { p: POLICE, c: JUSTICE })), 'FORBIDDEN');
    assert.deepEqual(ok(await h.gql(adminOf(FINANCE), query, { p: POLICE })).grants, [], 'only its own side, even when it names another');
    assert.deepEqual(
      (ok(await h.gql(adminOf(JUSTICE), query, { p: POLICE })).grants as Array<{ id: string }>).map((g) => g.id),
      ['dev.tuphap.citizen-basic'],
    );
    assert.equal(codeOf(await h.gql(developerOf(JUSTICE), query)), 'FORBIDDEN', 'grants are the administrators’');
    assert.equal(await h.grants.removeIfVersion(configured.id, await h.grants.version()), 'removed');
  });

  it('leaves the request live, its grants and credentials as they were, when Keycloak fails during a cancellation', async () => {
    h.issuer.failNextCall();
    const failed = await h.gql(adminOf(POLICE), act, { id: requestId, action: 'CANCEL', reason: 'hết nhu cầu' });
    assert.equal(codeOf(failed), 'IDENTITY_PROVIDER_UNAVAILABLE');
    const still = ok(await h.gql(OPERATOR, `{ accessRequest(id: "${requestId}") { state } }`)).accessRequest;
    assert.equal(still.state, 'LIVE');
    assert.ok(await h.grants.get(registryGrantId(requestId, 'test')));
    assert.ok(await h.grants.get(registryGrantId(requestId, 'production')));
    assert.equal((await h.issuer.get(`${CLIENT_PREFIX}.test`))?.enabled, true);
    assert.equal(await h.revocations.isRevoked(`${CLIENT_PREFIX}.test`), false);
  });

  it('serves the operator CLI endpoints: list, show and a cancellation that removes grants and disables credentials', async () => {
    const unauthorized = await h.internal('GET', '/internal/v1/access-requests', { token: 'x'.repeat(40) });
    assert.equal(unauthorized.status, 401);
    const badState = await h.internal('GET', '/internal/v1/access-requests?state=WHATEVER');
    assert.equal(badState.status, 400);
    const list = (await (await h.internal('GET', '/internal/v1/access-requests?state=LIVE')).json()) as { items: Array<{ id: string }> };
    assert.deepEqual(
      list.items.map((r) => r.id),
      [requestId],
    );
    const missing = await h.internal('GET', '/internal/v1/access-requests/ar-nope');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as GraphQLAnswer).errors?.[0]?.extensions?.code, 'NOT_FOUND');

    const illegal = await h.internal('POST', `/internal/v1/access-requests/${requestId}/actions`, { body: { action: 'APPROVE', by: 'operator.lgsp' } });
    assert.equal(illegal.status, 409);
    assert.equal(((await illegal.json()) as GraphQLAnswer).errors?.[0]?.extensions?.code, 'ILLEGAL_TRANSITION');
    const noReason = await h.internal('POST', `/internal/v1/access-requests/${requestId}/actions`, { body: { action: 'CANCEL', by: 'operator.lgsp' } });
    assert.equal(noReason.status, 400);

    const cancelled = await h.internal('POST', `/internal/v1/access-requests/${requestId}/actions`, {
      body: { action: 'CANCEL', by: 'operator.lgsp', reason: 'vi phạm cam kết' },
    });
    assert.equal(cancelled.status, 200);
    const body = (await cancelled.json()) as { state: string; history: Array<{ by: string; party: string; reason: string }> };
    assert.equal(body.state, 'CANCELLED');
    assert.deepEqual(body.history.at(-1), { ...body.history.at(-1), by: 'operator.lgsp', party: 'OPERATOR', reason: 'vi phạm cam kết' });
    assert.equal(await h.grants.get(registryGrantId(requestId, 'test')), null);
    assert.equal(await h.grants.get(registryGrantId(requestId, 'production')), null);
    for (const env of ['test', 'production']) {
      assert.equal((await h.issuer.get(`${CLIENT_PREFIX}.${env}`))?.enabled, false);
      assert.equal(await h.revocations.isRevoked(`${CLIENT_PREFIX}.${env}`), true);
    }
    const system = ok(await h.gql(adminOf(NEW_AGENCY), `{ informationSystem(id: "${NEW_SYSTEM}") { credentials { clientId enabled } } }`)).informationSystem;
    assert.ok(system.credentials.every((c: { enabled: boolean }) => !c.enabled));
    const enable = `mutation { setCredentialEnabled(clientId: "${CLIENT_PREFIX}.test", enabled: true, reason: "thử lại") { id } }`;
    assert.equal(codeOf(await h.gql(adminOf(NEW_AGENCY), enable)), 'ILLEGAL_TRANSITION', 'no request in force any more');
    const after = await h.internal('POST', `/internal/v1/access-requests/${requestId}/actions`, { body: { action: 'RESUME', by: 'operator.lgsp' } });
    assert.equal(after.status, 409, 'a cancelled request is final');
    const removed = ok(
      await h.gql(adminOf(NEW_AGENCY), `mutation { deleteCredential(clientId: "${CLIENT_PREFIX}.test", reason: "hết dùng") { credentials { clientId } } }`),
    ).deleteCredential;
    assert.deepEqual(removed.credentials, [{ clientId: `${CLIENT_PREFIX}.production` }]);
    assert.equal(await h.issuer.get(`${CLIENT_PREFIX}.test`), null);
    assert.equal(await h.revocations.isRevoked(`${CLIENT_PREFIX}.test`), true);
    const [record] = await h.changes.list({ entity: 'Credential', id: `${CLIENT_PREFIX}.test`, limit: 1 });
    assert.equal(record?.action, 'DELETE');
  });

  it('serves agencies with an ETag, 304 when unchanged, and a new version after a change', async () => {
    const first = await h.internal('GET', '/internal/v1/agencies');
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag')!;
    const body = (await first.json()) as { version: number; items: Array<Record<string, unknown>> };
    assert.equal(etag, `"${body.version}"`);
    assert.deepEqual(
      body.items.find((a) => a.code === NEW_AGENCY),
      {
        code: NEW_AGENCY,
        name: 'Ủy ban nhân dân phường Cửa Nam',
        shortName: 'UBND phường Cửa Nam',
        parentCode: '000.00.00.H41',
        status: 'ACTIVE',
        successorCodes: [],
        effectiveFrom: null,
      },
    );
    assert.equal((await h.internal('GET', '/internal/v1/agencies', { headers: { 'if-none-match': etag } })).status, 304);
    const renamed = ok(
      await h.gql(
        OPERATOR,
        `mutation { changeAgencyLifecycle(code: "000.01.06.H41", input: { status: MERGED, successorCodes: ["${NEW_AGENCY}"] }) { status successorCodes effectiveFrom } }`,
      ),
    ).changeAgencyLifecycle;
    assert.equal(renamed.status, 'MERGED');
    assert.deepEqual(renamed.successorCodes, [NEW_AGENCY]);
    const second = await h.internal('GET', '/internal/v1/agencies', { headers: { 'if-none-match': etag } });
    assert.equal(second.status, 200);
    assert.notEqual(second.headers.get('etag'), etag);
    assert.equal(
      codeOf(await h.gql(OPERATOR, 'mutation { changeAgencyLifecycle(code: "000.01.06.H41", input: { status: DISSOLVED, successorCodes: [] }) { status } }')),
      'ILLEGAL_TRANSITION',
    );
    assert.equal(
      codeOf(
        await h.gql(
          OPERATOR,
          `mutation { changeAgencyLifecycle(code: "000.00.21.H41", input: { status: SPLIT, successorCodes: ["${NEW_AGENCY}"] }) { status } }`,
        ),
      ),
      'BAD_USER_INPUT',
    );
    assert.equal(
      codeOf(
        await h.gql(
          OPERATOR,
          `mutation { changeAgencyLifecycle(code: "000.00.21.H41", input: { status: RENAMED, successorCodes: ["${NEW_AGENCY}"], effectiveFrom: "mai" }) { status } }`,
        ),
      ),
      'INVALID_DATE',
    );
  });

  it('schedules a lifecycle change dated later: the agency stays ACTIVE until then', async () => {
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const scheduled = ok(
      await h.gql(
        OPERATOR,
        `mutation { changeAgencyLifecycle(code: "000.00.21.H41", input: { status: RENAMED, successorCodes: ["${NEW_AGENCY}"], effectiveFrom: "${later}" }) { status scheduledChange { status effectiveFrom } } }`,
      ),
    ).changeAgencyLifecycle;
    assert.deepEqual(scheduled, { status: 'ACTIVE', scheduledChange: { status: 'RENAMED', effectiveFrom: later } });
  });

  it('serves the relay routes: a relay data type with the consumers in force in each environment', async () => {
    const edxml = (items: unknown[]) => items.filter((item) => (item as { dataType: string }).dataType === 'EDXML_DOCUMENT');
    const bad = await h.internal('GET', '/internal/v1/relay/routes?environment=staging');
    assert.equal(bad.status, 400);
    const routes = (await (await h.internal('GET', '/internal/v1/relay/routes?environment=test')).json()) as { version: number; items: unknown[] };
    assert.deepEqual(edxml(routes.items), [{ dataType: 'EDXML_DOCUMENT', provider: '000.00.01.H41', participants: [] }]);
    // Sở Tư pháp asks to exchange edXML documents; once both approve, it is a participant in the test environment only.
    const data = ok(
      await h.gql(adminOf(JUSTICE), submitRequest, {
        input: { ...requestInput([], `${JUSTICE}:ho-tich-dien-tu`), serviceCode: 'relay-edxml-document', fieldSets: [] },
      }),
    );
    const id = data.submitAccessRequest.id as string;
    ok(await h.gql(adminOf('000.00.01.H41'), act, { id, action: 'APPROVE' }));
    ok(await h.gql(OPERATOR, act, { id, action: 'APPROVE' }));
    const test = (await (
      await h.internal('GET', '/internal/v1/relay/routes?environment=test', { headers: { 'if-none-match': `"${routes.version}"` } })
    ).json()) as {
      version: number;
      items: unknown[];
    };
    assert.ok(test.version > routes.version);
    assert.deepEqual(edxml(test.items), [{ dataType: 'EDXML_DOCUMENT', provider: '000.00.01.H41', participants: [JUSTICE] }]);
    const production = (await (await h.internal('GET', '/internal/v1/relay/routes?environment=production')).json()) as { items: unknown[] };
    assert.deepEqual(edxml(production.items), [{ dataType: 'EDXML_DOCUMENT', provider: '000.00.01.H41', participants: [] }]);
    assert.equal(await h.grants.get(registryGrantId(id, 'test')), null, 'a relay data type writes no GrantStore grant');
  });
});

describe('registry service: provider registration (form 01)', () => {
  let h: RegistryHarness;
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  const proposal = {
    code: 'tu-phap-ho-tich',
    name: 'Tra cứu hộ tịch',
    providerSystem: `${JUSTICE}:ho-tich-dien-tu`,
    kind: 'SUBGRAPH',
    subgraph: 'civil-status',
    description: {
      authentication: 'OAuth 2.0 client credentials',
      method: 'GraphQL query',
      url: 'https://lgsp.nghean.gov.vn/graphql',
      requestFormat: 'application/json',
      responseFormat: 'application/json',
      headers: [{ name: 'Authorization', description: 'Bearer token' }],
      requestSample: '{ birthRegistration(number: "1") { fullName } }',
      responseSample: '{ "data": { "birthRegistration": null } }',
      purpose: 'Hộ tịch cho thủ tục hành chính',
      states: [{ code: '200', meaning: 'answered' }],
    },
    fieldSets: [{ name: 'civil-status.birth.basic', description: 'Khai sinh: họ tên, ngày sinh', personalData: true }],
  };
  const submit = `mutation($agency: ID!, $input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: $agency, input: $input) { id clock state dueAt serviceCode } }`;
  const decide = `mutation($id: ID!, $action: RegistrationAction!, $reason: String) { actOnServiceRegistration(id: $id, action: $action, reason: $reason) { id state history { action party } } }`;

  it('is submitted by the provider, checked at once, approved by the operator and then published', async () => {
    assert.equal(codeOf(await h.gql(adminOf(FINANCE), submit, { agency: JUSTICE, input: proposal })), 'FORBIDDEN');
    assert.equal(
      codeOf(
        await h.gql(adminOf(JUSTICE), submit, {
          agency: JUSTICE,
          input: { ...proposal, fieldSets: [{ ...proposal.fieldSets[0], name: 'national-data.citizen.basic' }] },
        }),
      ),
      'BAD_USER_INPUT',
    );
    assert.equal(
      codeOf(await h.gql(adminOf(JUSTICE), submit, { agency: JUSTICE, input: { ...proposal, providerSystem: `${FINANCE}:dang-ky-kinh-doanh` } })),
      'BAD_USER_INPUT',
    );
    const registration = ok(await h.gql(adminOf(JUSTICE), submit, { agency: JUSTICE, input: proposal })).submitServiceRegistration;
    assert.equal(registration.clock, 'REGISTRATION');
    assert.equal(registration.state, 'PENDING_APPROVAL');
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), submit, { agency: JUSTICE, input: proposal })), 'ALREADY_EXISTS');
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), decide, { id: registration.id, action: 'APPROVE' })), 'FORBIDDEN');
    const asked = ok(await h.gql(OPERATOR, decide, { id: registration.id, action: 'REQUEST_CHANGES', reason: 'thiếu mẫu trả lời' })).actOnServiceRegistration;
    assert.equal(asked.state, 'CHANGES_REQUESTED');
    assert.equal(ok(await h.gql(adminOf(JUSTICE), decide, { id: registration.id, action: 'RESUBMIT' })).actOnServiceRegistration.state, 'PENDING_APPROVAL');
    assert.equal(ok(await h.gql(OPERATOR, decide, { id: registration.id, action: 'APPROVE' })).actOnServiceRegistration.state, 'APPROVED');
    assert.equal(codeOf(await h.gql(OPERATOR, decide, { id: registration.id, action: 'APPROVE' })), 'ILLEGAL_TRANSITION');
    const service = ok(
      await h.gql(adminOf(FINANCE), '{ registryService(code: "tu-phap-ho-tich") { providerAgency currentVersion versions { status } } }'),
    ).registryService;
    assert.deepEqual(service, { providerAgency: JUSTICE, currentVersion: 1, versions: [{ status: 'PUBLISHED' }] });
  });

  it('publishes a new version as an update: the previous one is deprecated, kept 180 days, with a notice of its dropped fields', async () => {
    const next = {
      ...proposal,
      fieldSets: [...proposal.fieldSets, { name: 'civil-status.marriage.basic', description: 'Kết hôn', personalData: true }],
      deprecatedFields: [{ coordinate: 'BirthRegistration.placeOfBirthText', reason: 'use placeOfBirth' }],
    };
    const registration = ok(await h.gql(adminOf(JUSTICE), submit, { agency: JUSTICE, input: next })).submitServiceRegistration;
    assert.equal(registration.clock, 'UPDATE');
    assert.equal(registration.state, 'UPDATE_PENDING');
    ok(await h.gql(OPERATOR, decide, { id: registration.id, action: 'APPROVE' }));
    const versions = ok(
      await h.gql(
        adminOf(JUSTICE),
        '{ registryService(code: "tu-phap-ho-tich") { currentVersion versions { version status supersededAt keepUntil notice { sunsetAt fields { coordinate reason } } } } }',
      ),
    ).registryService;
    assert.equal(versions.currentVersion, 2);
    const [v1, v2] = versions.versions;
    assert.equal(v1.status, 'DEPRECATED');
    assert.equal(Date.parse(v1.keepUntil) - Date.parse(v1.supersededAt), 180 * 86_400_000);
    assert.equal(v1.notice.sunsetAt, v1.keepUntil);
    assert.equal(v2.status, 'PUBLISHED');
    const notices = (await (await h.internal('GET', '/internal/v1/notices')).json()) as { version: number; items: Array<Record<string, unknown>> };
    assert.deepEqual(
      notices.items.map((n) => [n.serviceCode, n.version, n.coordinate, n.reason, n.sunsetAt]),
      [['tu-phap-ho-tich', 1, 'BirthRegistration.placeOfBirthText', 'use placeOfBirth', v1.keepUntil]],
    );
    const retire = await h.gql(adminOf(JUSTICE), 'mutation { retireServiceVersion(serviceCode: "tu-phap-ho-tich", version: 1) { status } }');
    assert.equal(codeOf(retire), 'ILLEGAL_TRANSITION', 'not within the 180-day keep');
  });
});

describe('registry service: changes asked for, amended, resubmitted', () => {
  let h: RegistryHarness;
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('lets the consumer amend only while changes are asked for, checks the amendment, and restarts both approvals and the clock', async () => {
    const system = `${JUSTICE}:ho-tich-dien-tu`;
    const request = ok(await h.gql(adminOf(JUSTICE), submitRequest, { input: requestInput(['national-data.citizen.basic'], system) })).submitAccessRequest;
    const amend = `mutation($id: ID!, $input: AccessRequestAmendmentInput!) { amendAccessRequest(id: $id, input: $input) { state fieldSets purposes history { action } } }`;
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), amend, { id: request.id, input: { purposes: ['other'] } })), 'ILLEGAL_TRANSITION');
    ok(await h.gql(adminOf(POLICE), act, { id: request.id, action: 'APPROVE' }));
    const asked = ok(await h.gql(OPERATOR, act, { id: request.id, action: 'REQUEST_CHANGES', reason: 'ghi rõ mục đích' })).actOnAccessRequest;
    assert.equal(asked.state, 'CHANGES_REQUESTED');
    assert.equal(asked.dueAt, null);
    assert.equal(codeOf(await h.gql(adminOf(FINANCE), amend, { id: request.id, input: { purposes: ['other'] } })), 'FORBIDDEN');
    assert.equal(
      codeOf(await h.gql(adminOf(JUSTICE), amend, { id: request.id, input: { fieldSets: ['national-data.citizen.everything'] } })),
      'UNKNOWN_FIELD_SET',
    );
    assert.equal(codeOf(await h.gql(adminOf(JUSTICE), amend, { id: request.id, input: { purposes: ['Không hợp lệ'] } })), 'BAD_USER_INPUT');
    const amended = ok(
      await h.gql(adminOf(JUSTICE), amend, {
        id: request.id,
        input: { fieldSets: ['national-data.citizen.basic', 'national-data.citizen.personal'], purposes: ['birth-registration'] },
      }),
    ).amendAccessRequest;
    assert.deepEqual(amended.fieldSets, ['national-data.citizen.basic', 'national-data.citizen.personal']);
    assert.deepEqual(amended.purposes, ['birth-registration']);
    const resubmitted = ok(await h.gql(adminOf(JUSTICE), act, { id: request.id, action: 'RESUBMIT' })).actOnAccessRequest;
    assert.equal(resubmitted.state, 'PENDING_APPROVAL');
    assert.equal(resubmitted.providerApproved, false, 'both approvals start over');
    assert.ok(resubmitted.dueAt !== null);
    assert.deepEqual(
      resubmitted.history.map((e: { action: string }) => e.action),
      ['SUBMIT', 'APPROVE', 'REQUEST_CHANGES', 'AMEND', 'RESUBMIT'],
    );
  });
});
