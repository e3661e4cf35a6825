/**
 * The agency developer's journey in the portal, in real Chromium against the real platform: `minh.ho` of UBND xã Quế
 * Phong (000.00.22.H41) browses the catalogue, requests access (form 02/03), amends it when the provider asks for
 * changes (form 03 accepted: RESUBMIT), gets a test credential (the secret shown once), tries a query in the
 * gateway's GraphiQL with that credential filled in (a token obtained in the browser, the test dataset answering),
 * reports the integration, and once the provider confirms it gets a production credential. The operator registers
 * the agency and its system first, and the provider and the operator approve, by GraphQL (their own screens are
 * other tests'). A tampered form and a file that is not a public key → a Vietnamese message, nothing created.
 * axe-core on every screen; screenshots in .tmp/screenshots/developer-*.png.
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, openPortal, screenshot, signIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

const AGENCY = '000.00.22.H41';
const SYSTEM = `${AGENCY}:mot-cua-xa-que-phong`;
/** A citizen of the simulator's test dataset (simulator/CONTRACT.md); production credentials do not read it. */
const TEST_CITIZEN = '020067289952';
const OPERATOR = { username: 'lan.nguyen', password: 'Dev-VanPhong#2025' };
const PROVIDER = { username: '000.00.02.h41@nghean.gov.vn', password: 'Dev-QTV-CongAn#2025' };

let p: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

/** A person's access token through the portal client (a new sign-in each time: portal tokens last minutes). */
async function tokenOf(who: { username: string; password: string }): Promise<string> {
  return (await developmentPortalLogin(p.platform.urls.issuer, who.username, who.password, `${p.origin}/portal/callback`)).accessToken;
}

/** One GraphQL operation as a person; fails on any error. */
async function as<T = Record<string, any>>(who: { username: string; password: string }, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await p.query<T>(query, variables, { token: await tokenOf(who), purpose: null });
  assert.equal(result.body.errors, undefined, JSON.stringify(result.body.errors));
  return result.body.data as T;
}

/** The agency's access requests and its system's credentials, as the operator sees them. */
async function registryState(): Promise<{ requests: Array<{ id: string; state: string }>; credentials: Array<{ clientId: string; environment: string }> }> {
  const data = await as<{
    accessRequests: Array<{ id: string; state: string; consumerAgency: string }>;
    informationSystem: { credentials: Array<{ clientId: string; environment: string }> };
  }>(OPERATOR, `query($id: ID!) { accessRequests { id state consumerAgency } informationSystem(id: $id) { credentials { clientId environment } } }`, {
    id: SYSTEM,
  });
  return { requests: data.accessRequests.filter((r) => r.consumerAgency === AGENCY), credentials: data.informationSystem.credentials };
}

async function act(who: { username: string; password: string }, id: string, action: string, reason?: string, fieldSets?: string[]): Promise<string> {
  const data = await as<{ actOnAccessRequest: { state: string } }>(
    who,
    'mutation($id: ID!, $action: AccessAction!, $reason: String, $fieldSets: [String!]) { actOnAccessRequest(id: $id, action: $action, reason: $reason, fieldSets: $fieldSets) { state } }',
    { id, action, reason: reason ?? null, fieldSets: fieldSets ?? null },
  );
  return data.actOnAccessRequest.state;
}

/** A page checked by axe-core and photographed. */
async function look(page: Page, name: string): Promise<void> {
  // antd's motions (a modal zooming in, a message fading) end first: axe measures the colours as they are drawn.
  await page.waitForFunction(() => document.querySelector('[class*="-enter"], [class*="-appear"], [class*="-leave"]') === null, undefined, { timeout: 5_000 });
  await checkAccessibility(page);
  await screenshot(page, `developer-${name}`);
}

/** Picks an option of an antd Select by the Select's label. */
async function choose(page: Page, label: RegExp, option: RegExp): Promise<void> {
  await page.getByLabel(label).click();
  await page.locator('.ant-select-item-option', { hasText: option }).first().click();
}

