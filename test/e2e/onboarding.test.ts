/**
 * Issue 16's "Done when", end to end through the gateway with real tokens (portal logins of the development issuer,
 * and credentials the registry issues through the issuer's Admin REST API):
 * the operator registers a new agency (UBND xã Quế Phong, 000.00.22.H41, which the development seed leaves out) and
 * its system; the provider (Công an tỉnh's administrator) registers a new version of its citizen service; the new
 * agency's administrator requests two field sets of it with a quota; provider and operator approve within the
 * working-day clock; test credentials read the simulator's test dataset only; after the consumer reports integration
 * and the provider confirms, production credentials read exactly the approved fields; the quota gives 429; disabling a
 * credential revokes it within 5 s; cancelling the request removes its grant (measured on its own, while a second
 * request keeps the credential enabled) within 1 s; cancelling the last request revokes the credential within 5 s.
 * Runs on a platform without Redis and on one with Redis (`ONBOARDING_REDIS=off|only` runs one of them).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { developmentPassword, loadRealmExport } from '../../keycloak/src/realm.ts';
import { defaultWorkingCalendar } from '../../subgraphs/registry/src/data/calendar/index.ts';
import { dueDate } from '../../subgraphs/registry/src/domain/working-days/index.ts';
import { startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';

const NEW_AGENCY = '000.00.22.H41';
const SYSTEM = `${NEW_AGENCY}:mot-cua-xa-que-phong`;
const POLICE = '000.00.02.H41';
const SERVICE = 'national-data-citizen';
const FIELD_SETS = ['national-data.citizen.basic', 'national-data.citizen.personal'];
/** The approved rate: 10 requests a minute per environment (the gateway counts test and production apart). */
const QUOTA = { requests: 10, perSeconds: 60 };
/** The simulator's test dataset (simulator/CONTRACT.md, default test seed). */
const TEST_CITIZEN = '020067289952';
const PURPOSE = 'residence-management:HS-QP-2026-0001';
/** The revocation bound the gateway states (CREDENTIAL_REVOCATION_POLL_MS 2000 behind an immediate notification). */
const REVOCATION_BOUND_MS = 5_000;
/**
 * Grant removal: the grant store notifies every gateway replica (Redis pub/sub, or the registry's access API stream
 * without Redis), which drops its cached grants at once; measured in milliseconds, asserted within 1 s. (Were a
 * notification lost, GRANTS_CACHE_TTL_MS, 60 s by default, bounds it.)
 */
const GRANT_REMOVAL_BOUND_MS = 1_000;

const CITIZEN_FIELDS = 'personalId fullName gender ethnicity { code } dateOfBirth permanentAddress { fullText } household { number }';

interface GqlResult {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: { code?: string } }> };
}

