/**
 * Walks the registry's authorization matrix (subgraphs/registry/src/authorization.table.ts, imported, not copied)
 * through the gateway on a real platform without Redis, with real tokens of the development issuer for each kind of
 * caller the table names: portal logins (authorization code + PKCE) of the operator, of agency administrators
 * (`<code>@nghean.gov.vn`) and of a civil servant; client-credentials tokens (client assertions) of agency systems;
 * and no token at all (anonymous, which the table does not list: the gateway refuses it before the registry).
 * Every cell's `extensions.code` (or success) must be what comes back through the gateway. The setup a row needs
 * (a pending request, one sent back for changes) is made through the gateway too, by the consumer's administrator
 * and the operator.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { developmentClientToken, developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { callers, matrix, type CallerName, type MatrixRow } from '../../subgraphs/registry/src/authorization.table.ts';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';

const POLICE = '000.00.02.H41';
const JUSTICE = '000.00.04.H41';
const CONSUMER_SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;
const SERVICE = 'national-data-citizen';

/**
 * The real account behind each caller of the table: a portal login (username) or a development agency-system
 * client; null when the realm has no such account.
 */
const accounts: Record<CallerName, { login: string } | { client: string } | null> = {
  // Văn phòng UBND tỉnh's civil servant; the agency's group holds the realm role lgsp-operator.
  operator: { login: 'lan.nguyen' },
  'consumer admin': { login: `${JUSTICE.toLowerCase()}@nghean.gov.vn` },
  'provider admin': { login: `${POLICE.toLowerCase()}@nghean.gov.vn` },
  // Công an tỉnh's population system: system_id 000.00.02.H41:csdl-dan-cu-tinh, data-provider by its group.
  'provider system': { client: 'congan-h41-dancu' },
  'other agency admin': { login: '000.00.03.h41@nghean.gov.vn' },
  // Sở Tư pháp's civil-status system: system_id 000.00.04.H41:ho-tich-dien-tu.
  'consumer system': { client: 'sotuphap-h41-hotich' },
  // Sở Tư pháp's civil servant, without agency-admin.
  'civil servant': { login: 'tuan.pham' },
  // Công an tỉnh's civil servant: data-provider by the agency's group, without agency-admin.
  'provider civil servant': { login: 'hung.tran' },
  // Every agency-admin account of the realm belongs to an agency (its group gives agency_code): no real token.
  'admin without agency': null,
  // Sở Tư pháp's developer (realm role agency-developer).
  'consumer developer': { login: 'thao.ngo' },
  // UBND xã Quế Phong's developer: another agency than the request's parties (the table's is Sở Tài chính's; the
  // outcomes are the same for any agency other than the consumer's and the provider's).
  'other agency developer': { login: 'minh.ho' },
  // Citizens sign in through VDXP (brokered), not with a realm account: walked by the registry's own test only.
  citizen: null,
};

/** What the gateway answers a caller without a token, for every operation: it never reaches the registry. */
const ANONYMOUS_OUTCOME = 'UNAUTHORIZED_FIELD_OR_TYPE';

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

