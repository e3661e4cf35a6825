/**
 * Issue 18's "Done when", entirely in the browser (real Chromium) against the real platform started the way `npm start`
 * starts it (scripts/platform.ts through test/testing/platform-fixture.ts: in-memory stores, no REDIS_URL, the
 * development seed, the development issuer, the simulators):
 * 1. a newcomer opens the portal URL; the operator (lan.nguyen) registers the new agency UBND xã Quế Phong
 *    (000.00.22.H41, not in the development seed) and its one-stop-shop system;
 * 2. its developer (minh.ho) browses the catalogue and requests access to Công an tỉnh's citizen service (basic
 *    field set);
 * 3. Công an tỉnh's administrator approves it, the requested field set checked; the operator approves it in the queue;
 * 4. the developer issues a test credential (secret shown once), tries a query in the gateway's GraphiQL from the
 *    portal's try-out (the test dataset answers), reports the integration; the provider confirms it; the developer
 *    issues a production credential; outside the browser, a client assertion signed with the shown secret (HS256,
 *    docs/agency-guide.md) gets a token and a real query returns the approved fields and refuses the others;
 * 5. an agency system reads citizen X with a purpose; X signs in through the VDXP simulator (the portal's VNeID
 *    button) and sees the agencies that read them, with the purposes, and their own record.
 * Nothing is done through GraphQL by hand but the citizen read and the production-credential proof. axe-core on every
 * new page; screenshots in .tmp/screenshots/done-when-*.png.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, openPortal, screenshot, signIn, signedIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

const AGENCY = '000.00.22.H41';
const SYSTEM = `${AGENCY}:mot-cua-xa-que-phong`;
const TEST_CLIENT = `${SYSTEM.replace(':', '.')}.test`.toLowerCase();
const PRODUCTION_CLIENT = `${SYSTEM.replace(':', '.')}.production`.toLowerCase();
/** A citizen of the simulator's test dataset (simulator/CONTRACT.md): what a test credential reads. */
const TEST_CITIZEN = '020067289952';
const OPERATOR = { username: 'lan.nguyen', password: 'Dev-VanPhong#2025' };
const PROVIDER = { username: '000.00.02.h41@nghean.gov.vn', password: 'Dev-QTV-CongAn#2025' };
const DEVELOPER = { username: 'minh.ho', password: 'Dev-LTV-QuePhong#2025' };
/** The VDXP simulator's development password of every citizen (simulator/CONTRACT.md § VDXP). */
const VNEID_PASSWORD = 'VNeID-Dev#2025';
/** Công an tỉnh's population system reads the citizen for this residence-management case (step 5). */
const POLICE_PURPOSE = 'residence-management:HS-2026-018018';
/** UBND xã Quế Phong's one-stop shop reads the same citizen with its production credential (step 4). */
const QUEPHONG_PURPOSE = 'residence-management:MC-QP-2026-0018';

let p: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

