/**
 * What every browser test of the portal uses: the real platform with the portal built and served by the gateway
 * (`startPortalPlatform`), a Chromium page signed in as a development user through the development issuer's login
 * page (`signIn`), screenshots into `.tmp/screenshots/` (`screenshot`), and an axe-core check that fails on serious
 * or critical violations (`checkAccessibility`).
 *
 * ```ts
 * const fixture = await startPortalPlatform();
 * const browser = await launchBrowser();
 * const page = await openPortal(browser.browser, fixture);
 * await signIn(page, 'thao.ngo');
 * await page.getByRole('link', { name: /Danh mục dịch vụ/ }).click();
 * await checkAccessibility(page);
 * await screenshot(page, 'developer-catalogue');
 * ```
 *
 * The page is on `http://localhost:<gateway port>/portal/` (the platform's public origin): the development issuer
 * accepts the portal's redirect URIs there. Content-Security-Policy violations and uncaught errors on the page are
 * collected (`problems(page)`) and `checkAccessibility` fails on them too.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensurePortalBuilt } from '../../scripts/portal-build.ts';
import { repoRoot } from '../../scripts/platform.ts';
import { startPlatformFixture, type PlatformFixture } from './platform-fixture.ts';

/** Development users who sign in to the portal (keycloak/dev-credentials/README.md). */
export const PORTAL_USERS = {
  /** Văn phòng UBND tỉnh (000.00.01.H41), civil servant and platform operator. */
  'lan.nguyen': 'Dev-VanPhong#2025',
  /** Công an tỉnh (000.00.02.H41), civil servant. */
  'hung.tran': 'Dev-CongAn#2025',
  /** Sở Tài chính (000.00.03.H41), civil servant. */
  'mai.le': 'Dev-TaiChinh#2025',
  /** Sở Tư pháp (000.00.04.H41), civil servant. */
  'tuan.pham': 'Dev-TuPhap#2025',
  /** UBND phường Trường Vinh (000.00.20.H41), civil servant. */
  'hoa.vo': 'Dev-TruongVinh#2025',
  /** BV Hữu nghị Đa khoa Nghệ An (000.01.05.H41), civil servant. */
  'nam.dang': 'Dev-BenhVien#2025',
  /** THPT Huỳnh Thúc Kháng (000.01.06.H41), civil servant. */
  'thu.bui': 'Dev-TruongHoc#2025',
  /** UBND xã Quế Phong (000.00.22.H41), agency developer. */
  'minh.ho': 'Dev-LTV-QuePhong#2025',
  /** Sở Tư pháp (000.00.04.H41), agency developer. */
  'thao.ngo': 'Dev-LTV-TuPhap#2025',
} as const;
export type PortalUser = keyof typeof PORTAL_USERS | (string & {});

export interface PortalPlatform extends PlatformFixture {
  /** `http://localhost:<gateway port>/portal/` */
  portalUrl: string;
  /** `http://localhost:<gateway port>` */
  origin: string;
}

/**
 * The real platform (test/testing/platform-fixture.ts) with the portal built (when missing or older than its
 * sources) and its public origin on localhost, where the realm lets the portal sign in.
 */
export async function startPortalPlatform(options: { redis?: boolean; env?: Record<string, string> } = {}): Promise<PortalPlatform> {
  await ensurePortalBuilt();
  let origin = '';
  const fixture = await startPlatformFixture({
    redis: options.redis ?? true,
    ...(options.env !== undefined ? { env: options.env } : {}),
    publicUrl: ({ gateway }) => (origin = `http://localhost:${gateway}`),
  });
  return Object.assign(fixture, { origin, portalUrl: `${origin}/portal/` });
}

const pageProblems = new WeakMap<Page, string[]>();

/** CSP violations, uncaught errors and console errors seen on the page (not failed GraphQL calls a test provokes). */
export function problems(page: Page): string[] {
  return pageProblems.get(page) ?? [];
}

/**
 * A new page (in a context of its own: its own sessionStorage and localStorage) at the portal, with CSP violations
 * and page errors collected. `path` under the portal, default its home.
 */