describe('registry authorization matrix through the gateway (real tokens, no Redis)', () => {
  let p: PlatformFixture;
  /** Tokens by caller of the table, plus `anonymous` (none) and `office system` (the operating unit's system). */
  const tokens = new Map<string, string | null>();
  let n = 0;

  before(async () => {
    p = await startPlatformFixture({ redis: false, env: { REGISTRY_SEED: 'development' } });
    const realm = await loadRealmExport();
    tokens.set('anonymous', null);
    for (const [name, account] of Object.entries(accounts) as Array<[CallerName, (typeof accounts)[CallerName]]>) {
      if (account === null) continue;
      if ('client' in account) tokens.set(name, await developmentClientToken(p.platform.urls.issuer, account.client, realm));
      else {
        const user = realm.users.find((u) => u.username === account.login);
        assert.ok(user, `development user ${account.login}`);
        tokens.set(name, (await developmentPortalLogin(p.platform.urls.issuer, account.login, developmentPassword(user) ?? '')).accessToken);
      }
    }
  });
  after(async () => {
    await p?.close();
  });

  async function gql(caller: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
    const token = tokens.get(caller);
    assert.notEqual(token, undefined, `a token for ${caller}`);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(p.platform.urls.gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }
  /** A setup step: its data, or a failure quoting the errors. */
  async function data(caller: CallerName, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const answer = await gql(caller, query, variables);
    assert.equal(answer.body.errors, undefined, `${caller}: ${JSON.stringify(answer.body.errors)}`);
    return answer.body.data!;
  }

  /** Cancels the consumer system's open requests to the citizen service (one system has one open request per service). */
  async function cancelOpen(): Promise<void> {
    const all = (await data('operator', '{ accessRequests { id state consumerSystem serviceCode } }')).accessRequests as Array<Record<string, string>>;
    for (const r of all.filter((x) => x.consumerSystem === CONSUMER_SYSTEM && x.serviceCode === SERVICE && !['CANCELLED', 'REJECTED'].includes(x.state!))) {
      await data('operator', 'mutation($id: ID!) { actOnAccessRequest(id: $id, action: CANCEL, reason: "matrix") { id } }', { id: r.id });
    }
  }

  /** Cancels every request of the consumer system still in force (the development exchange's included). */
  async function cancelInForce(): Promise<void> {
    const all = (await data('operator', '{ accessRequests { id state consumerSystem } }')).accessRequests as Array<Record<string, string>>;
    for (const r of all.filter((x) => x.consumerSystem === CONSUMER_SYSTEM && !['CANCELLED', 'REJECTED'].includes(x.state!))) {
      await data('operator', 'mutation($id: ID!) { actOnAccessRequest(id: $id, action: CANCEL, reason: "matrix") { id } }', { id: r.id });
    }
  }

  const requestInput = {
    consumerSystem: CONSUMER_SYSTEM,
    serviceCode: SERVICE,
    fieldSets: ['national-data.citizen.basic'],
    purposes: ['civil-status'],
    legalBasis: 'Luật Hộ tịch 2014',
    expectedRequestsPerDay: 10,
    securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết mẫu 03' },
  };

  /** A fresh pending request from Sở Tư pháp to the Police's citizen service, submitted by its administrator. */
  async function freshRequest(): Promise<string> {
    await cancelOpen();
    const submitted = await data('consumer admin', 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
      input: requestInput,
    });
    return submitted.submitAccessRequest.id as string;
  }

  const act = async (caller: CallerName, id: string, action: string) =>
    (await data(caller, `mutation { actOnAccessRequest(id: "${id}", action: ${action}) { state } }`)).actOnAccessRequest.state as string;

  /** A fresh request approved by the provider's administrator and the operator: TESTING. */
  async function testingRequest(): Promise<string> {
    const id = await freshRequest();
    await act('provider admin', id, 'APPROVE');
    assert.equal(await act('operator', id, 'APPROVE'), 'TESTING');
    return id;
  }

  /** A fresh request through its integration (reported by the consumer, confirmed by the provider): LIVE. */
  async function liveRequest(): Promise<string> {
    const id = await testingRequest();
    await act('consumer admin', id, 'REPORT_INTEGRATED');
    assert.equal(await act('provider admin', id, 'CONFIRM_INTEGRATION'), 'LIVE');
    return id;
  }

  const credentialOf = async (environment: 'TEST' | 'PRODUCTION'): Promise<string | undefined> =>
    (
      (await data('operator', `{ informationSystem(id: "${CONSUMER_SYSTEM}") { credentials { clientId environment } } }`)).informationSystem
        .credentials as Array<Record<string, string>>
    ).find((c) => c.environment === environment)?.clientId;

  /** The consumer system without a credential in `environment` (the operator deletes the one a previous cell left). */
  async function noCredential(environment: 'TEST' | 'PRODUCTION'): Promise<void> {
    const clientId = await credentialOf(environment);
    if (clientId !== undefined) await data('operator', `mutation { deleteCredential(clientId: "${clientId}", reason: "matrix") { id } }`);
  }

  /** The consumer system's test credential (issued by the operator on a TESTING request when there is none). */
  async function testCredential(): Promise<string> {
    const existing = await credentialOf('TEST');
    if (existing !== undefined) return existing;
    await testingRequest();
    return (
      await data(
        'operator',
        `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId } }`,
      )
    ).issueCredential.clientId as string;
  }

  /** Registers a single sign-on application of Sở Tư pháp as `caller` (a Keycloak client on the development issuer). */
  const registerApplication = (caller: string, name: string) =>
    gql(caller, 'mutation($input: AgencyApplicationInput!) { registerAgencyApplication(input: $input) { application { id } clientSecret } }', {
      input: {
        agencyCode: JUSTICE,
        name,
        loginUrl: `https://app-${n}.stp.nghean.gov.vn/login`,
        logoutUrl: `https://app-${n}.stp.nghean.gov.vn/logout`,
        redirectUris: [`https://app-${n}.stp.nghean.gov.vn/callback`],
      },
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

  /** Runs the row's operation as `caller`, after the setup it needs. */
  async function run(row: MatrixRow, caller: string): Promise<Answer> {
    n += 1;
    switch (row.operation) {
      case 'registerAgency':
        return gql(caller, 'mutation($code: ID!) { registerAgency(input: { code: $code, name: "Cơ quan thử", parentCode: "000.00.00.H41" }) { code } }', {
          code: `000.00.${String(40 + n).padStart(2, '0')}.H41`,
        });
      case 'registerInformationSystem(consumer agency)':
        return gql(
          caller,
          `mutation($slug: String!) { registerInformationSystem(input: { agencyCode: "${JUSTICE}", slug: $slug, name: "x", purpose: "x", contacts: [], environments: [TEST], healthEndpoints: [] }) { id } }`,
          { slug: `matrix-${n}` },
        );
      case 'informationSystem(consumer system)':
        return gql(caller, `{ informationSystem(id: "${CONSUMER_SYSTEM}") { id } }`);
      case 'submitServiceRegistration(provider agency)':
        return gql(caller, `mutation($input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: "${POLICE}", input: $input) { id } }`, {
          input: proposal(`matrix-service-${n}`),
        });
      case 'submitAccessRequest(consumer system)':
        await cancelOpen();
        return gql(caller, 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', { input: requestInput });
      case 'accessRequest':
        return gql(caller, `{ accessRequest(id: "${await freshRequest()}") { id } }`);
      case 'actOnAccessRequest APPROVE (pending)':
        return gql(caller, `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE) { id } }`);
      case 'actOnAccessRequest APPROVE fieldSets (pending)':
        return gql(
          caller,
          `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE, fieldSets: ["national-data.citizen.basic"]) { id approvedFieldSets } }`,
        );
      case 'actOnAccessRequest RESUBMIT (changes requested)': {
        const id = await freshRequest();
        await data('operator', `mutation { actOnAccessRequest(id: "${id}", action: REQUEST_CHANGES, reason: "bổ sung căn cứ") { id } }`);
        return gql(caller, `mutation { actOnAccessRequest(id: "${id}", action: RESUBMIT) { id } }`);
      }
      case 'retireServiceVersion (no notice)':
        return gql(caller, `mutation { retireServiceVersion(serviceCode: "${SERVICE}", version: 1) { id } }`);
      case 'informationSystems(consumer agency)':
        return gql(caller, `{ informationSystems(agencyCode: "${JUSTICE}") { id } }`);
      case 'registryAgencies':
        return gql(caller, '{ registryAgencies { code } }');
      case 'registryServices':
        return gql(caller, '{ registryServices { code versions { version } } }');
      case 'registryService':
        return gql(caller, `{ registryService(code: "${SERVICE}") { code } }`);
      case 'serviceNotices':
        return gql(caller, '{ serviceNotices { id } }');
      case 'amendAccessRequest (changes requested)': {
        const id = await freshRequest();
        await data('operator', `mutation { actOnAccessRequest(id: "${id}", action: REQUEST_CHANGES, reason: "bổ sung căn cứ") { id } }`);
        return gql(caller, `mutation { amendAccessRequest(id: "${id}", input: { legalBasis: "Luật Hộ tịch 2014, Điều 4" }) { id } }`);
      }
      case 'accessRequests':
        await freshRequest();
        return gql(caller, '{ accessRequests(state: PENDING_APPROVAL) { id } }');
      case 'actOnAccessRequest REPORT_INTEGRATED (testing)':
        return gql(caller, `mutation { actOnAccessRequest(id: "${await testingRequest()}", action: REPORT_INTEGRATED) { id } }`);
      case 'actOnAccessRequest CANCEL (pending)':
        return gql(caller, `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: CANCEL, reason: "không còn cần") { id } }`);
      case 'issueCredential TEST (request testing)':
        await testingRequest();
        await noCredential('TEST');
        return gql(
          caller,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
        );
      case 'issueCredential PRODUCTION (request testing)':
        // The development exchange has the consumer system LIVE on the relay's data types: end those first, so that
        // no request of the system is in force in production.
        await cancelInForce();
        await testingRequest();
        await noCredential('PRODUCTION');
        return gql(
          caller,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId } }`,
        );
      case 'issueCredential PRODUCTION (request live)':
        await liveRequest();
        await noCredential('PRODUCTION');
        return gql(
          caller,
          `mutation { issueCredential(systemId: "${CONSUMER_SYSTEM}", input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId secret } }`,
        );
      case 'rotateCredential (test credential)':
        return gql(caller, `mutation { rotateCredential(clientId: "${await testCredential()}") { clientId secret } }`);
      case 'setCredentialEnabled (test credential)':
        return gql(caller, `mutation { setCredentialEnabled(clientId: "${await testCredential()}", enabled: false, reason: "matrix") { id } }`);
      case 'deleteCredential (test credential)':
        return gql(caller, `mutation { deleteCredential(clientId: "${await testCredential()}", reason: "matrix") { id } }`);
      case 'registerAgencyApplication (consumer agency)':
        return registerApplication(caller, `Ứng dụng ${n}`);
      case 'agencyApplications (consumer agency)':
        return gql(caller, `{ agencyApplications(agencyCode: "${JUSTICE}") { id } }`);
      case 'myApplications': {
        const registered = await registerApplication('operator', `Ứng dụng ${n}`);
        assert.equal(registered.body.errors, undefined, JSON.stringify(registered.body.errors));
        return gql(caller, '{ myApplications { id loginUrl } }');
      }
      // The development grants (gateway/src/authorization/grants/development-grants.json) include POLICE → JUSTICE.
      case 'grants(provider agency)':
        return gql(caller, `{ grants(providerAgency: "${POLICE}") { id origin providerAgencyName consumerAgencyName } }`);
      case 'grants(provider agency, consumer agency)':
        return gql(caller, `{ grants(providerAgency: "${POLICE}", consumerAgency: "${JUSTICE}") { id } }`);
      case 'removeAgencyApplication (consumer agency)': {
        const registered = await registerApplication('operator', `Ứng dụng ${n}`);
        assert.equal(registered.body.errors, undefined, JSON.stringify(registered.body.errors));
        const id = registered.body.data?.registerAgencyApplication.application.id as string;
        return gql(caller, `mutation { removeAgencyApplication(id: "${id}", reason: "ngừng sử dụng") { id enabled } }`);
      }
    }
  }

  /** `ok`, `none` (an empty list: passed, sees nothing), or the error's code. */
  const outcomeOf = (answer: Answer): string => {
    if (answer.body.errors !== undefined) return String(answer.body.errors[0]?.extensions?.code);
    const value = Object.values(answer.body.data ?? {})[0];
    return Array.isArray(value) && value.length === 0 ? 'none' : 'ok';
  };

  it('maps every caller of the table but two to a real account', () => {
    assert.deepEqual(Object.keys(accounts).sort(), Object.keys(callers).sort(), 'the table and this test name the same callers');
    assert.deepEqual(
      Object.entries(accounts)
        .filter(([, a]) => a === null)
        .map(([name]) => name),
      ['admin without agency', 'citizen'],
    );
  });

  it("does not make the operating unit's agency system an operator: lgsp-operator is its operator's own role", async () => {
    // Văn phòng UBND tỉnh (000.00.01.H41) runs the platform; its one-stop system's client credentials are no operator's.
    tokens.set('office system', await developmentClientToken(p.platform.urls.issuer, 'vpubnd-h41-motcua'));
    const agency = await gql(
      'office system',
      'mutation { registerAgency(input: { code: "000.00.39.H41", name: "Cơ quan thử", parentCode: "000.00.00.H41" }) { code } }',
    );
    assert.equal(agency.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(agency.body));
    const approve = await gql('office system', `mutation { actOnAccessRequest(id: "${await freshRequest()}", action: APPROVE) { id } }`);
    assert.equal(approve.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(approve.body));
  });

  for (const row of matrix) {
    const allowed = Object.entries(row.outcomes)
      .filter(([name, o]) => o !== 'FORBIDDEN' && accounts[name as CallerName] !== null)
      .map(([name, o]) => (o === 'ok' ? name : `${name} (${o})`));
    it(`${row.operation}: ${allowed.join(', ') || 'nobody'} — everyone else FORBIDDEN, anonymous ${ANONYMOUS_OUTCOME}`, async () => {
      const expected: Record<string, string> = { anonymous: ANONYMOUS_OUTCOME };
      const seen: Record<string, string> = {};
      for (const caller of ['anonymous', ...Object.keys(callers)]) {
        if (caller !== 'anonymous') {
          const account = accounts[caller];
          assert.notEqual(account, undefined, `the table's caller ${caller} is mapped to an account (or to none)`);
          if (account === null) continue;
          expected[caller] = row.outcomes[caller] ?? 'no outcome in the table';
        }
        const answer = await run(row, caller);
        assert.equal(answer.status, 200, `${caller}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
        seen[caller] = outcomeOf(answer);
      }
      assert.deepEqual(seen, expected);
    });
  }
});
