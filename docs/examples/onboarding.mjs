// Onboarding walkthrough (issue 16): a new agency from registration to live access and back out, every step a
// GraphQL call through the gateway with real tokens. Node 20+, no packages. Run it once against a fresh `npm start`
// (without REDIS_URL: the registry then holds the development seed in memory; restart it to run again).
//
//   LGSP_GATEWAY_URL  default http://localhost:4000/graphql (the portal callback is on the same origin)
//   LGSP_REALM_URL    default http://localhost:8080/realms/lgsp (npm start's development issuer)
//   LGSP_PRODUCTION_CITIZEN  a personal id of the production dataset, default 040074988660
//   LGSP_PRODUCTION_ENTERPRISE  an enterprise code of the production dataset, default 0491470798
//
//   node docs/examples/onboarding.mjs
//
// Who acts (development accounts, keycloak/dev-credentials/README.md; in real life each signs in to the portal):
// the operator lan.nguyen; the provider Công an tỉnh (000.00.02.H41), its administrator; the new agency UBND xã Quế
// Phong (000.00.22.H41), its administrator, whose account the realm has but whom the registry does not know yet.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

const gateway = process.env.LGSP_GATEWAY_URL ?? 'http://localhost:4000/graphql';
const realm = process.env.LGSP_REALM_URL ?? 'http://localhost:8080/realms/lgsp';
const tokenEndpoint = `${realm}/protocol/openid-connect/token`;
const productionCitizen = process.env.LGSP_PRODUCTION_CITIZEN ?? '040074988660';
const productionEnterprise = process.env.LGSP_PRODUCTION_ENTERPRISE ?? '0491470798';
const testCitizen = '020067289952'; // the simulator's test dataset (simulator/CONTRACT.md)

const AGENCY = '000.00.22.H41';
const SYSTEM = `${AGENCY}:mot-cua-xa-que-phong`;
const SERVICE = 'national-data-citizen';
const QUOTA = { requests: 10, perSeconds: 60 };
const PURPOSE = 'residence-management:HS-QP-2026-0001';

const say = (line) => console.log(line);
function check(condition, what) {
  if (!condition) throw new Error(`unexpected: ${what}`);
}

/** Signs in as a person through the portal client (authorization code + PKCE), the way a browser does. */
async function portalLogin(username, password) {
  const cookies = new Map();
  const remember = (response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const cookie = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const get = async (url) => remember(await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } }));
  const redirectUri = new URL('/portal/callback', gateway).href;
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${realm}/protocol/openid-connect/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'lgsp-portal',
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: randomUUID(),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const loginPage = new URL((await get(authorize)).headers.get('location') ?? '', authorize).href;
  const html = await (await get(loginPage)).text();
  const action = new URL((/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '').replaceAll('&amp;', '&'), loginPage).href;
  const csrf = /name="csrf_token" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const posted = remember(
    await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ csrf_token: csrf, username, password, action: 'login' }),
    }),
  );
  check(posted.status === 303, `login of ${username}: HTTP ${posted.status}`);
  let location = posted.headers.get('location') ?? '';
  for (let hops = 0; !location.startsWith(redirectUri) && hops < 5; hops++) location = (await get(new URL(location, action))).headers.get('location') ?? '';
  const code = new URL(location).searchParams.get('code');
  check(code, `login of ${username}: no authorization code in ${location}`);
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'lgsp-portal', code_verifier: verifier }),
  });
  const body = await response.json();
  check(response.ok, `code exchange for ${username}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A system's token: client credentials with an HS256 client assertion (client-secret-jwt). */
async function systemToken(clientId, secret) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: clientId, sub: clientId, aud: tokenEndpoint, jti: randomUUID(), iat: now, exp: now + 60 })}`;
  const assertion = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  const body = await response.json();
  return { status: response.status, token: body.access_token, error: body.error };
}

