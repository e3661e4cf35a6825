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
import { DEFAULT_PURPOSE, openSubscriptionsAt, startPlatformFixture, type PlatformFixture } from '../testing/platform-fixture.ts';
import { launchBrowser } from '../testing/browser.ts';
import { createLogger, createMetricsRegistry } from '@lgsp/kit';
import { gatewayConfig } from '../../gateway/src/config.ts';
import { startGateway } from '../../gateway/src/server.ts';
import { startTestFederation } from '../../gateway/src/testing/fixtures.ts';

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
  await context.route(
    (url) => !isLoopback(url),
    async (route) => {
      outside.push(route.request().url());
      await route.abort('blockedbyclient');
    },
  );
  await context.routeWebSocket(
    (url) => !isLoopback(url),
    (ws) => {
      outside.push(ws.url());
      void ws.close();
    },
  );
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

test('GraphiQL opens without an error: the prefilled placeholder is not sent, and a purpose in Vietnamese is percent-encoded', async () => {
  const context = await browser.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  const posts: Array<{ headers: Record<string, string>; body: string; status: Promise<number> }> = [];
  page.on('request', (request) => {
    if (request.method() === 'POST')
      posts.push({ headers: request.headers(), body: request.postData() ?? '', status: request.response().then((r) => r?.status() ?? 0) });
  });

  // Opening: GraphiQL fetches the schema at once, with the Headers tab as prefilled ("Bearer <access token>").
  await page.goto(p.platform.urls.gateway);
  await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
  const deadline = Date.now() + 20_000;
  while (!posts.some((post) => post.body.includes('IntrospectionQuery'))) {
    if (Date.now() > deadline) assert.fail('GraphiQL did not fetch the schema');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const introspection = posts.find((post) => post.body.includes('IntrospectionQuery'))!;
  assert.equal(introspection.headers.authorization, undefined, 'the placeholder is not sent as a token');
  assert.equal(await introspection.status, 200, 'the schema loads (anonymous callers may introspect outside production)');
  // The schema arrived: the documentation explorer lists the root types.
  await page.getByRole('button', { name: /Show Documentation Explorer/ }).click();
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor({ timeout: 10_000 });
  assert.equal((await page.locator('.graphiql-response').innerText()).trim(), '', 'the result pane is empty, not an error');
  assert.deepEqual(consoleErrors, [], 'no failed request or error on opening');

  // The purpose in Vietnamese, typed as is: GraphiQL sends it percent-encoded, and the gateway accepts it.
  const purpose = 'residence-management:Hồ sơ đăng ký thường trú 123';
  const headersEditor = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
  await replaceEditorText(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${await p.tokenFor(POLICE)}`, 'X-LGSP-Purpose': purpose }));
  const [citizenId] = (await p.simulator.samples(1)).citizens;
  const expected = await p.query<{ citizen: { fullName: string } }>(`{ citizen(personalId: "${citizenId}") { fullName } }`, {}, { as: POLICE });
  await replaceEditorText(page, '.graphiql-query-editor', `query Resident {\n  citizen(personalId: "${citizenId}") {\n    fullName\n  }\n}`);
  await run(page, 'Resident');
  await waitForResult(page, expected.body.data!.citizen.fullName, 'the citizen query with a Vietnamese purpose');
  const sent = posts.find((post) => post.body.includes('Resident'))!;
  assert.equal(sent.headers['x-lgsp-purpose'], encodeURIComponent(purpose));
  assert.equal(await sent.status, 200);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('GraphiQL on a gateway that refuses its schema opens on a note that says why and what still works, not on a raw error', async () => {
  const federation = await startTestFederation({ authentication: { ...gatewayConfig().authentication, realmUrl: 'http://localhost:8080/realms/lgsp' } });
  const deps = () => ({ issuer: federation.issuer, metrics: createMetricsRegistry('gateway'), logger: createLogger('gateway', 'silent') });
  const closed = await startGateway({ ...federation.config, introspection: false }, deps());
  const strict = await startGateway({ ...federation.config, authentication: { ...federation.config.authentication, required: true } }, deps());
  const page = await browser.browser.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const resultPane = async (url: string, expected: string): Promise<string> => {
    await page.goto(url);
    await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
    await waitForResult(page, expected, `opening ${url}`);
    // Monaco wraps long lines: compare the words, not the line breaks.
    return (await page.locator('.graphiql-response').innerText()).replaceAll('\u00a0', ' ').replace(/\s+/g, ' ');
  };
  try {
    const noIntrospection = await resultPane(closed.url, 'does not publish its schema');
    assert.match(noIntrospection, /introspection is off: GATEWAY_INTROSPECTION=false/);
    assert.match(noIntrospection, /Queries still run/);
    assert.match(noIntrospection, /The gateway said: .*\(GRAPHQL_VALIDATION_FAILED\)/);
    assert.doesNotMatch(noIntrospection, /^\s*\{/, 'a note, not an error object');
    // And a query does run there.
    await replaceEditorText(page, '.graphiql-query-editor', 'query Typename {\n  __typename\n}');
    await run(page, 'Typename');
    await waitForResult(page, '"__typename": "Query"', 'a query on a gateway without introspection');

    const tokenRequired = await resultPane(strict.url, 'answers nothing without an access token');
    assert.match(tokenRequired, /Authorization header \(Headers tab below\), then press the reload button/);
    assert.doesNotMatch(tokenRequired, /Queries still run/, 'they do not, without a token');
    assert.match(tokenRequired, /\(UNAUTHENTICATED\)/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
    await closed.close();
    await strict.close();
    await federation.cleanup();
  }
});

test("GraphiQL takes the portal's hand-off once: the Headers tab and the first query from sessionStorage, then deleted", async () => {
  const context = await browser.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const token = await p.tokenFor(POLICE);
  const [citizenId] = (await p.simulator.samples(1)).citizens;
  const headers = JSON.stringify({ Authorization: `Bearer ${token}`, 'X-LGSP-Purpose': DEFAULT_PURPOSE }, null, 2);
  const query = `query HandedOver {\n  citizen(personalId: "${citizenId}") {\n    fullName\n  }\n}`;
  // What the portal's try-out writes before it opens /graphql in a new tab (the tab gets a copy of sessionStorage).
  await page.goto(new URL('/health', p.platform.urls.gateway).href);
  await page.evaluate((value) => sessionStorage.setItem('lgsp-graphiql:handoff', value), JSON.stringify({ headers, query }));
  await page.goto(p.platform.urls.gateway);
  await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
  const headersEditor = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)';
  const shownHeaders = (await page.locator(`${headersEditor} .view-lines`).innerText()).replaceAll('\u00a0', ' ');
  assert.match(shownHeaders, /"X-LGSP-Purpose": "residence-management/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('lgsp-graphiql:handoff')), null, 'read once and deleted');
  const expected = await p.query<{ citizen: { fullName: string } }>(`{ citizen(personalId: "${citizenId}") { fullName } }`, {}, { as: POLICE });
  await run(page, 'HandedOver');
  await waitForResult(page, expected.body.data!.citizen.fullName, 'the handed-over query');
  // A reload opens the page's own defaults: nothing is kept.
  await page.reload();
  await page.locator('.graphiql-query-editor .view-lines').waitFor({ timeout: 30_000 });
  assert.match((await page.locator(`${headersEditor} .view-lines`).innerText()).replaceAll('\u00a0', ' '), /Bearer <access token>/);
  await context.close();
});
