/**
 * Walks the registry's authorization matrix (authorization.table.ts) over HTTP with real internal tokens: every
 * operation for every kind of caller, each on a record made fresh for it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { callers, matrix, type MatrixRow } from './authorization.table.ts';
import { adminOf, JUSTICE, OPERATOR, POLICE, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';
import type { Principal } from '@lgsp/kit';

const CONSUMER_SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;

describe('registry authorization matrix', () => {
  let h: RegistryHarness;
  let n = 0;
  before(async () => {
    h = await startRegistryHarness();
  });
  after(async () => {
    await h.close();
  });

  const data = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };

  /** Cancels every open request (one system has one open request per service). */
  async function cancelOpen(): Promise<void> {
    const open = data(await h.gql(OPERATOR, '{ accessRequests { id state } }')).accessRequests as Array<{ id: string; state: string }>;
    for (const r of open.filter((x) => x.state !== 'CANCELLED' && x.state !== 'REJECTED')) {
      data(await h.gql(OPERATOR, 'mutation($id: ID!) { actOnAccessRequest(id: $id, action: CANCEL, reason: "matrix") { id } }', { id: r.id }));
    }
  }

  /** A fresh request from JUSTICE to POLICE's citizen service (the previous ones cancelled). */
  async function freshRequest(): Promise<string> {
    await cancelOpen();
    const submitted = await h.gql(adminOf(JUSTICE), 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
      input: {
        consumerSystem: CONSUMER_SYSTEM,
        serviceCode: 'national-data-citizen',
        fieldSets: ['national-data.citizen.basic'],
        purposes: ['civil-status'],
        legalBasis: 'Luật Hộ tịch 2014',
        expectedRequestsPerDay: 10,
        securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết mẫu 03' },
      },
    });
    return data(submitted).submitAccessRequest.id as string;
  }

  const act = async (principal: Principal, id: string, action: string) =>
    data(await h.gql(principal, `mutation { actOnAccessRequest(id: "${id}", action: ${action}) { state } }`)).actOnAccessRequest.state as string;

  /** A fresh request, approved by the provider and the operator: TESTING (the test grant written). */
  async function testingRequest(): Promise<string> {
    const id = await freshRequest();
    await act(adminOf(POLICE), id, 'APPROVE');
    assert.equal(await act(OPERATOR, id, 'APPROVE'), 'TESTING');
    return id;
  }

  /** A fresh request through its integration: LIVE (the production grant written). */
  async function liveRequest(): Promise<string> {
    const id = await testingRequest();
    await act(adminOf(JUSTICE), id, 'REPORT_INTEGRATED');
    assert.equal(await act(adminOf(POLICE), id, 'CONFIRM_INTEGRATION'), 'LIVE');
    return id;
  }

  const credentialOf = async (environment: 'TEST' | 'PRODUCTION'): Promise<string | undefined> =>
    (
      data(await h.gql(OPERATOR, `{ informationSystem(id: "${CONSUMER_SYSTEM}") { credentials { clientId environment } } }`)).informationSystem
        .credentials as Array<{
        clientId: string;
        environment: string;
      }>
    ).find((c) => c.environment === environment)?.clientId;

  /** The consumer system without a credential in `environment` (the operator deletes the one left by a previous cell). */
  async function noCredential(environment: 'TEST' | 'PRODUCTION'): Promise<void> {
    const clientId = await credentialOf(environment);
    if (clientId !== undefined) data(await h.gql(OPERATOR, `mutation { deleteCredential(clientId: "${clientId}", reason: "matrix") { id } }`));
  }

  /** The consumer system's test credential (issued by the operator on a TESTING request when there is none). */
  /** A grant configured on the gateway (no request) from POLICE to JUSTICE, in the grant store the registry reads. */
  async function grantBetweenParties(): Promise<void> {
    const grant = {
      id: 'matrix.police.justice',
      provider: POLICE,
      consumer: JUSTICE,
      service: 'national-data',
      fieldSets: ['national-data.citizen.basic'],
      purposes: ['civil-status'],
      validFrom: '2026-01-01T00:00:00.000Z',
    };
    if ((await h.grants.get(grant.id)) === null) assert.equal(await h.grants.putAll([grant], await h.grants.version()), true);
  }

  async function testCredential(): Promise<string> {
    const existing = await credentialOf('TEST');
    if (existing !== undefined) return existing;
    await testingRequest();
    return data(
      await h.gql(
        OPERATOR,
        `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId } }`,
      ),
    ).issueCredential.clientId as string;
  }

  const application = (name: string) => ({
    agencyCode: JUSTICE,
    name,
    description: 'Một cửa điện tử của Sở',
    loginUrl: `https://app-${n}.stp.nghean.gov.vn/login`,
    logoutUrl: `https://app-${n}.stp.nghean.gov.vn/logout`,
    redirectUris: [`https://app-${n}.stp.nghean.gov.vn/callback`],
  });
  const register = (principal: Principal, name: string) =>
    h.gql(principal, 'mutation($input: AgencyApplicationInput!) { registerAgencyApplication(input: $input) { application { id } clientSecret } }', {
      input: application(name),
    });

  const proposal = (code: string) => ({
    code,
    name: `Dịch vụ ${code}`,
    providerSystem: `${POLICE}:csdl-dan-cu-tinh`,
    kind: 'RELAY_DATA_TYPE',
    relayDataType: 'DOSSIER',
    description: {
      authentication: 'OAuth 2.0',
      method: 'relay',
      url: 'https://lgsp.nghean.gov.vn/graphql',
      requestFormat: 'application/json',
      responseFormat: 'application/json',
      headers: [],
      requestSample: '{}',
      responseSample: '{}',
      purpose: 'hồ sơ',
      states: [],
    },
    fieldSets: [],
  });

  async function run(row: MatrixRow, principal: Principal): Promise<GraphQLAnswer> {
    n += 1;
    switch (row.operation) {
      case 'registerAgency':
        return h.gql(principal, 'mutation($code: ID!) { registerAgency(input: { code: $code, name: "Cơ quan thử", parentCode: "000.00.00.H41" }) { code } }', {
          code: `000.00.${String(40 + n).padStart(2, '0')}.H41`,
        });
      case 'registerInformationSystem(consumer agency)':
        return h.gql(
          principal,
          'mutation($slug: String!) { registerInformationSystem(input: { agencyCode: "000.00.04.H41", slug: $slug, name: "x", purpose: "x", contacts: [], environments: [TEST], healthEndpoints: [] }) { id } }',
          { slug: `matrix-${n}` },
        );
      case 'informationSystem(consumer system)':
        return h.gql(principal, `{ informationSystem(id: "${CONSUMER_SYSTEM}") { id } }`);
      case 'submitServiceRegistration(provider agency)':
        return h.gql(
          principal,
          'mutation($input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: "000.00.02.H41", input: $input) { id } }',
          {
            input: proposal(`matrix-service-${n}`),
          },
        );
      case 'submitAccessRequest(consumer system)': {
        await cancelOpen();
        return h.gql(principal, 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
          input: {
            consumerSystem: CONSUMER_SYSTEM,
            serviceCode: 'national-data-citizen',
            fieldSets: ['national-data.citizen.basic'],
            purposes: ['civil-status'],
            legalBasis: 'x',
            expectedRequestsPerDay: 1,
            securityCommitment: { signedBy: 'x', text: 'x' },
          },
        });
      }
      case 'accessRequest':
        return h.gql(
          principal,
          `{ accessRequest(id: "${await freshRequest()}") { id approvedFieldSets workingDaysLeft consumerAgencyName providerAgencyName } }`,
        );
      case 'actOnAccessRequest APPROVE (pending)':
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE) { id } }`);
      case 'actOnAccessRequest APPROVE fieldSets (pending)':
        return h.gql(
          principal,
          `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE, fieldSets: ["national-data.citizen.basic"]) { id approvedFieldSets } }`,
        );
      case 'actOnAccessRequest RESUBMIT (changes requested)': {
        const id = await freshRequest();
        data(await h.gql(OPERATOR, `mutation { actOnAccessRequest(id: "${id}", action: REQUEST_CHANGES, reason: "bổ sung căn cứ") { id } }`));
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${id}", action: RESUBMIT) { id } }`);
      }
      case 'retireServiceVersion (no notice)':
        return h.gql(principal, 'mutation { retireServiceVersion(serviceCode: "national-data-citizen", version: 1) { id } }');
      case 'informationSystems(consumer agency)':
        return h.gql(principal, `{ informationSystems(agencyCode: "${JUSTICE}") { id } }`);
      case 'registryAgencies':
        return h.gql(principal, '{ registryAgencies { code } }');
      case 'registryServices':
        return h.gql(principal, '{ registryServices { code versions { version } } }');
      case 'registryService':
        return h.gql(principal, '{ registryService(code: "national-data-citizen") { code versions { fieldSets { fields fieldDocs { coordinate type } } } } }');
      case 'serviceNotices':
        return h.gql(principal, '{ serviceNotices { id } }');
      case 'amendAccessRequest (changes requested)': {
        const id = await freshRequest();
        data(await h.gql(OPERATOR, `mutation { actOnAccessRequest(id: "${id}", action: REQUEST_CHANGES, reason: "bổ sung căn cứ") { id } }`));
        return h.gql(principal, `mutation { amendAccessRequest(id: "${id}", input: { legalBasis: "Luật Hộ tịch 2014, Điều 4" }) { id } }`);
      }
      case 'accessRequests':
        await freshRequest();
        return h.gql(principal, '{ accessRequests(state: PENDING_APPROVAL) { id } }');
      case 'actOnAccessRequest REPORT_INTEGRATED (testing)':
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${await testingRequest()}", action: REPORT_INTEGRATED) { id } }`);
      case 'actOnAccessRequest CANCEL (pending)':
        return h.gql(principal, `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: CANCEL, reason: "không còn cần") { id } }`);
      case 'issueCredential TEST (request testing)':
        await testingRequest();
        await noCredential('TEST');
        return h.gql(
          principal,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
        );
      case 'issueCredential PRODUCTION (request testing)':
        await testingRequest();
        await noCredential('PRODUCTION');
        return h.gql(
          principal,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId } }`,
        );
      case 'issueCredential PRODUCTION (request live)':
        await liveRequest();
        await noCredential('PRODUCTION');
        return h.gql(
          principal,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
        );
      case 'rotateCredential (test credential)':
        return h.gql(principal, `mutation { rotateCredential(clientId: "${await testCredential()}") { clientId secret } }`);
      case 'setCredentialEnabled (test credential)':
        return h.gql(principal, `mutation { setCredentialEnabled(clientId: "${await testCredential()}", enabled: false, reason: "matrix") { id } }`);
      case 'deleteCredential (test credential)':
        return h.gql(principal, `mutation { deleteCredential(clientId: "${await testCredential()}", reason: "matrix") { id } }`);
      case 'registerAgencyApplication (consumer agency)':
        return register(principal, `Ứng dụng ${n}`);
      case 'agencyApplications (consumer agency)':
        return h.gql(principal, `{ agencyApplications(agencyCode: "${JUSTICE}") { id } }`);
      case 'myApplications':
        data(await register(OPERATOR, `Ứng dụng ${n}`));
        return h.gql(principal, '{ myApplications { id loginUrl } }');
      case 'grants(provider agency)':
        await grantBetweenParties();
        return h.gql(principal, `{ grants(providerAgency: "${POLICE}") { id origin providerAgencyName consumerAgencyName } }`);
      case 'grants(provider agency, consumer agency)':
        await grantBetweenParties();
        return h.gql(principal, `{ grants(providerAgency: "${POLICE}", consumerAgency: "${JUSTICE}") { id } }`);
      case 'removeAgencyApplication (consumer agency)': {
        const id = data(await register(OPERATOR, `Ứng dụng ${n}`)).registerAgencyApplication.application.id as string;
        return h.gql(principal, `mutation { removeAgencyApplication(id: "${id}", reason: "ngừng sử dụng") { id enabled } }`);
      }
    }
  }

  /** `ok`, `none` (an empty list: passed, sees nothing), or the error's code. */
  const outcomeOf = (answer: GraphQLAnswer): string => {
    if (answer.errors !== undefined) return String(answer.errors[0]?.extensions?.code);
    const value = Object.values(answer.data ?? {})[0];
    return Array.isArray(value) && value.length === 0 ? 'none' : 'ok';
  };

  for (const row of matrix) {
    it(`${row.operation}: ${Object.entries(row.outcomes)
      .filter(([, o]) => o !== 'FORBIDDEN')
      .map(([c, o]) => (o === 'ok' ? c : `${c} (${o})`))
      .join(', ')} — everyone else FORBIDDEN`, async () => {
      const seen: Record<string, string> = {};
      for (const [name, principal] of Object.entries(callers)) {
        const answer = await run(row, principal);
        seen[name] = outcomeOf(answer);
      }
      assert.deepEqual(seen, row.outcomes);
    });
  }
});
