/**
 * The portal's agency administrator and provider journeys in a real browser (Chromium) against the real platform:
 * Công an tỉnh's administrator (000.00.02.H41, provider of the citizen service) sees its systems' health, the
 * statistics charts after some traffic (made in setup by agency systems through the gateway), and who read its
 * data; approves a pending request of Sở Tư pháp choosing the field sets (and asks the hospital to drop one it does
 * not approve); publishes a new version of its service; announces a retirement — a tampered sunset date (the
 * field's `min` removed in the DOM) is refused in Vietnamese and changes nothing. Sở Tài chính's administrator opening
 * that request is refused (FORBIDDEN, in Vietnamese) and nothing changes. axe-core on every screen (no serious or
 * critical violation); screenshots in .tmp/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { developmentPortalLogin } from '../../keycloak/src/dev-clients.ts';
import { launchBrowser } from '../testing/browser.ts';
import { exchangeClient, JUSTICE, OFFICE, POLICE as POLICE_SYSTEM, REQUEST_EXCHANGE, sha256, type AgencySystem } from '../testing/exchange-client.ts';
import { checkAccessibility, openPortal, screenshot, signIn, startPortalPlatform, type PortalPlatform } from '../testing/portal.ts';

const SERVICE = 'national-data-citizen';
/** Sở Tư pháp's name in the development registry seed. */
const JUSTICE_NAME = 'Sở Tư pháp tỉnh Nghệ An';
const FIELD_SETS = ['national-data.citizen.basic', 'national-data.citizen.personal'];
const USERS = {
  police: { username: '000.00.02.h41@nghean.gov.vn', password: 'Dev-QTV-CongAn#2025' },
  justice: { username: '000.00.04.h41@nghean.gov.vn', password: 'Dev-QTV-TuPhap#2025' },
  hospital: { username: '000.01.05.h41@nghean.gov.vn', password: 'Dev-QTV-BenhVien#2025' },
  finance: { username: '000.00.03.h41@nghean.gov.vn', password: 'Dev-QTV-TaiChinh#2025' },
};

let p: PortalPlatform;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
const tokens: Record<keyof typeof USERS, string> = { police: '', justice: '', hospital: '', finance: '' };
const requests = { justice: '', hospital: '' };

/** A GraphQL call through the gateway with a person's token; fails on errors. */
async function gql<T = Record<string, any>>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(p.platform.urls.gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data!;
}

const REQUEST_INPUT = (consumerSystem: string, purposes: string[]) => ({
  consumerSystem,
  serviceCode: SERVICE,
  fieldSets: FIELD_SETS,
  purposes,
  legalBasis: 'Luật Căn cước 2023; Nghị định 47/2024/NĐ-CP',
  expectedRequestsPerDay: 300,
  quota: { requests: 600, perSeconds: 60 },
  securityCommitment: { signedBy: 'Giám đốc', text: 'Cam kết bảo đảm an toàn thông tin theo mẫu 03.' },
});

async function accessibility(page: Page, _screen: string): Promise<void> {
  // What is on the screen once antd's motions and CSS transitions (a message leaving, a dialog opening, a button
  // turning enabled) are over: colours mid-transition are not the page's.
  await page.waitForFunction(
    () =>
      document.querySelector('[class*="-leave"], [class*="-enter"], [class*="-appear"]') === null &&
      document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    undefined,
    { timeout: 5_000 },
  );
  await checkAccessibility(page);
}

async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, `portal-agency-${name}`);
}

/** A page of the portal with a development user signed in through the login page. */
async function signedInPage(user: { username: string; password: string }): Promise<Page> {
  const page = await openPortal(browser.browser, p);
  await signIn(page, user.username, user.password);
  return page;
}

const url = (path: string) => new URL(path, p.portalUrl).href;

