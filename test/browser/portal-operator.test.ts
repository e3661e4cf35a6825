/**
 * The operator's and civil servants' journeys through the portal in a real browser against the real platform:
 * the operator (lan.nguyen) registers a new agency and its system, approves an access request waiting in the queue,
 * reads the health board, searches the audit and sees the chain's verification status, downloads a report, announces
 * a maintenance window that then shows in another person's banner, and records and resolves an incident. An agency
 * administrator registers a single sign-on application (its secret shown once) and a civil servant of that agency
 * finds it in the launcher. axe-core on each screen; screenshots into .tmp/screenshots/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { launchBrowser } from '../testing/browser.ts';
import { checkAccessibility, openPortal, screenshot, signIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

const NEW_AGENCY = '000.00.22.H41';
const TUPHAP = '000.00.04.H41';
const TUPHAP_SYSTEM = `${TUPHAP}:ho-tich-dien-tu`;
const TRUONG_VINH_ADMIN = { username: '000.00.20.h41@nghean.gov.vn', password: 'Dev-QTV-TruongVinh#2025' };

let platform: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
/** The access request created in setup, waiting for the operator. */
let requestId = '';

async function gql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await fetch(platform.platform.urls.gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data!;
}

const login = async (username: string, password: string) =>
  (await developmentPortalLogin(platform.platform.urls.issuer, username, password, `${platform.origin}/portal/callback`)).accessToken;