export async function openPortal(browser: Browser, platform: PortalPlatform, path = '', options: { locale?: string } = {}): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ locale: options.locale ?? 'vi-VN', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const seen: string[] = [];
  pageProblems.set(page, seen);
  // A violation is reported to the page as an event; the console also names it.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() !== 'error') return;
    // A refused GraphQL call or a 401 the test provokes shows as a failed resource load; the shell handles those.
    if (/^Failed to load resource: /.test(text)) return; // listed by the response listener below, with its URL
    // Ant Design's notes about deprecated props (a later upgrade's business, not a defect of the page).
    if (/^Warning: \[antd: [^\]]+\] .* is deprecated/.test(text)) return;
    seen.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
  // Which resource failed (the console only says that one did): anything refused but 401 (an expired session the
  // shell handles) and 403 (an access-denied probe a test provokes).
  page.on('response', (response) => {
    if (response.status() >= 400 && response.status() !== 401 && response.status() !== 403)
      seen.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  await page.goto(new URL(path, platform.portalUrl).href);
  return page;
}

/**
 * Signs in as a development user through the portal's sign-in page and the development issuer's login form, and
 * waits until the portal shows that person signed in. Starts from wherever the page is: the portal's sign-in page
 * (its civil-servant button is pressed), or the issuer's login page.
 */
export async function signIn(page: Page, username: PortalUser, password?: string): Promise<void> {
  const secret = password ?? (PORTAL_USERS as Record<string, string>)[username];
  assert.ok(secret !== undefined, `no development password known for ${username}: pass it`);
  const usernameField = page.getByLabel(/Tên đăng nhập/);
  const portalButton = page.getByRole('button', { name: /Đăng nhập \(cán bộ|Sign in \(civil servants\)/ });
  await firstOf(usernameField.waitFor({ timeout: 20_000 }), portalButton.waitFor({ timeout: 20_000 }));
  if (await portalButton.isVisible()) {
    await portalButton.click();
    // The identity provider may still hold a session of this browser (after an expiry): then it sends the person
    // straight back, without its login page.
    const user = page.getByTestId('signed-in-user');
    await firstOf(usernameField.waitFor({ timeout: 20_000 }), user.waitFor({ timeout: 20_000 }));
    if (!(await usernameField.isVisible())) return signedIn(page, username);
  }
  await usernameField.fill(username);
  await page.getByLabel(/Mật khẩu/).fill(secret);
  await page.getByRole('button', { name: /^Đăng nhập(\s*\/\s*Sign in)?$/ }).click();
  await signedIn(page, username);
}

/**
 * Waits until the first of these waits ends, however it ends; the others' later failures are not left unhandled
 * (what comes next checks the page itself).
 */
export async function firstOf(...waits: Array<Promise<unknown>>): Promise<void> {
  await Promise.race(
    waits.map((wait) =>
      wait.then(
        () => undefined,
        () => undefined,
      ),
    ),
  );
}

/** Waits until the portal's header shows a signed-in person (whose username, when given, matches). */
export async function signedIn(page: Page, username?: string): Promise<void> {
  const user = page.getByTestId('signed-in-user');
  await user.waitFor({ timeout: 30_000 }).catch(async (error: Error) => {
    throw new Error(`the portal did not show a signed-in person at ${page.url()}: ${error.message}\n${(await page.locator('body').innerText()).slice(0, 800)}`);
  });
  if (username !== undefined) {
    const shown = (await user.getAttribute('data-username')) ?? '';
    assert.equal(shown, username, 'the portal shows the person who signed in');
  }
}

/** A full-page screenshot into `.tmp/screenshots/<name>.png` (gitignored); returns its path. Look at it. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = join(repoRoot, '.tmp', 'screenshots');
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; helpUrl: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A/AA and best practices) on the page as it is now, and fails on serious or critical
 * violations, listing each with the elements concerned; also fails on CSP violations or page errors seen so far.
 * Returns the minor and moderate ones (for a test that wants to look).
 */
export async function checkAccessibility(page: Page, options: { exclude?: string[] } = {}): Promise<AxeResult['violations']> {
  // Colours are judged as they end up: wait for opening drawers, fading alerts and the like to finish.
  await page
    .waitForFunction(
      () => document.getAnimations().every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity),
      undefined,
      {
        timeout: 5_000,
      },
    )
    .catch(() => undefined);
  // Not page.addScriptTag: it inserts an inline <script>, which the portal's CSP (rightly) blocks. Evaluating the
  // source through the DevTools protocol is not subject to the page's CSP.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${(axeSource ??= await readFile(axePath, 'utf8'))}\n;void 0`);
  const result = (await page.evaluate(
    async (exclude) =>
      (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe.run(
        { include: [document], exclude: exclude.map((selector) => [selector]) },
        { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] },
      ),
    options.exclude ?? [],
  )) as AxeResult;
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const list = serious
    .map(
      (v) =>
        `- ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`)
          .join('\n'),
    )
    .join('\n');
  assert.equal(serious.length, 0, `axe-core found serious accessibility violations at ${page.url()}:\n${list}`);
  assert.deepEqual(problems(page), [], `the page reported problems at ${page.url()}`);
  return result.violations.filter((v) => !serious.includes(v));
}