for (const redis of process.env.ONBOARDING_REDIS === 'only' ? [true] : process.env.ONBOARDING_REDIS === 'off' ? [false] : [false, true]) {
  describe(`onboarding end to end through the gateway (${redis ? 'Redis' : 'no Redis'})`, () => {
    let p: PlatformFixture;
    /** Portal tokens: the operator, the citizen service's provider, the new agency's administrator, the relay services' provider. */
    const tokens: Record<'operator' | 'provider' | 'consumer' | 'relayProvider', string> = { operator: '', provider: '', consumer: '', relayProvider: '' };

    async function gql(token: string, query: string, variables: Record<string, unknown> = {}, purpose: string | null = null): Promise<GqlResult> {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${token}`,
      };
      if (purpose !== null) headers['x-lgsp-purpose'] = purpose;
      const res = await fetch(p.platform.urls.gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResult['body'] };
    }
    /** A registry step as a party: its data, or a failure quoting the errors. */
    async function step(party: keyof typeof tokens, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
      const result = await gql(tokens[party], query, variables);
      assert.equal(result.body.errors, undefined, `${party}: ${JSON.stringify(result.body.errors)}`);
      assert.equal(result.status, 200);
      return result.body.data!;
    }
    /** A token for a client the registry issued: client credentials with an HS256 client assertion (client-secret-jwt). */
    async function clientToken(clientId: string, secret: string): Promise<string> {
      const { status, body } = await tokenAnswer(clientId, secret);
      assert.equal(status, 200, `token for ${clientId}: ${JSON.stringify(body)}`);
      return body.access_token!;
    }
    /** The token endpoint's answer to a client-secret-jwt client's assertion. */
    async function tokenAnswer(clientId: string, secret: string): Promise<{ status: number; body: { access_token?: string; error?: string } }> {
      const tokenEndpoint = `${p.platform.urls.issuer}/protocol/openid-connect/token`;
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(tokenEndpoint)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(new TextEncoder().encode(secret));
      const res = await fetch(tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
      return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
    }
    const citizen = (token: string, personalId: string, fields = CITIZEN_FIELDS) =>
      gql(token, `query($id: String!) { citizen(personalId: $id) { ${fields} } }`, { id: personalId }, PURPOSE);
    /** Polls `check` every 25 ms until it is true; the milliseconds it took, or a failure after `boundMs` × 3. */
    async function msUntil(what: string, check: () => Promise<boolean>, boundMs: number): Promise<number> {
      const started = Date.now();
      while (!(await check())) {
        if (Date.now() - started > boundMs * 3) assert.fail(`${what}: not within ${boundMs * 3} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return Date.now() - started;
    }

    before(async () => {
      // With Redis the registry starts empty unless told to load the development seed (REGISTRY_SEED).
      // The catalogs read the registry's agencies every CATALOGS_REGISTRY_POLL_MS (10 s by default; 500 ms here).
      p = await startPlatformFixture({ redis, env: { REGISTRY_SEED: 'development', CATALOGS_REGISTRY_POLL_MS: '500' } });
      const realm = await loadRealmExport();
      const login = async (username: string) => {
        const user = realm.users.find((u) => u.username === username);
        assert.ok(user, `development user ${username}`);
        return (await developmentPortalLogin(p.platform.urls.issuer, username, developmentPassword(user) ?? '')).accessToken;
      };
      tokens.operator = await login('lan.nguyen');
      tokens.provider = await login('000.00.02.h41@nghean.gov.vn');
      tokens.consumer = await login('000.00.22.h41@nghean.gov.vn');
      tokens.relayProvider = await login('000.00.01.h41@nghean.gov.vn');
    });
    after(async () => {
      await p?.close();
    });

    it('takes a new agency from registration to live access and back out, with the approved fields, quota and bounds', async () => {
      // 1. The operator registers the agency and its one-stop-shop system.
      const unknown = await gql(tokens.consumer, 'query($code: ID!) { registryAgency(code: $code) { code } }', { code: NEW_AGENCY });
      assert.equal(unknown.body.data?.registryAgency, null, 'not in the development seed: this test registers it');
      const uncatalogued = await gql(tokens.consumer, `{ agency(code: "${NEW_AGENCY}") { code } }`);
      assert.equal(uncatalogued.body.data?.agency, null, `the catalogs read the registry, not a development file: ${JSON.stringify(uncatalogued.body)}`);
      const agency = await step('operator', 'mutation($input: RegisterAgencyInput!) { registerAgency(input: $input) { code name parentCode status } }', {
        input: { code: NEW_AGENCY, name: 'Ủy ban nhân dân xã Quế Phong', shortName: 'UBND xã Quế Phong', parentCode: '000.00.00.H41' },
      });
      assert.deepEqual(agency.registerAgency, { code: NEW_AGENCY, name: 'Ủy ban nhân dân xã Quế Phong', parentCode: '000.00.00.H41', status: 'ACTIVE' });
      // The catalogs' agency-code catalog reads the registry: the new code is there within a poll.
      const catalogued = await msUntil(
        'the new agency in the catalogs',
        async () => (await gql(tokens.consumer, `{ agency(code: "${NEW_AGENCY}") { code shortName } }`)).body.data?.agency?.shortName === 'UBND xã Quế Phong',
        3_000,
      );
      assert.ok(catalogued <= 3_000, `catalogued after ${catalogued} ms`);
      const system = await step(
        'operator',
        'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id agencyCode environments credentials { clientId } } }',
        {
          input: {
            agencyCode: NEW_AGENCY,
            slug: 'mot-cua-xa-que-phong',
            name: 'Hệ thống một cửa xã Quế Phong',
            purpose: 'Giải quyết thủ tục hành chính của xã: tra cứu thông tin công dân',
            contacts: [{ name: 'Nguyễn Văn Quế', email: 'motcua@quephong.nghean.gov.vn', phone: '0238 3881 234', role: 'TECHNICAL' }],
            environments: ['TEST', 'PRODUCTION'],
            healthEndpoints: [{ level: 1, url: 'https://motcua.quephong.nghean.gov.vn/health', intervalSeconds: 60 }],
          },
        },
      );
      assert.deepEqual(system.registerInformationSystem, { id: SYSTEM, agencyCode: NEW_AGENCY, environments: ['TEST', 'PRODUCTION'], credentials: [] });

      // 2. The provider registers version 2 of its citizen service (same field sets, a description of the test
      //    environment); the operator approves within the update clock (5 working days, DL:17.5).
      const current = await step('provider', 'query($code: ID!) { registryService(code: $code) { currentVersion providerSystem } }', { code: SERVICE });
      const registration = (
        await step(
          'provider',
          'mutation($agency: ID!, $input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: $agency, input: $input) { id state clock dueAt overdue } }',
          {
            agency: POLICE,
            input: {
              code: SERVICE,
              name: 'Tra cứu thông tin công dân (CSDL quốc gia về dân cư)',
              providerSystem: current.registryService.providerSystem,
              kind: 'SUBGRAPH',
              subgraph: 'national-data',
              description: {
                authentication: 'OAuth 2.0 client credentials (Keycloak realm lgsp), client assertion; test and production credentials',
                method: 'GraphQL query (POST)',
                url: 'https://lgsp.nghean.gov.vn/graphql',
                requestFormat: 'application/json (GraphQL)',
                responseFormat: 'application/json (GraphQL)',
                headers: [
                  { name: 'Authorization', description: 'Bearer <access token>' },
                  { name: 'X-LGSP-Purpose', description: 'purpose of use, required for personal data' },
                ],
                requestSample: `{ citizen(personalId: "${TEST_CITIZEN}") { fullName } }`,
                responseSample: '{ "data": { "citizen": { "fullName": "Võ Mạnh Thắng" } } }',
                purpose: 'Citizen data for administrative procedures; test credentials read the test dataset',
                states: [
                  { code: '200', meaning: 'answered (fields not granted are errors UNAUTHORIZED_FIELD_OR_TYPE)' },
                  { code: '401', meaning: 'no valid token' },
                  { code: '429', meaning: 'quota used up (Retry-After)' },
                ],
              },
              fieldSets: [
                { name: 'national-data.citizen.basic', description: "A citizen's identity.", personalData: true },
                { name: 'national-data.citizen.personal', description: "A citizen's date of birth, residence and household.", personalData: true },
              ],
            },
          },
        )
      ).submitServiceRegistration;
      assert.equal(registration.state, 'UPDATE_PENDING');
      assert.equal(registration.overdue, false);
      assert.ok(Date.parse(registration.dueAt) > Date.now(), `due ${registration.dueAt}`);
      const approvedRegistration = await step('operator', 'mutation($id: ID!) { actOnServiceRegistration(id: $id, action: APPROVE) { state overdue } }', {
        id: registration.id,
      });
      assert.deepEqual(approvedRegistration.actOnServiceRegistration, { state: 'APPROVED', overdue: false });
      const published = await step(
        'consumer',
        'query($code: ID!) { registryService(code: $code) { currentVersion versions { version status supersededAt keepUntil } } }',
        {
          code: SERVICE,
        },
      );
      const version = current.registryService.currentVersion + 1;
      assert.equal(published.registryService.currentVersion, version);
      type Version = { version: number; status: string; supersededAt: string | null; keepUntil: string | null };
      const versions = published.registryService.versions as Version[];
      assert.equal(versions.find((v) => v.version === version)!.status, 'PUBLISHED');
      // The previous version is kept at least 180 days (App01 §3.4).
      const previous = versions.find((v) => v.version === version - 1)!;
      assert.equal(previous.status, 'DEPRECATED');
      assert.ok(Date.parse(previous.keepUntil!) - Date.parse(previous.supersededAt!) >= 180 * 86_400_000, JSON.stringify(previous));

      // 3. The new agency's administrator requests the two field sets for its system, with a quota.
      const request = (
        await step(
          'consumer',
          'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state serviceVersion providerAgency fieldSets receivedAt dueAt overdue quota { requests perSeconds } } }',
          {
            input: {
              consumerSystem: SYSTEM,
              serviceCode: SERVICE,
              fieldSets: FIELD_SETS,
              purposes: ['residence-management'],
              legalBasis: 'Nghị định 104/2022/NĐ-CP; Quyết định giao nhiệm vụ của UBND tỉnh',
              expectedRequestsPerDay: 500,
              quota: QUOTA,
              securityCommitment: { signedBy: 'Chủ tịch UBND xã Quế Phong', text: 'Cam kết bảo đảm an toàn thông tin (Mẫu 03)' },
            },
          },
        )
      ).submitAccessRequest;
      assert.equal(request.state, 'PENDING_APPROVAL');
      assert.equal(request.serviceVersion, version);
      assert.equal(request.providerAgency, POLICE);
      assert.deepEqual(request.fieldSets, FIELD_SETS);
      assert.deepEqual(request.quota, QUOTA);
      // The working-day clock: 5 working days (BG:14.3, DL:11.2) from receipt, by the platform's calendar.
      assert.equal(request.overdue, false);
      assert.ok(Math.abs(Date.parse(request.receivedAt) - Date.now()) < 60_000, `received ${request.receivedAt}`);
      assert.equal(request.dueAt, dueDate(new Date(request.receivedAt), 5, defaultWorkingCalendar()).toISOString());
      assert.ok(Date.parse(request.dueAt) - Date.parse(request.receivedAt) >= 5 * 86_400_000, `due ${request.dueAt}: at least 5 days later`);

      // Before any approval the system has no credential to get.
      const early = await gql(
        tokens.consumer,
        'mutation($id: ID!) { issueCredential(systemId: $id, input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId } }',
        {
          id: SYSTEM,
        },
      );
      assert.ok(early.body.errors?.length, 'no credential before the approvals');

      // 4. Provider and operator approve, on time; the request goes to TESTING (the test grant is written).
      const act = async (party: keyof typeof tokens, action: string, reason?: string) =>
        (
          await step(
            party,
            'mutation($id: ID!, $action: AccessAction!, $reason: String) { actOnAccessRequest(id: $id, action: $action, reason: $reason) { state providerApproved operatorApproved overdue dueAt history { action party by from to } } }',
            { id: request.id, action, reason },
          )
        ).actOnAccessRequest;
      const byProvider = await act('provider', 'APPROVE');
      assert.equal(byProvider.state, 'PROVIDER_APPROVED');
      assert.equal(byProvider.overdue, false);
      const byOperator = await act('operator', 'APPROVE');
      assert.equal(byOperator.state, 'TESTING');
      assert.deepEqual(
        byOperator.history.map((h: { action: string; party: string; to: string }) => [h.action, h.party, h.to]),
        [
          ['SUBMIT', 'CONSUMER', 'PENDING_APPROVAL'],
          ['APPROVE', 'PROVIDER', 'PROVIDER_APPROVED'],
          ['APPROVE', 'OPERATOR', 'TESTING'],
        ],
      );
      assert.equal(byOperator.overdue, false);

      // 5. Test credentials (client-secret-jwt: the secret is in this answer only) read the test dataset only.
      const issueTest = await step(
        'consumer',
        'mutation($id: ID!) { issueCredential(systemId: $id, input: { environment: TEST, method: CLIENT_SECRET_JWT }) { clientId method environment secret } }',
        { id: SYSTEM },
      );
      const testCredential = issueTest.issueCredential;
      assert.equal(testCredential.environment, 'TEST');
      assert.ok(testCredential.secret?.length >= 32, 'the secret, once');
      const listed = await step('consumer', 'query($id: ID!) { informationSystem(id: $id) { credentials { clientId environment enabled } } }', { id: SYSTEM });
      assert.deepEqual(listed.informationSystem.credentials, [{ clientId: testCredential.clientId, environment: 'TEST', enabled: true }]);
      const testToken = await clientToken(testCredential.clientId, testCredential.secret);
      const testClaims = decodeJwt(testToken);
      assert.equal(testClaims.lgsp_environment, 'test');
      assert.equal(testClaims.agency_code, NEW_AGENCY);
      const testRead = await citizen(testToken, TEST_CITIZEN);
      assert.equal(testRead.body.errors, undefined, JSON.stringify(testRead.body.errors));
      assert.equal(testRead.body.data!.citizen.personalId, TEST_CITIZEN);
      assert.equal(testRead.body.data!.citizen.fullName, 'Võ Mạnh Thắng');
      const [productionCitizen] = (await p.simulator.samples(1)).citizens;
      const productionFromTest = await citizen(testToken, productionCitizen!);
      assert.equal(productionFromTest.body.data?.citizen ?? null, null, 'a production record is not in the test dataset');
      // Production credentials are not issued before LIVE.
      const productionEarly = await gql(
        tokens.consumer,
        'mutation($id: ID!) { issueCredential(systemId: $id, input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId } }',
        { id: SYSTEM },
      );
      assert.ok(productionEarly.body.errors?.length, 'no production credential while TESTING');

      // 6. The consumer reports integration, the provider confirms: LIVE (the production grant is written).
      assert.equal((await act('consumer', 'REPORT_INTEGRATED')).state, 'INTEGRATION_REPORTED');
      assert.equal((await act('provider', 'CONFIRM_INTEGRATION')).state, 'LIVE');

      // 7. Production credentials read exactly the approved fields, from production data only.
      const production = (
        await step(
          'consumer',
          'mutation($id: ID!) { issueCredential(systemId: $id, input: { environment: PRODUCTION, method: CLIENT_SECRET_JWT }) { clientId environment secret } }',
          { id: SYSTEM },
        )
      ).issueCredential;
      assert.equal(production.environment, 'PRODUCTION');
      assert.notEqual(production.clientId, testCredential.clientId);
      const productionToken = await clientToken(production.clientId, production.secret);
      assert.equal(decodeJwt(productionToken).lgsp_environment, undefined);
      /** Production requests the quota counts so far. */
      let productionCalls = 0;
      const read = await citizen(productionToken, productionCitizen!);
      productionCalls++;
      assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
      assert.equal(read.body.data!.citizen.personalId, productionCitizen);
      assert.ok(read.body.data!.citizen.fullName.length > 1);
      assert.ok(read.body.data!.citizen.dateOfBirth, 'national-data.citizen.personal');
      const testFromProduction = await citizen(productionToken, TEST_CITIZEN);
      productionCalls++;
      assert.equal(testFromProduction.body.data?.citizen ?? null, null, 'a test record is not in the production dataset');
      // A field outside the approved field sets: an enterprise's legal representative's personal id
      // (national-data.enterprise.representative-id; the enterprise's basics are public, a grant to every agency).
      const [enterprise] = (await p.simulator.samples(1)).enterprises;
      const outside = await gql(productionToken, `{ enterprise(code: "${enterprise}") { name legalRepresentative { fullName personalId } } }`, {}, PURPOSE);
      productionCalls++;
      assert.ok((outside.body.data?.enterprise?.name ?? '').length > 1, JSON.stringify(outside.body));
      assert.equal(outside.body.data?.enterprise?.legalRepresentative?.personalId ?? null, null);
      assert.deepEqual(
        outside.body.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]),
        [['UNAUTHORIZED_FIELD_OR_TYPE', 'enterprise.legalRepresentative.personalId']],
        JSON.stringify(outside.body),
      );
      // A purpose outside the approved ones.
      // (Refused by the authorization step, before the quota step: not counted.)
      const otherPurpose = await gql(productionToken, `{ citizen(personalId: "${productionCitizen}") { fullName } }`, {}, 'education:HS-1');
      assert.ok(
        otherPurpose.body.errors?.some((e) => e.extensions?.code === 'UNAUTHORIZED_FIELD_OR_TYPE'),
        JSON.stringify(otherPurpose.body),
      );

      // 8. The quota: the 11th production request within the minute is refused with 429 and Retry-After.
      let refused: GqlResult | undefined;
      while (refused === undefined) {
        const result = await citizen(productionToken, productionCitizen!, 'fullName');
        productionCalls++;
        if (result.status === 429) refused = result;
        else assert.equal(result.body.errors, undefined, JSON.stringify(result.body.errors));
        assert.ok(productionCalls <= QUOTA.requests + 1, `no 429 after ${productionCalls} requests`);
      }
      assert.equal(productionCalls, QUOTA.requests + 1, 'exactly the quota is served');
      assert.equal(refused.body.errors?.[0]?.extensions?.code, 'RATE_LIMITED');
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= QUOTA.perSeconds, `Retry-After ${refused.headers.get('retry-after')}`);
      assert.ok(refused.headers.get('ratelimit-policy'), 'RateLimit-Policy');
      assert.ok(refused.headers.get('ratelimit'), 'RateLimit');
      // The test environment counts apart: the test credential is still served.
      assert.equal((await citizen(testToken, TEST_CITIZEN, 'fullName')).status, 200);

      // 9. Disabling the test credential: its tokens are refused within the revocation bound, and no new one is issued.
      await step('consumer', 'mutation($id: ID!) { setCredentialEnabled(clientId: $id, enabled: false, reason: "kết thúc kiểm thử") { id } }', {
        id: testCredential.clientId,
      });
      const revokedInMs = await msUntil(
        'the disabled test credential refused',
        async () => {
          const r = await citizen(testToken, TEST_CITIZEN, 'fullName');
          return r.status === 401 && r.body.errors?.[0]?.extensions?.code === 'CREDENTIAL_REVOKED';
        },
        REVOCATION_BOUND_MS,
      );
      assert.ok(revokedInMs <= REVOCATION_BOUND_MS, `revoked after ${revokedInMs} ms`);
      const disabledToken = await tokenAnswer(testCredential.clientId, testCredential.secret);
      assert.ok(disabledToken.status >= 400, `a disabled client gets no token: ${JSON.stringify(disabledToken)}`);

      // 10. A second request of the same system, to a relay data type (provider: Văn phòng UBND tỉnh), goes LIVE:
      //     while it is in force in production, the system's production credential stays enabled.
      const relayRequest = (
        await step('consumer', 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state } }', {
          input: {
            consumerSystem: SYSTEM,
            serviceCode: 'relay-edxml-document',
            fieldSets: [],
            purposes: ['public-service'],
            legalBasis: 'Nghị định 30/2020/NĐ-CP (văn bản điện tử)',
            expectedRequestsPerDay: 50,
            securityCommitment: { signedBy: 'Chủ tịch UBND xã Quế Phong', text: 'Cam kết bảo đảm an toàn thông tin (Mẫu 03)' },
          },
        })
      ).submitAccessRequest;
      const actOn = async (party: keyof typeof tokens, id: string, action: string, reason?: string, as?: string) =>
        (
          await step(
            party,
            'mutation($id: ID!, $action: AccessAction!, $reason: String, $as: Party) { actOnAccessRequest(id: $id, action: $action, reason: $reason, as: $as) { state } }',
            { id, action, reason, as },
          )
        ).actOnAccessRequest.state as string;
      // `as` names the party a caller acts as (the operator, lan.nguyen, works at the provider agency).
      assert.equal(await actOn('relayProvider', relayRequest.id, 'APPROVE', undefined, 'PROVIDER'), 'PROVIDER_APPROVED');
      assert.equal(await actOn('operator', relayRequest.id, 'APPROVE', undefined, 'OPERATOR'), 'TESTING');
      assert.equal(await actOn('consumer', relayRequest.id, 'REPORT_INTEGRATED'), 'INTEGRATION_REPORTED');
      assert.equal(await actOn('relayProvider', relayRequest.id, 'CONFIRM_INTEGRATION', undefined, 'PROVIDER'), 'LIVE');

      // 11. Cancelling the citizen request removes its grant (the credential stays: the relay request is in force).
      //     The grant store notifies the gateway, which drops its cached grants: access to the fields ends at once.
      const cancelled = await act('consumer', 'CANCEL', 'Xã Quế Phong ngừng sử dụng dịch vụ tra cứu công dân');
      const cancelledAt = Date.now();
      assert.equal(cancelled.state, 'CANCELLED');
      let grantRefusal: GqlResult | undefined;
      await msUntil(
        'the fields refused after the grant was removed',
        async () => {
          const r = await citizen(productionToken, productionCitizen!, 'fullName');
          if (r.status === 429) return false; // still under the grant's quota: the grant is still there
          assert.notEqual(r.status, 401, 'the credential stays enabled while the relay request is in force');
          if (r.body.data?.citizen?.fullName) return false;
          grantRefusal = r;
          return true;
        },
        GRANT_REMOVAL_BOUND_MS,
      );
      const grantRemovedInMs = Date.now() - cancelledAt;
      assert.ok(grantRemovedInMs <= GRANT_REMOVAL_BOUND_MS, `fields refused ${grantRemovedInMs} ms after the cancellation`);
      assert.equal(grantRefusal!.body.errors?.[0]?.extensions?.code, 'UNAUTHORIZED_FIELD_OR_TYPE', JSON.stringify(grantRefusal!.body));
      const stillEnabled = await step('consumer', 'query($id: ID!) { informationSystem(id: $id) { credentials { clientId enabled } } }', { id: SYSTEM });
      assert.deepEqual(
        stillEnabled.informationSystem.credentials.map((c: { clientId: string; enabled: boolean }) => [c.clientId, c.enabled]),
        [
          [testCredential.clientId, false],
          [production.clientId, true],
        ],
      );

      // 12. Cancelling the last request in force disables the production credential: revoked within the bound.
      assert.equal(await actOn('consumer', relayRequest.id, 'CANCEL', 'Xã Quế Phong ngừng kết nối'), 'CANCELLED');
      const lastCancelledAt = Date.now();
      await msUntil(
        'the production credential refused after the last cancellation',
        async () => {
          const r = await citizen(productionToken, productionCitizen!, 'fullName');
          return r.status === 401 && r.body.errors?.[0]?.extensions?.code === 'CREDENTIAL_REVOKED';
        },
        REVOCATION_BOUND_MS,
      );
      const credentialRevokedInMs = Date.now() - lastCancelledAt;
      assert.ok(credentialRevokedInMs <= REVOCATION_BOUND_MS, `revoked ${credentialRevokedInMs} ms after the cancellation`);
      const after = await step('operator', 'query($id: ID!) { accessRequest(id: $id) { state } }', { id: request.id });
      assert.equal(after.accessRequest.state, 'CANCELLED');
      const refusedToken = await tokenAnswer(production.clientId, production.secret);
      assert.ok(refusedToken.status >= 400, `a disabled client gets no token: ${JSON.stringify(refusedToken)}`);
      console.log(
        `# ${redis ? 'Redis' : 'no Redis'}: disabled test credential refused after ${revokedInMs} ms; fields refused ${grantRemovedInMs} ms after the grant's removal; production credential revoked ${credentialRevokedInMs} ms after the last cancellation`,
      );
    });
  });
}