/** Waits for the locator; a timeout fails with what the page shows (main area), to tell why. */
async function shown(page: Page, locator: Locator, timeout = 45_000): Promise<void> {
  await locator.waitFor({ timeout }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nthe page shows at ${page.url()}:\n${(await page.locator('body').innerText()).slice(0, 1500)}`);
  });
}

/** axe-core once the page has settled: no button still loading, no spinner, transitions over. */
async function axe(page: Page): Promise<void> {
  await page.locator('.ant-btn-loading, .ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 20_000 });
  await page.waitForTimeout(400);
  await checkAccessibility(page);
}

before(async () => {
  platform = await startPortalPlatform({ env: { REGISTRY_SEED: 'development', CATALOGS_REGISTRY_POLL_MS: '500' } });
  browser = await launchBrowser();
  // Setup: Sở Tư pháp's administrator asks for the citizen service's basic field set for its civil-status system.
  const tuphap = await login('000.00.04.h41@nghean.gov.vn', 'Dev-QTV-TuPhap#2025');
  const submitted = await gql(tuphap, 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state } }', {
    input: {
      consumerSystem: TUPHAP_SYSTEM,
      serviceCode: 'national-data-citizen',
      fieldSets: ['national-data.citizen.basic'],
      purposes: ['civil-status'],
      legalBasis: 'Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP',
      expectedRequestsPerDay: 200,
      securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết bảo đảm an toàn thông tin (Mẫu 03)' },
    },
  });
  requestId = submitted.submitAccessRequest.id;
  assert.equal(submitted.submitAccessRequest.state, 'PENDING_APPROVAL');
});

after(async () => {
  await browser?.close();
  await platform?.close();
});

async function openAs(username: string, password?: string, path = ''): Promise<Page> {
  const page = await openPortal(browser.browser, platform, path);
  await signIn(page, username, password);
  return page;
}

async function go(page: Page, linkName: RegExp, heading: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Types a start and an end into the form's antd range picker (dd/mm/yyyy hh:mm) and confirms each. */
async function fillRange(form: Locator, start: Date, end: Date): Promise<void> {
  const inputs = form.locator('.ant-picker-range input');
  await inputs.nth(0).click();
  await inputs.nth(0).fill(pickerText(start));
  await inputs.nth(0).press('Enter');
  await inputs.nth(1).fill(pickerText(end));
  await inputs.nth(1).press('Enter');
}

/** `dd/mm/yyyy hh:mm` in Vietnam time, as the pickers show. */
function pickerText(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

test('the operator registers an agency and its system, approves a request, reads health and audit, downloads a report', { timeout: 300_000 }, async () => {
  const page = await openAs('lan.nguyen');

  // Every agency; register UBND xã Quế Phong (the onboarding's first step) and its one-stop-shop system.
  await go(page, /^Cơ quan, đơn vị$/, /^Cơ quan, đơn vị$/);
  await shown(page, page.getByRole('table', { name: 'Danh sách cơ quan, đơn vị' }).getByText('000.00.02.H41'));
  await axe(page);
  const agencyForm = page.locator('form#agency');
  await agencyForm.getByLabel('Mã định danh').fill('00.22.H41');
  await agencyForm.getByLabel('Tên cơ quan').fill('Ủy ban nhân dân xã Quế Phong');
  await agencyForm.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
  // A malformed code is explained next to the field, nothing sent.
  await shown(page, agencyForm.getByText('Mã định danh có dạng AAA.BB.CC.XNN, ví dụ 000.00.22.H41').first());
  await agencyForm.getByLabel('Mã định danh').fill(NEW_AGENCY);
  await agencyForm.getByLabel('Tên viết tắt').fill('UBND xã Quế Phong');
  await agencyForm.getByLabel('Mã cơ quan cấp trên').fill('000.00.00.H41');
  await agencyForm.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
  await shown(page, agencyForm.getByRole('status').getByText(`Đã đăng ký cơ quan ${NEW_AGENCY}`));
  await shown(page, page.getByRole('table', { name: 'Danh sách cơ quan, đơn vị' }).getByText('Ủy ban nhân dân xã Quế Phong'));
  // The same code again: the API's ALREADY_EXISTS in Vietnamese.
  await agencyForm.getByLabel('Mã định danh').fill(NEW_AGENCY);
  await agencyForm.getByLabel('Tên cơ quan').fill('Ủy ban nhân dân xã Quế Phong');
  await agencyForm.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
  await shown(page, agencyForm.getByRole('alert').getByText('Bản ghi này đã tồn tại.'));

  const systemForm = page.locator('form#system');
  await systemForm.getByLabel('Cơ quan chủ quản').click();
  await systemForm.getByLabel('Cơ quan chủ quản').fill(NEW_AGENCY);
  await page.locator('.ant-select-item-option').filter({ hasText: NEW_AGENCY }).click();
  await systemForm.getByLabel(/Mã hệ thống/).fill('mot-cua-xa-que-phong');
  await systemForm.getByLabel('Tên hệ thống').fill('Hệ thống một cửa xã Quế Phong');
  await systemForm.getByLabel('Mục đích sử dụng').fill('Giải quyết thủ tục hành chính của xã');
  await systemForm.getByLabel('Đầu mối kỹ thuật — họ tên').fill('Nguyễn Văn Quế');
  await systemForm.getByLabel('Đầu mối kỹ thuật — thư điện tử').fill('motcua@quephong.nghean.gov.vn');
  await systemForm.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
  await shown(page, systemForm.getByRole('status').getByText(`Đã đăng ký hệ thống ${NEW_AGENCY}:mot-cua-xa-que-phong`));
  await axe(page);
  await screenshot(page, 'operator-agencies');

  // The approvals queue: the request from setup, with its working-day deadline; approve it as the operator.
  await go(page, /^Hàng đợi phê duyệt$/, /^Hàng đợi phê duyệt$/);
  const requests = page.getByRole('table', { name: 'Yêu cầu khai thác dữ liệu' });
  const row = requests.getByRole('row').filter({ hasText: requestId });
  await shown(page, row);
  assert.match(await row.innerText(), /Chờ phê duyệt/);
  assert.match(await row.innerText(), /còn \d+ ngày/);
  await axe(page);
  await screenshot(page, 'operator-approvals');
  await row.getByRole('button', { name: 'Phê duyệt' }).click();
  await shown(page, page.getByRole('status').getByText(`Đã ghi nhận: Phê duyệt yêu cầu ${requestId}`));
  await shown(page, requests.getByRole('row').filter({ hasText: requestId }).getByText('Vận hành đã duyệt'));
  const operatorToken = await login('lan.nguyen', 'Dev-VanPhong#2025');
  const state = await gql(operatorToken, 'query($id: ID!) { accessRequest(id: $id) { state operatorApproved } }', { id: requestId });
  assert.deepEqual(state.accessRequest, { state: 'OPERATOR_APPROVED', operatorApproved: true });

  // The health board: every agency's systems, offline and degraded first.
  await go(page, /^Bảng giám sát tình trạng$/, /^Bảng giám sát tình trạng$/);
  const health = page.getByRole('table', { name: 'Tình trạng hệ thống thông tin' });
  // Monitoring reads the registry's systems and pulls their health at its own pace; on a busy machine the first pull
  // may come after the page was read: reload (at most a minute) until the system is on the board.
  for (let attempt = 1; !(await health.getByText(TUPHAP_SYSTEM).isVisible()); attempt++) {
    assert.ok(attempt <= 30, `${TUPHAP_SYSTEM} was not on the health board within a minute`);
    await page.waitForTimeout(2_000);
    await page.getByRole('button', { name: 'Tải lại' }).click();
  }
  await shown(page, health.getByText(TUPHAP_SYSTEM));
  const summary = await page.getByTestId('health-summary').innerText();
  assert.match(summary, /\d+ mất kết nối, \d+ suy giảm, \d+ hoạt động, \d+ chưa rõ/);
  const statuses = await health.locator('tbody tr td:first-child').allInnerTexts();
  const rank = (s: string) => ['Mất kết nối', 'Suy giảm', 'Chưa rõ', 'Hoạt động'].indexOf(s.trim());
  assert.deepEqual(
    statuses.map(rank),
    [...statuses.map(rank)].sort((a, b) => a - b),
    `offline and degraded first: ${statuses.join(', ')}`,
  );
  await axe(page);
  await screenshot(page, 'operator-health');

  // Audit search (the approval above is in the log) and the chain's verification status.
  await go(page, /^Tra cứu nhật ký$/, /^Tra cứu nhật ký$/);
  await shown(page, page.getByTestId('chain-status').getByText(/Chuỗi nhật ký toàn vẹn|Chuỗi nhật ký có sai lệch/));
  assert.match(await page.getByTestId('chain-status').innerText(), /Chuỗi nhật ký toàn vẹn/);
  const auditForm = page.locator('form#audit-records');
  await auditForm.getByRole('button', { name: 'Tìm kiếm' }).click();
  const records = page.getByRole('table', { name: 'Bản ghi nhật ký' });
  await shown(page, records.locator('tbody tr.ant-table-row').first());
  assert.ok((await records.locator('tbody tr.ant-table-row').count()) > 0);
  await axe(page);
  await screenshot(page, 'operator-audit');

  // A report of this month for the province, as PDF: the link downloads a PDF.
  await go(page, /^Báo cáo$/, /^Báo cáo$/);
  await page.getByRole('button', { name: 'Lập báo cáo' }).click();
  const link = page.getByRole('link', { name: /Tải xuống .*\.pdf/ });
  await shown(page, link, 90_000);
  await axe(page);
  await screenshot(page, 'operator-reports');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = await download.path();
  assert.ok(file !== null);
  assert.equal((await readFile(file)).subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(download.suggestedFilename(), /\.pdf$/);
  await page.context().close();
});

test('the operator announces maintenance that shows in everyone’s banner, and records and resolves an incident', { timeout: 300_000 }, async () => {
  const page = await openAs('lan.nguyen');
  await go(page, /^Bảo trì và sự cố$/, /^Bảo trì và sự cố$/);
  await axe(page);

  // Announce a window 2 days ahead (the form refuses less than 24 hours' notice before sending).
  const announce = page.locator('form#announce');
  const soon = new Date(Date.now() + 2 * 3_600_000);
  await fillRange(announce, soon, new Date(soon.getTime() + 3_600_000));
  await announce.getByLabel('Nội dung').fill('Nâng cấp cơ sở dữ liệu');
  await announce.getByLabel('Lý do').fill('Nâng cấp phiên bản');
  await announce.getByRole('button', { name: 'Thông báo' }).click();
  await shown(page, announce.getByText('Thời điểm bắt đầu phải sau ít nhất 24 giờ kể từ bây giờ'));

  const start = new Date(Date.now() + 48 * 3_600_000);
  await fillRange(announce, start, new Date(start.getTime() + 2 * 3_600_000));
  await announce.getByRole('button', { name: 'Thông báo' }).click();
  await shown(page, announce.getByRole('status').getByText('Đã thông báo bảo trì'));
  const windows = page.getByRole('table', { name: 'Lịch bảo trì' });
  await shown(page, windows.getByText('Nâng cấp cơ sở dữ liệu'));
  await axe(page);
  await screenshot(page, 'operator-maintenance');

  // Another person, signed in afterwards, sees it in the banner.
  const other = await openAs('hoa.vo');
  await shown(other, other.getByTestId('notices').getByText(/Bảo trì.*: Nâng cấp cơ sở dữ liệu/));
  await screenshot(other, 'operator-maintenance-banner');
  await other.context().close();

  // Record an incident, update it, resolve it.
  const incident = page.locator('form#incident');
  await incident.getByLabel('Nội dung').fill('Mất kết nối tới CSDL dân cư');
  await incident.getByLabel(/Cơ quan bị ảnh hưởng/).fill('000.00.02.H41, 000.00.20.H41');
  await incident.getByRole('button', { name: 'Ghi nhận' }).click();
  await shown(page, incident.getByRole('status').getByText('Đã ghi nhận sự cố'));
  const incidents = page.getByRole('table', { name: 'Sự cố' });
  const row = incidents.getByRole('row').filter({ hasText: 'Mất kết nối tới CSDL dân cư' });
  await shown(page, row.getByText('Đang xảy ra'));
  await screenshot(page, 'operator-incident');
  await row.getByRole('button', { name: 'Cập nhật' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cập nhật sự cố' });
  await dialog.getByLabel('Nội dung').fill('Mất kết nối tới CSDL dân cư (đang khắc phục)');
  await dialog.getByRole('button', { name: 'Lưu' }).click();
  await shown(page, incidents.getByText('Mất kết nối tới CSDL dân cư (đang khắc phục)'));
  await incidents.getByRole('row').filter({ hasText: 'đang khắc phục' }).getByRole('button', { name: 'Đã khắc phục' }).click();
  const resolve = page.getByRole('dialog', { name: /Kết thúc sự cố/ });
  await resolve.getByRole('button', { name: 'Lưu' }).click();
  await shown(page, resolve.getByText('Vui lòng nêu lý do'));
  await resolve.getByLabel('Cách khắc phục').fill('Khởi động lại kết nối');
  await resolve.getByRole('button', { name: 'Lưu' }).click();
  await shown(page, incidents.getByText('Khởi động lại kết nối'));
  await axe(page);
  await page.context().close();
});

test('an agency administrator registers an SSO application and a civil servant of the agency finds it in the launcher', { timeout: 300_000 }, async () => {
  const admin = await openAs(TRUONG_VINH_ADMIN.username, TRUONG_VINH_ADMIN.password);
  await go(admin, /^Đăng ký ứng dụng đăng nhập một lần$/, /^Đăng ký ứng dụng đăng nhập một lần$/);
  await axe(admin);
  const form = admin.locator('form#application');
  await form.getByLabel('Tên ứng dụng').fill('Một cửa điện tử phường Trường Vinh');
  await form.getByLabel('Mô tả').fill('Tiếp nhận và trả kết quả hồ sơ thủ tục hành chính');
  // An http URL off loopback is refused next to the field before anything is sent.
  await form.getByLabel('Địa chỉ đăng nhập').fill('http://motcua.truongvinh.nghean.gov.vn/login');
  await form.getByLabel('Địa chỉ đăng xuất').fill('https://motcua.truongvinh.nghean.gov.vn/logout');
  await form.getByLabel(/Địa chỉ chuyển hướng/).fill('https://motcua.truongvinh.nghean.gov.vn/oidc/callback');
  await form.getByRole('button', { name: 'Đăng ký' }).click();
  await shown(admin, form.getByText(/Phải là địa chỉ https đầy đủ/).first());
  await form.getByLabel('Địa chỉ đăng nhập').fill('https://motcua.truongvinh.nghean.gov.vn/login');
  await form.getByRole('button', { name: 'Đăng ký' }).click();
  const secret = admin.getByTestId('client-secret');
  await shown(admin, secret);
  assert.ok((await secret.innerText()).trim().length >= 16, 'the client secret is shown once');
  // The form is emptied for the next application, with no field marked in error.
  assert.equal(await form.getByLabel(/Địa chỉ chuyển hướng/).inputValue(), '');
  assert.equal(await form.locator('.ant-form-item-has-error, [aria-invalid="true"]').count(), 0, 'no field error after a registration');
  await shown(admin, admin.getByRole('table', { name: 'Ứng dụng đã đăng ký' }).getByText('Một cửa điện tử phường Trường Vinh'));
  await axe(admin);
  await screenshot(admin, 'civil-servant-register-application');
  // Shown once: after a reload the secret is gone.
  await admin.reload();
  await shown(admin, admin.getByRole('table', { name: 'Ứng dụng đã đăng ký' }).getByText('Một cửa điện tử phường Trường Vinh'));
  assert.equal(await admin.getByTestId('client-secret').count(), 0);
  await admin.context().close();

  const servant = await openAs('hoa.vo');
  await go(servant, /^Ứng dụng của cơ quan$/, /^Ứng dụng của cơ quan$/);
  const open = servant.getByRole('link', { name: /Mở ứng dụng: Một cửa điện tử phường Trường Vinh/ });
  await shown(servant, open);
  assert.equal(await open.getAttribute('href'), 'https://motcua.truongvinh.nghean.gov.vn/login');
  await axe(servant);
  await screenshot(servant, 'civil-servant-launcher');
  await servant.context().close();

  // A civil servant of another agency does not see it.
  const other = await openAs('mai.le');
  await go(other, /^Ứng dụng của cơ quan$/, /^Ứng dụng của cơ quan$/);
  await shown(other, other.getByText('Cơ quan của bạn chưa đăng ký ứng dụng nào.'));
  await other.context().close();
});
