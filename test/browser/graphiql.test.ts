/**
 * GraphiQL at GET /graphql works on a closed network: in a real browser that may reach nothing but the gateway
 * (every other request and WebSocket is refused and recorded, so a CDN dependency fails the test), a developer
 * opens the page of a real platform (`npm start`'s processes), finds it prefilled, puts a real access token and a
 * purpose in the Headers tab, runs a query and sees its result, then a subscription over graphql-ws and sees its
 * event arrive.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DEFAULT_PURPOSE, openSubscriptionsAt, startPlatformFixture, type PlatformFixture } from '../support/platform-fixture.ts';
import { launchBrowser } from '../support/browser.ts';

/** The provincial Police's population system (000.00.02.H41): granted citizens' personal data. */
const POLICE = 'congan-h41-dancu';
const POLICE_AGENCY = '000.00.02.H41';
const FINANCE = 'sotaichinh-h41-dkkd';

let p: PlatformFixture;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

before(async () => {
  p = await startPlatformFixture({ redis: false });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await p?.close();
});

const isLoopback = (url: URL) => url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

/** Replaces an editor's whole text as a developer pastes it (typing would get Monaco's auto-closed brackets). */
async function replaceEditorText(page: Page, editor: string, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator(`${editor} .view-lines`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

/** Runs the operation once GraphiQL has parsed the edited document (the active tab takes its operation's name). */
async function run(page: Page, operationName: string): Promise<void> {
  await page.locator('.graphiql-tab-active', { hasText: operationName }).waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: /Execute query/ }).click();
}

/** Waits until the result pane shows `text` (Monaco renders spaces as no-break spaces). */
async function waitForResult(page: Page, text: string, what: string): Promise<void> {
  try {
    await page.waitForFunction(
      (expected) => (document.querySelector('.graphiql-response')?.textContent ?? '').replaceAll('\u00a0', ' ').includes(expected),
      text,
      { timeout: 20_000 },
    );
  } catch {
    const shown = await page.locator('.graphiql-response').innerText();
    assert.fail(`${what}: the result pane does not show ${JSON.stringify(text)}; it shows:\n${shown}`);
  }
}

test('GraphiQL loads from the gateway alone, and a developer runs a query and a subscription with a real token', async () => {
  const context = await browser.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const outside: string[] = [];
  await context.route((url) => !isLoopback(url), async (route) => {
    outside.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  await context.routeWebSocket((url) => !isLoopback(url), (ws) => {
    outside.push(ws.url());
    void ws.close();
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A resource the page's Content-Security-Policy refused is reported on the console.
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  const failedAssets: string[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/graphiql/') && response.status() !== 200) failedAssets.push(`${response.status()} ${response.url()}`);
  });

  await page.goto(p.platform.urls.gateway);
  assert.equal(await page.title(), 'LGSP Gateway — GraphiQL');
  await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });

  // Prefilled: the document says how to get a token, the Headers tab holds the placeholder to replace.
  const document = (await page.locator('.graphiql-query-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
  assert.match(document, /LGSP Gateway — GraphiQL \(development\)/);
  assert.ok(document.includes(`TOKEN_ENDPOINT=${p.platform.urls.issuer}/protocol/openid-connect/token`), document);
  // The Headers tab (the Variables editor shares its section, hidden).
  const headersEditor = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
  const prefilledHeaders = (await page.locator(`${headersEditor} .view-lines`).innerText()).replaceAll('\u00a0', ' ');
  assert.match(prefilledHeaders, /"Authorization": "Bearer <access token>"/);

  // A real token from the platform's identity provider, and the purpose personal data needs.
  const token = await p.tokenFor(POLICE);
  await replaceEditorText(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${token}`, 'X-LGSP-Purpose': DEFAULT_PURPOSE }));

  const [citizenId] = (await p.simulator.samples(1)).citizens;
  const expected = await p.query<{ citizen: { fullName: string } }>(`{ citizen(personalId: "${citizenId}") { fullName } }`, {}, { as: POLICE });
  const fullName = expected.body.data!.citizen.fullName;
  await replaceEditorText(page, '.graphiql-query-editor', `query Citizen {\n  citizen(personalId: "${citizenId}") {\n    fullName\n  }\n}`);
  await run(page, 'Citizen');
  await waitForResult(page, fullName, 'the citizen query');

  // A subscription over graphql-ws, authenticated by the same Headers tab (connection_init).
  const subscriptionsMetrics = new URL('/metrics', p.platform.urls.subscriptions).href;
  const openBefore = await openSubscriptionsAt(subscriptionsMetrics);
  await replaceEditorText(page, '.graphiql-query-editor', 'subscription Inbox {\n  packetAvailable {\n    packet {\n      id\n      title\n    }\n  }\n}');
  await run(page, 'Inbox');
  const deadline = Date.now() + 20_000;
  while ((await openSubscriptionsAt(subscriptionsMetrics)) <= openBefore) {
    if (Date.now() > deadline) {
      assert.fail(`the subscription did not reach the subscriptions service; the result pane shows:\n${await page.locator('.graphiql-response').innerText()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // The Department of Finance sends the Police a packet: its event appears in the result pane.
  const content = Buffer.from(JSON.stringify({ hello: 'Công an tỉnh' }));
  const sent = await p.query<{ requestExchange: { id: string; uploadUrl: string } }>(
    'mutation($input: RequestExchangeInput!) { requestExchange(input: $input) { id uploadUrl } }',
    {
      input: {
        recipients: { agencyCodes: [POLICE_AGENCY] },
        title: 'Công văn qua GraphiQL',
        priority: 'NORMAL',
        dataType: 'JSON',
        protocol: 'lgsp-json',
        declaredBytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      },
    },
    { as: FINANCE },
  );
  assert.equal(sent.body.errors, undefined, JSON.stringify(sent.body.errors));
  const upload = await fetch(sent.body.data!.requestExchange.uploadUrl, { method: 'PUT', body: content });
  assert.equal(upload.status, 201, await upload.clone().text());
  await waitForResult(page, sent.body.data!.requestExchange.id, 'the packetAvailable event');
  await waitForResult(page, 'Công văn qua GraphiQL', 'the packetAvailable event');
  // Stop the subscription (the execute button stops a running one): the WebSocket closes.
  await page.getByRole('button', { name: /Stop/ }).click();
  const stopDeadline = Date.now() + 20_000;
  while ((await openSubscriptionsAt(subscriptionsMetrics)) > openBefore) {
    if (Date.now() > stopDeadline) assert.fail('the subscription stayed open after Stop');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  assert.deepEqual(outside, [], 'nothing is loaded from outside the gateway');
  assert.deepEqual(failedAssets, [], 'every asset is served');
  assert.deepEqual(problems, [], 'no page errors, nothing refused by the Content-Security-Policy');
  await context.close();
});