/** One GraphQL request through the gateway: { status, headers, data, errors }. */
async function gql(token, query, variables = {}, purpose) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (purpose) headers['x-lgsp-purpose'] = encodeURIComponent(purpose);
  const response = await fetch(gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}
/** A registry step that must succeed: its data. */
async function step(token, query, variables) {
  const result = await gql(token, query, variables);
  if (result.errors) throw new Error(result.errors.map((e) => `${e.path?.join('.') ?? 'request'}: ${e.message} (${e.extensions?.code})`).join('; '));
  return result.data;
}
const codeOf = (result) => result.errors?.[0]?.extensions?.code;
const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

/** The walkthrough, step by step; each line it prints is what the step did. */
async function walkthrough() {
  const operator = await portalLogin('lan.nguyen', 'Dev-VanPhong#2025');
  const provider = await portalLogin('000.00.02.h41@nghean.gov.vn', 'Dev-QTV-CongAn#2025');
  const consumer = await portalLogin('000.00.22.h41@nghean.gov.vn', 'Dev-QTV-QuePhong#2025');
  say('signed in: operator lan.nguyen, provider 000.00.02.h41@nghean.gov.vn, consumer 000.00.22.h41@nghean.gov.vn');

  // 1. The operator registers the agency and its system.
  const agency = await step(operator, 'mutation($input: RegisterAgencyInput!) { registerAgency(input: $input) { code shortName status } }', {
    input: { code: AGENCY, name: 'Ủy ban nhân dân xã Quế Phong', shortName: 'UBND xã Quế Phong', parentCode: '000.00.00.H41' },
  });
  say(`1. operator registered agency ${agency.registerAgency.code} (${agency.registerAgency.shortName}): ${agency.registerAgency.status}`);
  const system = await step(operator, 'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id environments } }', {
    input: {
      agencyCode: AGENCY,
      slug: 'mot-cua-xa-que-phong',
      name: 'Hệ thống một cửa xã Quế Phong',
      purpose: 'Giải quyết thủ tục hành chính của xã: tra cứu thông tin công dân',
      contacts: [{ name: 'Nguyễn Văn Quế', email: 'motcua@quephong.nghean.gov.vn', role: 'TECHNICAL' }],
      environments: ['TEST', 'PRODUCTION'],
      healthEndpoints: [{ level: 1, url: 'https://motcua.quephong.nghean.gov.vn/health', intervalSeconds: 60 }],
    },
  });
  say(`   and its system ${system.registerInformationSystem.id} (${system.registerInformationSystem.environments.join(', ')})`);

  // 2. The provider registers a new version of its citizen service; the operator approves it.
  const { registryService: current } = await step(provider, 'query($code: ID!) { registryService(code: $code) { currentVersion providerSystem } }', {
    code: SERVICE,
  });
  const registration = (
    await step(
      provider,
      'mutation($agency: ID!, $input: ServiceProposalInput!) { submitServiceRegistration(providerAgency: $agency, input: $input) { id state dueAt overdue } }',
      {
        agency: '000.00.02.H41',
        input: {
          code: SERVICE,
          name: 'Tra cứu thông tin công dân (CSDL quốc gia về dân cư)',
          providerSystem: current.providerSystem,
          kind: 'SUBGRAPH',
          subgraph: 'national-data',
          description: {
            authentication: 'OAuth 2.0 client credentials with a client assertion; test and production credentials',
            method: 'GraphQL query (POST)',
            url: 'https://lgsp.nghean.gov.vn/graphql',
            requestFormat: 'application/json (GraphQL)',
            responseFormat: 'application/json (GraphQL)',
            headers: [
              { name: 'Authorization', description: 'Bearer <access token>' },
              { name: 'X-LGSP-Purpose', description: 'purpose of use, required for personal data' },
            ],
            requestSample: `{ citizen(personalId: "${testCitizen}") { fullName } }`,
            responseSample: '{ "data": { "citizen": { "fullName": "Võ Mạnh Thắng" } } }',
            purpose: 'Citizen data for administrative procedures; test credentials read the test dataset',
            states: [
              { code: '200', meaning: 'answered (fields not granted are errors UNAUTHORIZED_FIELD_OR_TYPE)' },
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
  check(registration.state === 'UPDATE_PENDING' && !registration.overdue, `registration ${JSON.stringify(registration)}`);
  const approved = await step(operator, 'mutation($id: ID!) { actOnServiceRegistration(id: $id, action: APPROVE) { state } }', { id: registration.id });
  const version = current.currentVersion + 1;
  say(`2. provider submitted version ${version} of ${SERVICE} (due ${registration.dueAt}); operator: ${approved.actOnServiceRegistration.state}`);

  // 3. The consumer's administrator requests two field sets with a quota (forms 02 and 03).
  const request = (
    await step(consumer, 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state serviceVersion receivedAt dueAt overdue } }', {
      input: {
        consumerSystem: SYSTEM,
        serviceCode: SERVICE,
        fieldSets: ['national-data.citizen.basic', 'national-data.citizen.personal'],
        purposes: ['residence-management'],
        legalBasis: 'Nghị định 104/2022/NĐ-CP; Quyết định giao nhiệm vụ của UBND tỉnh',
        expectedRequestsPerDay: 500,
        quota: QUOTA,
        securityCommitment: { signedBy: 'Chủ tịch UBND xã Quế Phong', text: 'Cam kết bảo đảm an toàn thông tin (Mẫu 03)' },
      },
    })
  ).submitAccessRequest;
  check(request.serviceVersion === version && !request.overdue && Date.parse(request.dueAt) > Date.now(), `request ${JSON.stringify(request)}`);
  say(
    `3. consumer requested ${request.id} on version ${request.serviceVersion}: ${request.state}, received ${request.receivedAt}, due ${request.dueAt} (5 working days), overdue: ${request.overdue}`,
  );

  // 4. Provider and operator approve: TESTING (the test grant is written).
  const act = async (token, action, reason) =>
    (
      await step(
        token,
        'mutation($id: ID!, $action: AccessAction!, $reason: String) { actOnAccessRequest(id: $id, action: $action, reason: $reason) { state overdue } }',
        { id: request.id, action, reason },
      )
    ).actOnAccessRequest;
  const byProvider = await act(provider, 'APPROVE');
  const byOperator = await act(operator, 'APPROVE');
  check(byOperator.state === 'TESTING' && !byOperator.overdue, `after the approvals: ${JSON.stringify(byOperator)}`);
  say(`4. provider APPROVE: ${byProvider.state}; operator APPROVE: ${byOperator.state} (overdue: ${byOperator.overdue})`);

  // 5. Test credentials: the secret is shown once; the token reads the test dataset only.
  const issue = async (environment) =>
    (
      await step(
        consumer,
        'mutation($id: ID!, $input: IssueCredentialInput!) { issueCredential(systemId: $id, input: $input) { clientId environment secret } }',
        { id: SYSTEM, input: { environment, method: 'CLIENT_SECRET_JWT' } },
      )
    ).issueCredential;
  const readCitizen = (token, id, fields = 'fullName dateOfBirth') =>
    gql(token, `query($id: String!) { citizen(personalId: $id) { ${fields} } }`, { id }, PURPOSE);
  const testCredential = await issue('TEST');
  const testToken = (await systemToken(testCredential.clientId, testCredential.secret)).token;
  check(claims(testToken).lgsp_environment === 'test', 'a test token');
  const testRead = await readCitizen(testToken, testCitizen);
  const productionFromTest = await readCitizen(testToken, productionCitizen);
  check(testRead.data?.citizen?.fullName && !productionFromTest.data?.citizen, 'test credentials read test data only');
  say(`5. test credential ${testCredential.clientId} (secret shown once), token lgsp_environment=test:`);
  say(
    `   test citizen ${testCitizen}: ${testRead.data.citizen.fullName}; production citizen ${productionCitizen}: ${JSON.stringify(productionFromTest.data?.citizen ?? null)}`,
  );

  // 6. The consumer reports integration, the provider confirms: LIVE (the production grant is written).
  const reported = await act(consumer, 'REPORT_INTEGRATED');
  const live = await act(provider, 'CONFIRM_INTEGRATION');
  check(live.state === 'LIVE', `after confirmation: ${live.state}`);
  say(`6. consumer REPORT_INTEGRATED: ${reported.state}; provider CONFIRM_INTEGRATION: ${live.state}`);

  // 7. Production credentials read exactly the approved fields, from production data.
  const productionCredential = await issue('PRODUCTION');
  const productionToken = (await systemToken(productionCredential.clientId, productionCredential.secret)).token;
  check(claims(productionToken).lgsp_environment === undefined, 'a production token');
  const productionRead = await readCitizen(productionToken, productionCitizen);
  const testFromProduction = await readCitizen(productionToken, testCitizen);
  check(productionRead.data?.citizen?.dateOfBirth && !testFromProduction.data?.citizen, 'production credentials read production data only');
  const outside = await gql(productionToken, `{ enterprise(code: "${productionEnterprise}") { name legalRepresentative { personalId } } }`, {}, PURPOSE);
  check(codeOf(outside) === 'UNAUTHORIZED_FIELD_OR_TYPE', `a field outside the grant: ${JSON.stringify(outside.errors)}`);
  say(
    `7. production credential ${productionCredential.clientId}: citizen ${productionCitizen}: ${JSON.stringify(productionRead.data.citizen)}; test citizen: ${JSON.stringify(testFromProduction.data?.citizen ?? null)}`,
  );
  say(`   ${outside.errors[0].path.join('.')} (not approved): ${codeOf(outside)}`);

  // 8. The quota: 10 requests a minute (three spent above), then 429.
  let sent = 3;
  let refused;
  while (!refused && sent <= QUOTA.requests + 1) {
    const result = await readCitizen(productionToken, productionCitizen, 'fullName');
    sent++;
    if (result.status === 429) refused = result;
  }
  check(refused, `no 429 after ${sent} requests`);
  say(
    `8. request ${sent} within ${QUOTA.perSeconds} s: HTTP ${refused.status} ${codeOf(refused)}, Retry-After: ${refused.headers.get('retry-after')}, RateLimit: ${refused.headers.get('ratelimit')}`,
  );

  // 9. The consumer cancels: grants removed, credentials disabled and revoked at the gateway (5 s bound).
  const cancelled = await act(consumer, 'CANCEL', 'Xã Quế Phong ngừng sử dụng dịch vụ');
  const cancelledAt = Date.now();
  let refusal;
  while (!refusal) {
    check(Date.now() - cancelledAt < 15_000, 'access still granted 15 s after the cancellation');
    const result = await readCitizen(productionToken, productionCitizen, 'fullName');
    if (result.status !== 429 && !result.data?.citizen) refusal = result;
    else await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const endedMs = Date.now() - cancelledAt;
  const newToken = await systemToken(productionCredential.clientId, productionCredential.secret);
  check(newToken.status >= 400, 'a disabled client gets no new token');
  say(
    `9. consumer CANCEL: ${cancelled.state}; the production token is refused ${endedMs} ms later: HTTP ${refusal.status} ${codeOf(refusal)}; a new token: ${newToken.error}`,
  );
  check(endedMs <= 5_000, `access ended ${endedMs} ms after the cancellation, beyond the 5 s bound`);
}

try {
  await walkthrough();
} catch (error) {
  // A sentence, not a stack trace: what failed, and the usual reasons.
  const cause = error.cause?.code ? ` (${error.cause.code}: is \`npm start\` running, at ${gateway} and ${realm}?)` : '';
  console.error(`onboarding stopped: ${error.message}${cause}`);
  if (/ALREADY_EXISTS/.test(error.message))
    console.error('The walkthrough runs once per start of the platform: restart `npm start` (without REDIS_URL) to run it again.');
  process.exitCode = 1;
}