async function fillRequestForm(page: Page): Promise<void> {
  await choose(page, /Hệ thống thông tin khai thác/, /mot-cua-xa-que-phong/);
  await page.getByRole('checkbox', { name: /national-data\.citizen\.basic/ }).check();
  await page.getByRole('checkbox', { name: /national-data\.citizen\.personal/ }).check();
  const purposes = page.getByLabel(/Mục đích sử dụng/);
  await purposes.click();
  await page.keyboard.type('residence-management');
  await page.keyboard.press('Enter');
  await page.getByLabel('Căn cứ pháp lý').fill('Nghị định 104/2022/NĐ-CP; Quyết định giao nhiệm vụ của UBND tỉnh');
  await page.getByLabel('Số yêu cầu dự kiến mỗi ngày').fill('500');
  await page.getByLabel('Hạn mức: số yêu cầu').fill('10');
  await page.getByLabel('… trong số giây').fill('60');
  await page.getByLabel(/Người ký cam kết/).fill('Chủ tịch UBND xã Quế Phong');
}

/** A system's token from node, as a system gets it (client-secret-jwt), to check what GraphiQL shows. */
async function systemToken(clientId: string, secret: string): Promise<string> {
  const endpoint = `${p.platform.urls.issuer}/protocol/openid-connect/token`;
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: clientId, sub: clientId, aud: endpoint, jti: randomUUID(), iat: now, exp: now + 60 })}`;
  const response = await fetch(endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  assert.ok(body.access_token, JSON.stringify(body));
  return body.access_token;
}

before(async () => {
  p = await startPortalPlatform();
  browser = await launchBrowser();
  // The operator registers the new agency and its system (docs/examples/onboarding.mjs, step 1).
  await as(OPERATOR, 'mutation($input: RegisterAgencyInput!) { registerAgency(input: $input) { code } }', {
    input: { code: AGENCY, name: 'Ủy ban nhân dân xã Quế Phong', shortName: 'UBND xã Quế Phong', parentCode: '000.00.00.H41' },
  });
  await as(OPERATOR, 'mutation($input: RegisterSystemInput!) { registerInformationSystem(input: $input) { id } }', {
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
});

after(async () => {
  await browser?.close();
  await p?.close();
});

test('an agency developer goes from the catalogue to production credentials in the portal, with a try-out in GraphiQL', async () => {
  const page = await openPortal(browser.browser, p);
  try {
    await journey(page);
  } catch (error) {
    await screenshot(page, 'developer-failure').catch(() => undefined);
    throw error;
  }
});

async function journey(page: Page): Promise<void> {
  const sent: string[] = [];
  page.on('request', (request) => sent.push(`${request.url()}\n${request.postData() ?? ''}`));
  await signIn(page, 'minh.ho');

  // 1. The catalogue: every published service, searchable.
  await page.getByRole('link', { name: 'Danh mục dịch vụ' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Danh mục dịch vụ' }).waitFor();
  await page.getByRole('link', { name: /Tra cứu thông tin công dân/ }).waitFor();
  await look(page, 'catalogue');
  await page.getByLabel('Tìm dịch vụ').fill('doanh nghiệp');
  await page.getByRole('link', { name: /Tra cứu thông tin doanh nghiệp/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: /Tra cứu thông tin công dân/ }).count(), 0, 'the search leaves the citizen service out');
  await page.getByLabel('Tìm dịch vụ').fill('');

  // 2. A service: versions, field sets, how to call it, schema docs from the supergraph, samples.
  await page.getByRole('link', { name: /Tra cứu thông tin công dân/ }).click();
  await page.getByRole('heading', { level: 1, name: /Tra cứu thông tin công dân/ }).waitFor();
  await page.getByText('Tài liệu lược đồ').first().waitFor();
  // The fields each field set covers, from the registry (the supergraph's @policy): open, no introspection needed.
  const docs = page.getByRole('table', { name: 'Tài liệu lược đồ: national-data.citizen.basic' }).first();
  await docs.getByRole('cell', { name: 'Citizen.fullName', exact: true }).waitFor();
  await docs.getByRole('cell', { name: 'Query.citizen', exact: true }).waitFor();
  await docs.getByText(/Full name \(họ và tên\)/).waitFor();
  assert.equal(await docs.getByRole('cell', { name: 'Citizen.dateOfBirth', exact: true }).count(), 0, 'a field-level set is its own');
  const personalDocs = page.getByRole('table', { name: 'Tài liệu lược đồ: national-data.citizen.personal' }).first();
  await personalDocs.getByRole('cell', { name: 'Citizen.dateOfBirth', exact: true }).waitFor();
  await page
    .getByText(/Mẫu dựng từ lược đồ cho nhóm trường national-data\.citizen\.basic/)
    .first()
    .waitFor();
  const sample = page.getByLabel('Mẫu dựng từ lược đồ cho nhóm trường national-data.citizen.basic').first();
  assert.match(await sample.innerText(), /fullName/);
  assert.doesNotMatch(await sample.innerText(), /dateOfBirth/, 'the sample selects only the set’s own fields');
  await look(page, 'service');

  // 3. Request access: a tampered form first (required and limits removed in the page) sends nothing.
  await page.getByRole('button', { name: 'Đề nghị khai thác dịch vụ này' }).click();
  await page.getByRole('heading', { level: 1, name: 'Đề nghị khai thác dữ liệu' }).waitFor();
  await page.getByLabel(/Hệ thống thông tin khai thác/).waitFor();
  await fillRequestForm(page);
  await page.evaluate(() => {
    document.querySelectorAll('input, textarea').forEach((element) => {
      for (const attribute of ['required', 'aria-required', 'maxlength', 'min', 'max']) element.removeAttribute(attribute);
    });
  });
  await page.getByLabel(/Mục đích sử dụng/).click();
  await page.keyboard.type('Mục-đích SAI!');
  await page.keyboard.press('Enter');
  await page.getByLabel('Căn cứ pháp lý').fill('   ');
  await page.getByLabel(/Người ký cam kết/).fill('x'.repeat(250));
  await page.getByRole('button', { name: 'Gửi đề nghị' }).click();
  await page.getByText('Biểu mẫu còn lỗi: kiểm tra các trường được đánh dấu. Chưa có gì được gửi.').waitFor();
  await page
    .getByText(/không phải mã mục đích/)
    .first()
    .waitFor();
  await page.getByText('Không được để trống và tối đa 1000 ký tự.').waitFor();
  await page.getByText('Không được để trống và tối đa 200 ký tự.').waitFor();
  await look(page, 'request-form-refused');
  assert.deepEqual((await registryState()).requests, [], 'the tampered form created no request');

  // …then the form filled in properly.
  await page.reload();
  await page.getByLabel(/Hệ thống thông tin khai thác/).waitFor();
  await fillRequestForm(page);
  await look(page, 'request-form');
  await page.getByRole('button', { name: 'Gửi đề nghị' }).click();
  await page.waitForURL(/\/portal\/developer\/requests\/ar-/);
  const requestId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  await page.getByText('Chờ phê duyệt').first().waitFor();
  await page.getByText('Cơ quan cung cấp, Đơn vị vận hành').waitFor();
  await page.getByText('Trong hạn').first().waitFor();
  // Working days left by the registry's calendar, and the agencies by name.
  await page
    .getByText(/còn [56] ngày làm việc/)
    .first()
    .waitFor();
  await page.getByRole('cell', { name: 'Công an tỉnh Nghệ An (000.00.02.H41)' }).waitFor();
  await page.getByRole('cell', { name: `Ủy ban nhân dân xã Quế Phong (${AGENCY})` }).waitFor();
  await look(page, 'request-submitted');

  // 4. The provider asks for changes; the developer amends and resubmits (form 03 accepted).
  assert.equal(await act(PROVIDER, requestId, 'REQUEST_CHANGES', 'Bổ sung số quyết định giao nhiệm vụ'), 'CHANGES_REQUESTED');
  await page.reload();
  await page.getByText('Yêu cầu bổ sung, điều chỉnh').first().waitFor();
  await page.getByText('Bổ sung số quyết định giao nhiệm vụ').waitFor();
  await page.getByRole('button', { name: 'Điều chỉnh và gửi lại' }).click();
  await page.getByRole('heading', { level: 1, name: /Bổ sung, điều chỉnh đề nghị/ }).waitFor();
  await page.getByLabel('Căn cứ pháp lý').fill('Nghị định 104/2022/NĐ-CP; Quyết định 123/QĐ-UBND ngày 01/12/2026 giao nhiệm vụ');
  await look(page, 'request-amend');
  await page.getByRole('button', { name: 'Gửi lại đề nghị' }).click();
  await page.waitForURL(new RegExp(`/developer/requests/${requestId}$`));
  await page.getByText('Chờ phê duyệt').first().waitFor();
  await page.getByRole('cell', { name: 'RESUBMIT' }).waitFor();
  await page.getByRole('cell', { name: 'AMEND' }).waitFor();

  // The list of the agency's requests.
  await page.getByRole('link', { name: 'Đề nghị của cơ quan' }).first().click();
  await page.getByRole('link', { name: requestId }).waitFor();
  await page
    .getByRole('table')
    .getByText(/còn [56] ngày làm việc/)
    .first()
    .waitFor();
  await look(page, 'requests');

  // 5. The provider approves the basic field set only, the operator approves: TESTING, with the basic set approved.
  await act(PROVIDER, requestId, 'APPROVE', undefined, ['national-data.citizen.basic']);
  assert.equal(await act(OPERATOR, requestId, 'APPROVE'), 'TESTING');
  await page.goto(`${p.portalUrl}developer/requests/${requestId}`);
  const approved = page.locator('th:has-text("Nhóm trường được chấp thuận") + td').first();
  await approved.getByText('national-data.citizen.basic').waitFor();
  assert.doesNotMatch(await approved.innerText(), /personal/, 'only the approved set');

  // 6. Credentials: production not yet (and why); a file that is not a key is refused in the browser, a key of a
  //    kind the registry refuses gets its INVALID_PUBLIC_KEY; nothing is created either way.
  await page.getByRole('link', { name: 'Thông tin xác thực' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Thông tin xác thực' }).waitFor();
  await page.getByText(/Chưa cấp được thông tin xác thực chính thức: cần một đề nghị ở trạng thái LIVE/).waitFor();
  const testGroup = page.getByRole('group', { name: 'Cấp thông tin xác thực Thử nghiệm' });
  await testGroup.getByRole('radio', { name: /Cặp khóa công khai/ }).check();
  await testGroup
    .getByLabel(/Tệp khóa công khai \(PEM\)/)
    .setInputFiles({ name: 'khoa.pem', mimeType: 'text/plain', buffer: Buffer.from('Đây không phải là khóa\n') });
  await testGroup.getByText(/Tệp "khoa\.pem" không phải khóa công khai dạng PEM/).waitFor();
  const { privateKey: _unused, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await testGroup.getByLabel(/Tệp khóa công khai \(PEM\)/).setInputFiles({ name: 'ec.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(ecKey) });
  await testGroup.getByText('Khóa công khai hợp lệ: EC P-256.').waitFor();
  await testGroup.getByRole('button', { name: 'Cấp thông tin xác thực Thử nghiệm' }).click();
  await testGroup.getByText(/INVALID_PUBLIC_KEY/).waitFor();
  await look(page, 'credentials-key-refused');
  assert.deepEqual((await registryState()).credentials, [], 'no credential was created');

  // The test credential with a secret: shown once, in a modal with a copy button and a warning.
  await testGroup.getByRole('radio', { name: /Khóa bí mật/ }).check();
  await testGroup.getByRole('button', { name: 'Cấp thông tin xác thực Thử nghiệm' }).click();
  const modal = page.getByRole('dialog');
  await modal.getByText(/chỉ hiển thị MỘT LẦN/).waitFor();
  await modal.getByRole('button', { name: 'Sao chép' }).waitFor();
  const testSecret = (await modal.getByTestId('issued-secret').innerText()).trim();
  assert.ok(testSecret.length >= 24, 'the secret is shown');
  await look(page, 'credentials-secret-once');
  await modal.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click();
  await modal.waitFor({ state: 'hidden' });
  const testClientId = `${SYSTEM.replace(':', '.')}.test`.toLowerCase();
  await page.getByRole('cell', { name: testClientId }).waitFor();
  await page.getByText('Đang hoạt động').first().waitFor();
  await page.getByText(testSecret).waitFor({ state: 'detached', timeout: 5_000 }); // not shown again, not kept in the page
  assert.equal(await page.evaluate((s) => JSON.stringify(localStorage).includes(s), testSecret), false, 'the secret is not in localStorage');

  // 7. Try-out: a token for the test credential from the browser, GraphiQL opened with it filled in.
  await page.getByRole('link', { name: 'Dùng thử (GraphiQL)' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Dùng thử (GraphiQL)' }).waitFor();
  await page.getByText('Đã có khóa bí mật vừa cấp trong phiên này.').waitFor();
  await page.getByLabel('Truy vấn mở sẵn').fill(`query TryOut {\n  citizen(personalId: "${TEST_CITIZEN}") {\n    fullName\n  }\n}`);
  await look(page, 'try-out');
  const [graphiql] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Lấy token và mở GraphiQL' }).click()]);
  await page.getByText(/Đã có access token/).waitFor();
  await graphiql.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
  const headersEditor = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
  const headers = (await graphiql.locator(`${headersEditor} .view-lines`).innerText()).replaceAll('\u00a0', ' ');
  assert.match(headers, /"Authorization": "Bearer ey/);
  assert.match(headers, /"X-LGSP-Purpose": "residence-management:/);
  const expected = await p.query<{ citizen: { fullName: string } }>(
    `{ citizen(personalId: "${TEST_CITIZEN}") { fullName } }`,
    {},
    { token: await systemToken(testClientId, testSecret), purpose: 'residence-management:THU-NGHIEM-001' },
  );
  const fullName = expected.body.data?.citizen?.fullName;
  assert.ok(fullName, `the test dataset answers the test credential: ${JSON.stringify(expected.body)}`);
  await graphiql.locator('.graphiql-tab-active', { hasText: 'TryOut' }).waitFor({ timeout: 10_000 });
  await graphiql.getByRole('button', { name: /Execute query/ }).click();
  await graphiql.waitForFunction(
    (name) => (document.querySelector('.graphiql-response')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(name),
    fullName,
    { timeout: 20_000 },
  );
  await screenshot(graphiql, 'developer-graphiql');
  await graphiql.close();
  for (const request of sent) {
    assert.equal(request.includes(testSecret), false, `the secret left the browser: ${request.split('\n')[0]}`);
  }

  // 8. The developer reports the integration; the provider confirms: LIVE, and production credentials may be issued.
  await page.goto(`${p.portalUrl}developer/requests/${requestId}`);
  await page.getByRole('button', { name: 'Báo cáo đã tích hợp xong' }).click();
  await page.getByText('Đã báo cáo tích hợp xong; chờ cơ quan cung cấp xác nhận.').waitFor();
  await page.getByText('Đã báo cáo tích hợp, chờ xác nhận').first().waitFor();
  assert.equal(await act(PROVIDER, requestId, 'CONFIRM_INTEGRATION'), 'LIVE');
  await page.getByRole('link', { name: 'Thông tin xác thực' }).first().click();
  const productionGroup = page.getByRole('group', { name: 'Cấp thông tin xác thực Chính thức' });
  await productionGroup.getByRole('button', { name: 'Cấp thông tin xác thực Chính thức' }).click();
  await modal.getByText(/chỉ hiển thị MỘT LẦN/).waitFor();
  const productionSecret = (await modal.getByTestId('issued-secret').innerText()).trim();
  await modal.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click();
  await modal.waitFor({ state: 'hidden' });
  await page.getByRole('cell', { name: `${SYSTEM.replace(':', '.')}.production`.toLowerCase() }).waitFor();
  assert.equal(
    await page.evaluate((s) => JSON.stringify(sessionStorage).includes(s) || JSON.stringify(localStorage).includes(s), productionSecret),
    false,
    'a production secret is kept nowhere in the browser',
  );
  await look(page, 'credentials-production');
  const final = await registryState();
  assert.deepEqual(
    final.requests.map((r) => r.state),
    ['LIVE'],
  );
  assert.deepEqual(final.credentials.map((c) => c.environment).sort(), ['PRODUCTION', 'TEST']);
}