/** Opens a screen and waits until its heading is there and nothing is loading. */
async function open(page: Page, path: string, heading: RegExp): Promise<void> {
  await page.goto(url(path));
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelector('.ant-spin-spinning, .ant-skeleton') === null, undefined, { timeout: 20_000 });
}

before(async () => {
  p = await startPortalPlatform({ env: { REGISTRY_SEED: 'development', CATALOGS_REGISTRY_POLL_MS: '500' } });
  browser = await launchBrowser();
  for (const [who, user] of Object.entries(USERS) as Array<[keyof typeof USERS, { username: string; password: string }]>)
    tokens[who] = (await developmentPortalLogin(p.platform.urls.issuer, user.username, user.password, `${p.origin}/portal/callback`)).accessToken;

  // Traffic: Sở Tư pháp's civil-status system and the hospital read citizens through the gateway (the Police's data).
  const { citizens } = await p.simulator.samples(3);
  for (const id of citizens) {
    const read = await p.query(
      'query($id: String!) { citizen(personalId: $id) { fullName } }',
      { id },
      { as: 'sotuphap-h41-hotich', purpose: 'civil-status:HT-2026-0001' },
    );
    assert.equal(read.body.errors, undefined, JSON.stringify(read.body.errors));
  }
  // The hospital is granted the basic field set only: asking for the date of birth is a partial answer.
  await p.query(
    'query($id: String!) { citizen(personalId: $id) { fullName dateOfBirth } }',
    { id: citizens[0] },
    { as: 'bvhndk-h41-his', purpose: 'healthcare:BN-2026-0001' },
  );

  // Packets: the Police's system sends one to Sở Tư pháp, which takes delivery; the provincial office sends one to
  // the Police, still waiting in its inbox.
  // (Steps 1-3 here: the exchange client's `send` expects upload URLs on 127.0.0.1, the portal's platform uses localhost.)
  const exchange = exchangeClient(p);
  const send = async (from: AgencySystem, to: AgencySystem, title: string, content: Buffer): Promise<string> => {
    const { requestExchange } = await exchange.gql(from, REQUEST_EXCHANGE, {
      input: {
        recipients: { agencyCodes: [to.agency] },
        title,
        priority: 'NORMAL',
        dataType: 'FILE',
        protocol: 'LGSP-FILE/1',
        declaredBytes: content.length,
        sha256: sha256(content),
      },
    });
    const uploaded = await exchange.upload(requestExchange.uploadUrl, content);
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    return requestExchange.id as string;
  };
  const sent = await send(POLICE_SYSTEM, JUSTICE, 'Công văn 123/CAT-PC06 gửi Sở Tư pháp', Buffer.from('{"congVan":"123/CAT-PC06"}'));
  await exchange.receive(JUSTICE, sent);
  await send(OFFICE, POLICE_SYSTEM, 'Hồ sơ HS-2026-0042 chuyển Công an tỉnh', Buffer.from('{"hoSo":"HS-2026-0042"}'));

  // Two pending requests for the Police's citizen service, by other agencies' administrators.
  const submit = 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id state } }';
  requests.justice = (await gql(tokens.justice, submit, { input: REQUEST_INPUT('000.00.04.H41:ho-tich-dien-tu', ['civil-status']) })).submitAccessRequest.id;
  requests.hospital = (await gql(tokens.hospital, submit, { input: REQUEST_INPUT('000.01.05.H41:his-benh-vien', ['healthcare']) })).submitAccessRequest.id;
});

after(async () => {
  await browser?.close();
  await p?.close();
});