before(async () => {
  // As `npm start` runs it: no REDIS_URL, in-memory stores; the registry's development seed (scripts/platform.ts).
  p = await startPortalPlatform({ redis: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await p?.close();
});

/** Waits for the locator; a timeout fails with what the page shows, to tell why. */
async function shown(page: Page, locator: Locator, timeout = 45_000): Promise<void> {
  await locator.waitFor({ timeout }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nthe page shows at ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 1500)}`);
  });
}

/** axe-core once the page has settled (no spinner, no loading button, no motion), then a screenshot. */
async function look(page: Page, name: string): Promise<void> {
  await page.locator('.ant-btn-loading, .ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('[class*="-enter"], [class*="-appear"], [class*="-leave"]') === null, undefined, { timeout: 5_000 });
  await page.waitForTimeout(300);
  await checkAccessibility(page);
  await screenshot(page, `done-when-${name}`);
}

async function go(page: Page, linkName: RegExp, heading: RegExp = linkName): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).first().click();
  await shown(page, page.getByRole('heading', { level: 1, name: heading }));
}

/** A fresh browser context at the portal's URL, signed in as a development user through the portal's sign-in page. */
async function openAs(who: { username: string; password: string }): Promise<Page> {
  const page = await openPortal(browser.browser, p);
  await signIn(page, who.username, who.password);
  return page;
}

/** The failure's screenshot, then the failure. */
async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await screenshot(page, `done-when-failure-${name}`).catch(() => undefined);
    throw error;
  }
}

/** A system's token as docs/agency-guide.md says: client_credentials with a client assertion signed HS256 with the secret. */
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
  assert.ok(body.access_token, `the production credential gets a token: ${JSON.stringify(body)}`);
  return body.access_token;
}

test(
  "issue 18 done: from a new agency's access request to production credentials, and a citizen's access history, in the browser",
  { timeout: 600_000 },
  async () => {
    const { citizens } = await p.simulator.samples(3);
    const citizenX = citizens[0]!;

    // 1. The newcomer opens the printed portal URL: the sign-in page. The operator registers the new agency and its system.
    const operator = await openPortal(browser.browser, p);
    await step(operator, 'operator-register', async () => {
      await shown(operator, operator.getByRole('button', { name: /Đăng nhập \(cán bộ/ }));
      await shown(operator, operator.getByRole('button', { name: /Đăng nhập bằng định danh điện tử \(VNeID\)/ }));
      await look(operator, '01-portal-sign-in');
      await signIn(operator, OPERATOR.username, OPERATOR.password);
      await look(operator, '02-operator-home');
      await go(operator, /^Cơ quan, đơn vị$/);
      const agencies = operator.getByRole('table', { name: 'Danh sách cơ quan, đơn vị' });
      await shown(operator, agencies.getByText('000.00.02.H41'));
      assert.equal(await agencies.getByText(AGENCY).count(), 0, 'UBND xã Quế Phong is not in the development seed: the operator registers it');
      const agencyForm = operator.locator('form#agency');
      await agencyForm.getByLabel('Mã định danh').fill(AGENCY);
      await agencyForm.getByLabel('Tên cơ quan').fill('Ủy ban nhân dân xã Quế Phong');
      await agencyForm.getByLabel('Tên viết tắt').fill('UBND xã Quế Phong');
      await agencyForm.getByLabel('Mã cơ quan cấp trên').fill('000.00.00.H41');
      await agencyForm.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
      await shown(operator, agencyForm.getByRole('status').getByText(`Đã đăng ký cơ quan ${AGENCY}`));
      const systemForm = operator.locator('form#system');
      await systemForm.getByLabel('Cơ quan chủ quản').click();
      await systemForm.getByLabel('Cơ quan chủ quản').fill(AGENCY);
      await operator.locator('.ant-select-item-option').filter({ hasText: AGENCY }).click();
      await systemForm.getByLabel(/Mã hệ thống/).fill('mot-cua-xa-que-phong');
      await systemForm.getByLabel('Tên hệ thống').fill('Hệ thống một cửa xã Quế Phong');
      await systemForm.getByLabel('Mục đích sử dụng').fill('Giải quyết thủ tục hành chính của xã: tra cứu thông tin công dân');
      await systemForm.getByLabel('Đầu mối kỹ thuật — họ tên').fill('Nguyễn Văn Quế');
      await systemForm.getByLabel('Đầu mối kỹ thuật — thư điện tử').fill('motcua@quephong.nghean.gov.vn');
      await systemForm.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
      await shown(operator, systemForm.getByRole('status').getByText(`Đã đăng ký hệ thống ${SYSTEM}`));
      await shown(operator, agencies.getByText('Ủy ban nhân dân xã Quế Phong'));
      await look(operator, '03-operator-registered-agency');
    });

    // 2. The developer of the new agency: the catalogue, a service, the access request (form 02, commitment of form 03).
    const developer = await openAs(DEVELOPER);
    const requestId = await step(developer, 'developer-request', async () => {
      await go(developer, /^Danh mục dịch vụ$/);
      await shown(developer, developer.getByRole('link', { name: /Tra cứu thông tin công dân/ }));
      await look(developer, '04-developer-catalogue');
      await developer.getByRole('link', { name: /Tra cứu thông tin công dân/ }).click();
      await shown(developer, developer.getByRole('heading', { level: 1, name: /Tra cứu thông tin công dân/ }));
      await shown(developer, developer.getByText('Tài liệu lược đồ').first());
      await look(developer, '05-developer-service');
      await developer.getByRole('button', { name: 'Đề nghị khai thác dịch vụ này' }).click();
      await shown(developer, developer.getByRole('heading', { level: 1, name: 'Đề nghị khai thác dữ liệu' }));
      await developer.getByLabel(/Hệ thống thông tin khai thác/).click();
      await developer
        .locator('.ant-select-item-option', { hasText: /mot-cua-xa-que-phong/ })
        .first()
        .click();
      await developer.getByRole('checkbox', { name: /national-data\.citizen\.basic/ }).check();
      await developer.getByLabel(/Mục đích sử dụng/).click();
      await developer.keyboard.type('residence-management');
      await developer.keyboard.press('Enter');
      await developer.getByLabel('Căn cứ pháp lý').fill('Nghị định 104/2022/NĐ-CP; Quyết định 123/QĐ-UBND giao nhiệm vụ của UBND tỉnh');
      await developer.getByLabel('Số yêu cầu dự kiến mỗi ngày').fill('500');
      await developer.getByLabel('Hạn mức: số yêu cầu').fill('10');
      await developer.getByLabel('… trong số giây').fill('60');
      await developer.getByLabel(/Người ký cam kết/).fill('Chủ tịch UBND xã Quế Phong');
      await look(developer, '06-developer-request-form');
      await developer.getByRole('button', { name: 'Gửi đề nghị' }).click();
      await developer.waitForURL(/\/portal\/developer\/requests\/ar-/);
      await shown(developer, developer.getByText('Chờ phê duyệt').first());
      await look(developer, '07-developer-request-submitted');
      return decodeURIComponent(new URL(developer.url()).pathname.split('/').pop() ?? '');
    });

    // 3. The provider approves, the requested field set checked; the operator approves in the queue.
    const provider = await openAs(PROVIDER);
    await step(provider, 'provider-approve', async () => {
      await go(provider, /^Yêu cầu khai thác dịch vụ/, /Yêu cầu khai thác dịch vụ của cơ quan/);
      await shown(provider, provider.getByRole('table', { name: 'Chờ cơ quan xử lý' }).getByText(SYSTEM));
      await look(provider, '08-provider-requests');
      await provider.getByRole('link', { name: new RegExp(`Xem xét: .*\\(${AGENCY.replaceAll('.', '\\.')}\\) — national-data-citizen`) }).click();
      await shown(provider, provider.getByRole('heading', { level: 1, name: 'Xem xét yêu cầu khai thác' }));
      const basic = provider.getByRole('checkbox', { name: /national-data\.citizen\.basic/ });
      await shown(provider, basic);
      assert.equal(await basic.isChecked(), true, 'the requested field set is offered, checked');
      await look(provider, '09-provider-request');
      await provider.getByRole('button', { name: 'Phê duyệt' }).click();
      await shown(provider, provider.getByRole('status').getByText(/Đã ghi nhận/));
      await look(provider, '10-provider-approved');
    });
    await step(operator, 'operator-approve', async () => {
      await go(operator, /^Hàng đợi phê duyệt$/);
      const row = operator.getByRole('table', { name: 'Yêu cầu khai thác dữ liệu' }).getByRole('row').filter({ hasText: requestId });
      await shown(operator, row);
      await look(operator, '11-operator-approvals');
      await row.getByRole('button', { name: 'Phê duyệt' }).click();
      await shown(operator, operator.getByRole('status').getByText(`Đã ghi nhận: Phê duyệt yêu cầu ${requestId}`));
    });

    // 4. Test credential (secret shown once), try-out in GraphiQL, integration reported and confirmed, production credential.
    await step(developer, 'developer-test-credential', async () => {
      await developer.reload();
      await shown(developer, developer.getByText('Đang thử nghiệm').first());
      await go(developer, /^Thông tin xác thực$/);
      const testGroup = developer.getByRole('group', { name: 'Cấp thông tin xác thực Thử nghiệm' });
      await testGroup.getByRole('radio', { name: /Khóa bí mật/ }).check();
      await look(developer, '12-developer-credentials');
      await testGroup.getByRole('button', { name: 'Cấp thông tin xác thực Thử nghiệm' }).click();
      const modal = developer.getByRole('dialog');
      await shown(developer, modal.getByText(/chỉ hiển thị MỘT LẦN/));
      assert.ok((await modal.getByTestId('issued-secret').innerText()).trim().length >= 24, 'the test secret is shown');
      await look(developer, '13-developer-test-secret-once');
      await modal.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click();
      await modal.waitFor({ state: 'hidden' });
      await shown(developer, developer.getByRole('cell', { name: TEST_CLIENT }));
    });

    await step(developer, 'developer-try-out', async () => {
      await go(developer, /^Dùng thử \(GraphiQL\)$/);
      await shown(developer, developer.getByText('Đã có khóa bí mật vừa cấp trong phiên này.'));
      await developer.getByLabel('Truy vấn mở sẵn').fill(`query TryOut {\n  citizen(personalId: "${TEST_CITIZEN}") {\n    personalId\n    fullName\n  }\n}`);
      await look(developer, '14-developer-try-out');
      const [graphiql] = await Promise.all([
        developer.context().waitForEvent('page'),
        developer.getByRole('button', { name: 'Lấy token và mở GraphiQL' }).click(),
      ]);
      await graphiql.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
      await graphiql.locator('.graphiql-tab-active', { hasText: 'TryOut' }).waitFor({ timeout: 10_000 });
      await graphiql.getByRole('button', { name: /Execute query/ }).click();
      // The test dataset answers: the citizen's record with a name, no errors.
      await graphiql.waitForFunction(
        (id) => {
          const text = (document.querySelector('.graphiql-response')?.textContent ?? '').replaceAll('\u00a0', ' ');
          return text.includes(`"personalId": "${id}"`) && /"fullName": "[^"]+"/.test(text);
        },
        TEST_CITIZEN,
        { timeout: 30_000 },
      );
      const response = (await graphiql.locator('.graphiql-response').innerText()).replaceAll('\u00a0', ' ');
      assert.doesNotMatch(response, /"errors"/, response);
      await screenshot(graphiql, 'done-when-15-graphiql-test-data');
      await graphiql.close();
    });

    await step(developer, 'developer-report', async () => {
      await developer.goto(`${p.portalUrl}developer/requests/${encodeURIComponent(requestId)}`);
      await developer.getByRole('button', { name: 'Báo cáo đã tích hợp xong' }).click();
      await shown(developer, developer.getByText('Đã báo cáo tích hợp xong; chờ cơ quan cung cấp xác nhận.'));
      await look(developer, '16-developer-integration-reported');
    });

    await step(provider, 'provider-confirm', async () => {
      await provider.goto(`${p.portalUrl}provider/requests/${encodeURIComponent(requestId)}`);
      await provider.getByRole('button', { name: 'Xác nhận hoàn thành tích hợp' }).click();
      await shown(provider, provider.getByRole('status').getByText(/Đã ghi nhận/));
      await look(provider, '17-provider-confirmed');
      await provider.context().close();
    });

    const productionSecret = await step(developer, 'developer-production', async () => {
      await go(developer, /^Thông tin xác thực$/);
      const productionGroup = developer.getByRole('group', { name: 'Cấp thông tin xác thực Chính thức' });
      await productionGroup.getByRole('button', { name: 'Cấp thông tin xác thực Chính thức' }).click();
      const modal = developer.getByRole('dialog');
      await shown(developer, modal.getByText(/chỉ hiển thị MỘT LẦN/));
      const secret = (await modal.getByTestId('issued-secret').innerText()).trim();
      await look(developer, '18-developer-production-secret-once');
      await modal.getByRole('button', { name: 'Tôi đã lưu khóa bí mật' }).click();
      await modal.waitFor({ state: 'hidden' });
      await shown(developer, developer.getByRole('cell', { name: PRODUCTION_CLIENT }));
      await look(developer, '19-developer-credentials-production');
      await developer.context().close();
      return secret;
    });

    // …and the production credential works outside the browser: a real query, the approved field set only.
    const token = await systemToken(PRODUCTION_CLIENT, productionSecret);
    const approved = await p.query<{ citizen: Record<string, unknown> }>(
      'query($id: String!) { citizen(personalId: $id) { personalId fullName } }',
      { id: citizenX },
      { token, purpose: QUEPHONG_PURPOSE },
    );
    assert.equal(approved.body.errors, undefined, JSON.stringify(approved.body.errors));
    assert.deepEqual(Object.keys(approved.body.data!.citizen).sort(), ['fullName', 'personalId']);
    assert.equal(approved.body.data!.citizen.personalId, citizenX);
    assert.ok(typeof approved.body.data!.citizen.fullName === 'string' && approved.body.data!.citizen.fullName.length > 1, 'the production dataset answers');
    const beyond = await p.query<{ citizen: Record<string, unknown> | null }>(
      'query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth } }',
      { id: citizenX },
      { token, purpose: QUEPHONG_PURPOSE },
    );
    assert.ok(
      beyond.body.errors?.some((e) => e.extensions?.code === 'UNAUTHORIZED_FIELD_OR_TYPE'),
      `a field outside the approved field sets is refused: ${JSON.stringify(beyond.body)}`,
    );
    assert.equal((beyond.body.data?.citizen as Record<string, unknown> | null | undefined)?.dateOfBirth ?? null, null, 'no date of birth comes back');

    // 5. An agency system reads citizen X with a purpose; X signs in through VDXP and sees who read them and why.
    const read = await p.query('query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth } }', { id: citizenX }, { purpose: POLICE_PURPOSE });
    assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
    const fullName = (read.body.data as { citizen: { fullName: string } }).citizen.fullName;

    const citizen = await openPortal(browser.browser, p);
    await step(citizen, 'citizen', async () => {
      await citizen.getByRole('button', { name: /Đăng nhập bằng định danh điện tử \(VNeID\)/ }).click();
      const idField = citizen.getByLabel(/Số định danh cá nhân/);
      await shown(citizen, idField, 20_000);
      await look(citizen, '20-vdxp-login');
      await idField.fill(citizenX);
      await citizen.getByLabel(/Mật khẩu/).fill(VNEID_PASSWORD);
      await citizen.getByRole('button', { name: /^Đăng nhập/ }).click();
      await signedIn(citizen);
      await look(citizen, '21-citizen-home');

      await go(citizen, /^Ai đã xem dữ liệu của tôi$/);
      const history = citizen.getByTestId('my-data-accesses');
      const police = history.getByRole('listitem').filter({ hasText: 'HS-2026-018018' });
      await shown(citizen, police.first());
      const policeText = await police.first().innerText();
      assert.match(policeText, /Công an tỉnh Nghệ An đã xem họ tên, ngày sinh của bạn/, policeText);
      assert.match(policeText, /Mục đích: Quản lý cư trú \(hồ sơ HS-2026-018018\)/, policeText);
      const quePhong = history.getByRole('listitem').filter({ hasText: 'MC-QP-2026-0018' });
      await shown(citizen, quePhong.first());
      const quePhongText = await quePhong.first().innerText();
      assert.match(quePhongText, /Quế Phong đã xem (số định danh, )?họ tên của bạn/, quePhongText);
      assert.match(quePhongText, /Mục đích: Quản lý cư trú \(hồ sơ MC-QP-2026-0018\)/, quePhongText);
      await look(citizen, '22-citizen-data-accesses');

      await go(citizen, /^Thông tin của tôi$/);
      const record = citizen.getByTestId('my-record');
      await shown(citizen, record);
      assert.match(await record.innerText(), new RegExp(citizenX));
      assert.match(await record.innerText(), new RegExp(fullName));
      await look(citizen, '23-citizen-record');
    });
    await citizen.context().close();
    await operator.context().close();
  },
);