describe('the portal: agency administrator and provider (Công an tỉnh)', () => {
  let page: Page;
  before(async () => {
    page = await signedInPage(USERS.police);
  });

  it("shows the agency's systems with their health and history chart", async () => {
    await open(page, 'agency/systems', /Hệ thống và tình trạng hoạt động/);
    const table = page.getByRole('table', { name: /Các hệ thống thông tin của cơ quan/ });
    await table.getByText('000.00.02.H41:csdl-dan-cu-tinh').waitFor();
    assert.match(await table.innerText(), /Hoạt động|Suy giảm|Mất kết nối|Chưa rõ/);
    // A system online since its first check (minutes ago) has a 30-day availability figure, not "—".
    const online = table.getByRole('row').filter({ hasText: 'Hoạt động' }).first();
    // Monitoring pulls the seeded systems' health at its own pace; on a busy machine the first pull may come after the
    // page was read: reload (at most a minute) until a system is shown online.
    for (let attempt = 1; !(await online.isVisible()); attempt++) {
      assert.ok(attempt <= 30, 'no system of Công an tỉnh was shown ONLINE within a minute');
      await page.waitForTimeout(2_000);
      await page.reload();
      await table.getByText('000.00.02.H41:csdl-dan-cu-tinh').waitFor();
    }
    await online.getByText(/\d %$/).waitFor();
    await page.getByRole('img', { name: /Biểu đồ số giờ hoạt động/ }).waitFor();
    await accessibility(page, 'systems');
    await shot(page, 'systems');
  });

  it('charts the traffic by day, by service and by outcome, with tables as the text alternative', async () => {
    await open(page, 'agency/statistics', /Thống kê khai thác dữ liệu/);
    const served = page.getByTestId('total-served');
    await served.waitFor();
    assert.ok(Number((await served.innerText()).replace(/\D/g, '')) >= 4, await served.innerText());
    for (const chart of ['chart-by-time', 'chart-by-service', 'chart-by-outcome']) {
      const element = page.getByTestId(chart);
      assert.equal(await element.getAttribute('role'), 'img');
      assert.ok(((await element.getAttribute('aria-label')) ?? '').length > 20);
      assert.ok((await element.locator('svg').count()) > 0, `${chart} drawn`);
    }
    assert.match(await page.getByRole('table', { name: /Theo dịch vụ/ }).innerText(), /national-data/);
    await accessibility(page, 'statistics');
    await shot(page, 'statistics');
    // The period picker: a quarter.
    await page.getByLabel('Loại kỳ').click();
    await page.locator('.ant-select-item-option', { hasText: 'Quý' }).click();
    await page.getByText(/Tổng hợp quý/).waitFor();
  });

  it("shows who read the agency's data, with what purpose and fields, and filters them", async () => {
    await open(page, 'agency/data-access', /Ai đã khai thác dữ liệu/);
    const table = page.getByRole('table', { name: /Các lượt khai thác dữ liệu/ });
    await table.getByText('civil-status:HT-2026-0001').first().waitFor();
    const text = await table.innerText();
    assert.match(text, /000\.00\.04\.H41/);
    assert.match(text, /000\.00\.04\.H41:ho-tich-dien-tu/);
    assert.match(text, /Citizen\.fullName/);
    assert.match(text, /000\.01\.05\.H41/);
    await accessibility(page, 'data-access');
    await shot(page, 'data-access');
    await page.getByLabel('Mã cơ quan khai thác').fill('000.01.05.H41');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    await page.waitForFunction(() => !(document.querySelector('[aria-label^="Các lượt khai thác"]')?.textContent ?? '').includes('000.00.04.H41'));
    assert.match(await table.innerText(), /healthcare:BN-2026-0001/);
  });

  it('lists services and grants, and packets sent and received', async () => {
    await open(page, 'agency/services', /Dịch vụ cung cấp và khai thác/);
    await page.getByRole('table', { name: 'Dịch vụ cơ quan cung cấp' }).getByText(SERVICE).waitFor();
    // The grants the gateway enforces (registry `grants`), the development grants configured without a request included.
    const given = page.getByRole('table', { name: 'Cơ quan đang khai thác dịch vụ của mình' });
    const toJustice = given.getByRole('row').filter({ hasText: `${JUSTICE_NAME} (000.00.04.H41)` });
    await toJustice.first().waitFor();
    assert.match(await toJustice.first().innerText(), /national-data\.citizen\.basic[\s\S]*Chính thức[\s\S]*Cấu hình trên cổng kết nối/);
    const receivedGrants = page.getByRole('table', { name: 'Dịch vụ cơ quan đang khai thác' });
    await receivedGrants.getByText('national-data.enterprise.basic').first().waitFor();
    await accessibility(page, 'services');
    await shot(page, 'services');
    // The packets sent come from the relay's outbox, not from the audit trail.
    const outboxRead = page.waitForRequest((r) => (r.postData() ?? '').includes('AgencyOutbox'));
    const auditReads: string[] = [];
    page.on('request', (r) => {
      if ((r.postData() ?? '').includes('auditRecords')) auditReads.push(r.url());
    });
    await open(page, 'agency/packets', /Gói tin gửi và nhận/);
    await outboxRead;
    const received = page.getByRole('table', { name: /Gói tin nhận/ });
    await received.getByText('Hồ sơ HS-2026-0042 chuyển Công an tỉnh').waitFor();
    assert.match(await received.innerText(), /000\.00\.01\.H41/);
    const sentTable = page.getByRole('table', { name: /Gói tin đã gửi/ });
    await sentTable.getByText('Công văn 123/CAT-PC06 gửi Sở Tư pháp').waitFor();
    assert.match(await sentTable.innerText(), /000\.00\.04\.H41[\s\S]*Đã chuyển phát/);
    assert.deepEqual(auditReads, [], 'the packets page reads no audit records');
    await accessibility(page, 'packets');
    await shot(page, 'packets');
    await page.getByRole('button', { name: 'Lịch sử trạng thái: Công văn 123/CAT-PC06 gửi Sở Tư pháp' }).click();
    const history = page.getByRole('dialog');
    await history.getByRole('table', { name: 'Lịch sử trạng thái' }).getByText('Đã tải lên').waitFor();
    await accessibility(page, 'packet history');
    await shot(page, 'packet-history');
    await history.getByRole('button', { name: 'Đóng' }).last().click();
  });

  it('lists requests by deadline and approves one choosing its field sets', async () => {
    await open(page, 'provider/requests', /Yêu cầu khai thác dịch vụ của cơ quan/);
    const awaiting = page.getByRole('table', { name: 'Chờ cơ quan xử lý' });
    await awaiting.getByText('000.00.04.H41:ho-tich-dien-tu').waitFor();
    assert.match(await awaiting.innerText(), /\d{2}\/\d{2}\/\d{4} (Trong hạn|Quá hạn)/);
    // The consumer by name (registry agencies) and the working days left by the registry's calendar.
    await awaiting.getByText(`${JUSTICE_NAME} (000.00.04.H41)`).waitFor();
    assert.match(await awaiting.innerText(), /còn [56] ngày làm việc/);
    await accessibility(page, 'requests');
    await shot(page, 'requests');

    await page.getByRole('link', { name: /Xem xét: .*\(000\.00\.04\.H41\)/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Xem xét yêu cầu khai thác' }).waitFor();
    await page.getByRole('heading', { level: 2, name: new RegExp(`^${JUSTICE_NAME} → `) }).waitFor();
    const approve = page.getByRole('button', { name: 'Phê duyệt' });
    // Nothing ticked: nothing to approve.
    await page.getByRole('checkbox', { name: /national-data\.citizen\.personal/ }).uncheck();
    await page.getByRole('checkbox', { name: /national-data\.citizen\.basic/ }).uncheck();
    await page.getByText('Chọn ít nhất một nhóm trường dữ liệu để phê duyệt.').waitFor();
    assert.equal(await approve.isDisabled(), true);
    // The basic set only: the page says approval grants only the ticked sets.
    await page.getByRole('checkbox', { name: /national-data\.citizen\.basic/ }).check();
    await page.getByText(/chỉ chấp thuận một phần/).waitFor();
    assert.equal(await approve.isDisabled(), false);
    await accessibility(page, 'request');
    await shot(page, 'request');
    await approve.click();
    await page
      .getByRole('status')
      .getByText(/Đã ghi nhận/)
      .waitFor();
    const after = await gql(
      tokens.justice,
      'query($id: ID!) { accessRequest(id: $id) { state providerApproved fieldSets approvedFieldSets history { action party fieldSets } } }',
      { id: requests.justice },
    );
    assert.equal(after.accessRequest.providerApproved, true);
    assert.deepEqual(after.accessRequest.fieldSets, FIELD_SETS, 'the request keeps what was asked');
    assert.deepEqual(after.accessRequest.approvedFieldSets, ['national-data.citizen.basic']);
    assert.deepEqual(after.accessRequest.history.at(-1), { action: 'APPROVE', party: 'PROVIDER', fieldSets: ['national-data.citizen.basic'] });
    // The page shows the choice (the request's terms and its history).
    const chosen = page.locator('th:has-text("Nhóm trường dữ liệu bên cung cấp đã chấp thuận") + td').first();
    await chosen.getByText('national-data.citizen.basic').waitFor();
    assert.doesNotMatch(await chosen.innerText(), /personal/);
    await shot(page, 'request-approved');
  });

  it('asks for changes when it approves only some field sets', async () => {
    await page.goto(url(`provider/requests/${encodeURIComponent(requests.hospital)}`));
    await page.getByRole('checkbox', { name: /national-data\.citizen\.personal/ }).uncheck();
    await page.getByRole('button', { name: 'Yêu cầu điều chỉnh' }).click();
    await page
      .getByRole('status')
      .getByText(/Yêu cầu điều chỉnh/)
      .waitFor();
    const after = await gql(tokens.hospital, 'query($id: ID!) { accessRequest(id: $id) { state history { action reason } } }', { id: requests.hospital });
    assert.equal(after.accessRequest.state, 'CHANGES_REQUESTED');
    assert.match(
      after.accessRequest.history.at(-1).reason,
      /Chỉ chấp thuận các nhóm trường dữ liệu: national-data\.citizen\.basic\. Đề nghị bỏ: national-data\.citizen\.personal/,
    );
  });

  it('publishes a new version of its service', async () => {
    await open(page, 'provider/services', /Quản lý phiên bản dịch vụ/);
    await accessibility(page, 'versions');
    await page.getByRole('button', { name: `Công bố phiên bản mới: ${SERVICE}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByLabel('Mục đích của dịch vụ').fill('Tra cứu thông tin công dân cho thủ tục hành chính; phiên bản 2 có môi trường thử.');
    await drawer.getByLabel('Thao tác mẫu (yêu cầu)').fill('{ citizen(personalId: "020067289952") { fullName gender } }');
    await accessibility(page, 'publish');
    await shot(page, 'publish');
    await drawer.getByRole('button', { name: 'Gửi đăng ký' }).click();
    await page
      .getByRole('status')
      .getByText(/Đã gửi đăng ký phiên bản mới/)
      .waitFor();
    const registrations = await gql(tokens.police, '{ serviceRegistrations { serviceCode state } }');
    assert.ok(
      registrations.serviceRegistrations.some((r: { serviceCode: string; state: string }) => r.serviceCode === SERVICE && r.state === 'UPDATE_PENDING'),
    );
  });

  it('refuses a tampered sunset date in Vietnamese and changes nothing, then announces the retirement', async () => {
    await open(page, 'provider/services', /Quản lý phiên bản dịch vụ/);
    await page.getByRole('button', { name: 'Thông báo ngừng cung cấp: v1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Lý do ngừng cung cấp').fill('Thay bằng phiên bản 2.');
    const sunset = dialog.getByLabel(/Ngày ngừng cung cấp/);
    const min = (await sunset.getAttribute('min'))!;
    // The tampered form: the date field's `min` removed in the DOM, a date 10 days away sent.
    await sunset.evaluate((input) => input.removeAttribute('min'));
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await sunset.fill(soon);
    await dialog.getByRole('button', { name: 'Thông báo ngừng cung cấp' }).click();
    const alert = dialog.getByRole('alert').filter({ hasText: 'ILLEGAL_TRANSITION' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /Thao tác không phù hợp với trạng thái hiện tại/);
    await dialog.getByText(/phải cách hôm nay ít nhất 60 ngày/).waitFor();
    await shot(page, 'announce-tampered');
    const unchanged = await gql(tokens.police, 'query($code: ID!) { registryService(code: $code) { versions { version status notice { sunsetAt } } } }', {
      code: SERVICE,
    });
    assert.equal(unchanged.registryService.versions[0].notice, null, 'nothing changed');

    await sunset.fill(min);
    await accessibility(page, 'announce');
    await dialog.getByRole('button', { name: 'Thông báo ngừng cung cấp' }).click();
    await page
      .getByRole('status')
      .getByText(/Đã thông báo: phiên bản 1 ngừng cung cấp/)
      .waitFor();
    const announced = await gql(tokens.police, 'query($code: ID!) { registryService(code: $code) { versions { version notice { sunsetAt reason } } } }', {
      code: SERVICE,
    });
    assert.equal(announced.registryService.versions[0].notice.reason, 'Thay bằng phiên bản 2.');
    assert.equal(announced.registryService.versions[0].notice.sunsetAt, new Date(`${min}T00:00:00+07:00`).toISOString());
    const versions = page.getByRole('table', { name: `Các phiên bản của ${SERVICE}` });
    await versions.getByText(/Ngừng từ/).waitFor();
    // Retiring is allowed 60 days after the notice: the page says from when, with no button before then.
    await versions.getByText(/Có thể ngừng hẳn từ \d{2}\/\d{2}\/\d{4}/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Ngừng cung cấp ngay: v1' }).count(), 0);
    await shot(page, 'announced');
  });
});

describe("the portal: another agency's administrator", () => {
  it('is refused a request between other agencies, in Vietnamese, and nothing changes', async () => {
    const page = await signedInPage(USERS.finance);
    const before = await gql(tokens.hospital, 'query($id: ID!) { accessRequest(id: $id) { state history { action } } }', { id: requests.hospital });
    await page.goto(url(`provider/requests/${encodeURIComponent(requests.hospital)}`));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Bạn không có quyền thực hiện thao tác này/);
    assert.match(await alert.innerText(), /FORBIDDEN/);
    assert.equal(await page.getByRole('button', { name: 'Phê duyệt' }).count(), 0);
    await accessibility(page, 'forbidden');
    await shot(page, 'forbidden');
    const afterwards = await gql(tokens.hospital, 'query($id: ID!) { accessRequest(id: $id) { state history { action } } }', { id: requests.hospital });
    assert.deepEqual(afterwards, before);
    // Its own provider screens list nothing of the Police's.
    await open(page, 'provider/requests', /Yêu cầu khai thác dịch vụ của cơ quan/);
    assert.equal(await page.getByText('000.01.05.H41:his-benh-vien').count(), 0);
  });
});

describe("the portal: an agency developer on the administrator's pages", () => {
  it("sees the access-denied page, and the gateway refuses the page's query (FORBIDDEN)", async () => {
    const page = await openPortal(browser.browser, p);
    await signIn(page, 'thao.ngo');
    const refused = page.waitForResponse(async (response) => response.url().endsWith('/graphql') && (await response.text()).includes('FORBIDDEN'));
    await page.goto(url('agency/statistics'));
    await page.getByRole('heading', { level: 1, name: 'Bạn không có quyền mở trang này' }).waitFor();
    await refused;
    assert.equal(await page.getByTestId('chart-by-time').count(), 0);
    await accessibility(page, 'developer denied');
  });
});
