// The real app in real headless Chromium: an agent with history and a hostile display name, served over HTTP by the
// same Yoga instance the server runs. Content visible, hostile strings inert, CSP intact, the search form and the
// credential check reachable by clicking, badge text inside its boxes, and screenshots on desktop and phone widths.
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BADGE_STYLES } from '../../src/web/badges/badge-svg.ts';
import { badgeLinks, formatScore } from '../../src/web/badges/trust-badge.ts';
import { signReceipt, SUBMIT } from '../helpers/marketplace.ts';
import { buildAgentWithHistory, HOSTILE_NAME, type AgentWithHistory } from '../helpers/profile.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = `Chromium is not installed at ${CHROMIUM} (CI installs Debian's chromium package with apt)`;

/** A platform whose self-chosen name is markup: it must show as text in the receipts table. */
const HOSTILE_PLATFORM = '<img src=x onerror=alert(2)>';

// Screenshots go to CREDENCE_SCREENSHOT_DIR when set (to look at them), otherwise to a fresh temp directory.
function screenshotDir(): string {
  const wanted = process.env.CREDENCE_SCREENSHOT_DIR;
  if (!wanted) return mkdtempSync(join(tmpdir(), 'credence-browser-'));
  mkdirSync(wanted, { recursive: true });
  return wanted;
}
const shotDir = hasChromium ? screenshotDir() : '';

// Skipped only when the browser is missing; the suite name then says why.
describe.skipIf(!hasChromium)(hasChromium ? 'profile page and badge in Chromium' : `profile page and badge in Chromium: skipped, ${SKIP_REASON}`, () => {
  let t: TestApp;
  let history: AgentWithHistory;
  let did: string;
  let expected: { score: string; tier: string };
  let activeDays: number;
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await createTestApp('embedded');
    history = await buildAgentWithHistory(t, { displayName: HOSTILE_NAME });
    did = history.scene.agent.did;
    // One more receipt, from a platform with a hostile name.
    const platform = newKey();
    const registered = await t.gql(`mutation($input: RegisterPlatformInput!) { registerPlatform(input: $input) { __typename } }`, { input: { name: HOSTILE_PLATFORM } }, platform);
    expect(registered.data.registerPlatform.__typename).toBe('RegisterPlatformPayload');
    await t.gql(`mutation($did: String!) { approvePlatform(did: $did) { __typename } }`, { did: platform.did }, t.admin);
    const submitted = await t.gql(SUBMIT, { receipt: signReceipt(t, { ...history.scene, platform, buyer: newKey() }, { actionCategory: 'productivity.task', value: undefined }) });
    expect(submitted.data.submitReceipt.receipt.confidence).toBe('PLATFORM_SIGNED');
    // signReceipt dates a receipt an hour before the clock.
    activeDays = new Set([...history.days.keys(), new Date(t.now.getTime() - 3_600_000).toISOString().slice(0, 10)]).size;
    const trust = await t.gql(`query($did: String!) { trust(did: $did) { score tier } }`, { did });
    expected = { score: formatScore(trust.data.trust.score), tier: trust.data.trust.tier };

    // The app's own request handler, as `startServer` mounts it, on an ephemeral port.
    server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  /** Open a page and record dialogs, console errors (CSP reports land there) and failed requests. */
  async function open(path: string, viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport, javaScriptEnabled: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    const consoleErrors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    return { page, context, response, dialogs, consoleErrors };
  }

  async function textFits(page: Page): Promise<Array<{ text: string; textLeft: number; textRight: number; boxLeft: number; boxRight: number }>> {
    return page.evaluate(() => {
      const svg = document.querySelector('svg');
      if (!svg) return [];
      const rects = Array.from(svg.querySelectorAll('g rect[fill^="#"]')) as SVGRectElement[];
      return (Array.from(svg.querySelectorAll('text.label, text.message')) as SVGTextElement[]).map((text) => {
        const box = text.getBBox();
        const boxRect = text.classList.contains('label') && rects.length > 1 ? rects[0]! : rects[rects.length - 1]!;
        const x = boxRect.x.baseVal.value;
        return { text: text.textContent ?? '', textLeft: box.x, textRight: box.x + box.width, boxLeft: x, boxRight: x + boxRect.width.baseVal.value };
      });
    });
  }

  it('shows the score, tier, radar chart, windows table and receipts on a desktop screen', async () => {
    const { page, context, response, dialogs, consoleErrors } = await open(`/agents/${did}`, { width: 1280, height: 900 });
    try {
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

      expect(await page.locator('#trust-score').innerText()).toMatch(new RegExp(`^${expected.score.replace('.', '\\.')}\\s*/\\s*100$`));
      expect(await page.locator('#trust-tier').innerText()).toBe(expected.tier);
      expect(await page.locator('#trust-score').isVisible()).toBe(true);
      expect(await page.locator('#trust-tier').isVisible()).toBe(true);

      const radar = page.locator('svg.radar');
      expect(await radar.isVisible()).toBe(true);
      const radarBox = await radar.boundingBox();
      expect(radarBox?.width).toBeGreaterThan(200);
      expect(await page.locator('svg.radar polygon.radar-shape').count()).toBe(1);
      expect(await page.getByRole('img', { name: /Trust vector radar chart/ }).count()).toBe(1);

      const windows = page.locator('#windows-table');
      expect(await windows.isVisible()).toBe(true);
      expect(await windows.locator('thead th').allInnerTexts()).toEqual(['Measure', '7 days', '30 days', '90 days', 'Lifetime']);
      expect(await page.getByRole('table', { name: /time window/ }).count()).toBe(1);

      const receipts = page.locator('#receipts-table');
      expect(await receipts.isVisible()).toBe(true);
      expect(await receipts.locator('tbody tr').count()).toBe(history.receipts + 1);
      expect(await receipts.innerText()).toContain('Escrow verified');
      expect(await receipts.innerText()).toContain('Test market');

      expect(await page.locator('svg.activity').isVisible()).toBe(true);
      expect(await page.locator('svg.activity .bars rect').count()).toBe(90);
      expect(await page.locator('svg.activity .bars rect[fill="#0b5cad"]').count()).toBe(activeDays);

      // The hostile display name and platform name are literal text, in the heading, the title and the table.
      expect(await page.locator('h1').innerText()).toBe(HOSTILE_NAME);
      expect(await page.title()).toContain(HOSTILE_NAME);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await receipts.getByText(HOSTILE_PLATFORM).count()).toBe(1);

      // The inline style was applied (its hash is in the CSP) and nothing was blocked.
      const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      expect(bodyFont).toContain('system-ui');
      expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
      // The badge preview loaded from the badge route under `img-src 'self'`.
      const badgeLoaded = await page.locator('.badge-preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth);
      expect(badgeLoaded).toBeGreaterThan(40);

      // No horizontal scrolling of the page itself.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      expect(dialogs).toEqual([]);
      const file = join(shotDir, 'profile-desktop.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(10_000);
    } finally {
      await context.close();
    }
  });

  it('reads on a 390px-wide phone without sideways scrolling', async () => {
    const { page, context, dialogs } = await open(`/agents/${did}`, { width: 390, height: 844 });
    try {
      expect(await page.locator('#trust-score').isVisible()).toBe(true);
      expect(await page.locator('svg.radar').isVisible()).toBe(true);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Charts shrink to the screen.
      const radar = await page.locator('svg.radar').boundingBox();
      expect(radar!.x + radar!.width).toBeLessThanOrEqual(390);
      const activity = await page.locator('svg.activity').boundingBox();
      expect(activity!.x + activity!.width).toBeLessThanOrEqual(390);
      // Body text stays a readable size.
      const fontSize = await page.evaluate(() => Number.parseFloat(getComputedStyle(document.querySelector('main p')!).fontSize));
      expect(fontSize).toBeGreaterThanOrEqual(16);
      expect(dialogs).toEqual([]);
      const file = join(shotDir, 'profile-phone.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(10_000);
      await page.screenshot({ path: join(shotDir, 'profile-phone-top.png') });
    } finally {
      await context.close();
    }
  });

  it('works with JavaScript disabled', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/agents/${did}`);
      expect(await page.locator('#trust-tier').innerText()).toBe(expected.tier);
      expect(await page.locator('#windows-table').isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows a not-found page for an unknown DID and an invalid-DID page with hostile input as text', async () => {
    const unknown = newKey().did;
    const missing = await open(`/agents/${unknown}`, { width: 390, height: 700 });
    try {
      expect(missing.response?.status()).toBe(404);
      expect(await missing.page.locator('h1').innerText()).toBe('No profile for this DID');
      expect(await missing.page.locator('#agent-did').innerText()).toBe(unknown);
      expect(await missing.page.locator('form.search input[name="did"]').isVisible()).toBe(true);
      await missing.page.screenshot({ path: join(shotDir, 'not-found-phone.png'), fullPage: true });
    } finally {
      await missing.context.close();
    }
    const hostile = 'did:key:z6Mk<img src=x onerror=alert(3)>';
    const invalid = await open(`/agents/${encodeURIComponent(hostile)}`, { width: 390, height: 700 });
    try {
      expect(invalid.response?.status()).toBe(400);
      expect(await invalid.page.locator('h1').innerText()).toBe('That is not a valid DID');
      expect(await invalid.page.getByText(hostile, { exact: true }).count()).toBe(1);
      expect(await invalid.page.locator('img[src="x"]').count()).toBe(0);
      expect(invalid.dialogs).toEqual([]);
    } finally {
      await invalid.context.close();
    }
  });

  it('home page search finds the profile through the /agents redirect, and links to GraphiQL', async () => {
    const { page, context } = await open('/', { width: 1024, height: 700 });
    try {
      const form = page.locator('form.search');
      expect(await form.getAttribute('method')).toBe('get');
      expect(await form.getAttribute('action')).toBe('/agents');
      expect(await page.getByRole('link', { name: /GraphQL API/ }).first().getAttribute('href')).toBe('/graphql');
      await page.screenshot({ path: join(shotDir, 'home.png'), fullPage: true });
      await page.getByLabel('Look up a DID').fill(did);
      await Promise.all([page.waitForURL(`${origin}/agents/${did}`), page.getByRole('button', { name: 'Show profile' }).click()]);
      expect(await page.locator('#agent-did').innerText()).toBe(did);
    } finally {
      await context.close();
    }
  });

  it('checks the credential from its link on the profile', async () => {
    const { page, context } = await open(`/agents/${did}`, { width: 1024, height: 700 });
    try {
      await Promise.all([page.waitForURL(/\/verify$/), page.getByRole('link', { name: /^Verify/ }).first().click()]);
      expect(await page.locator('#verify-result').innerText()).toContain('Valid.');
      expect(await page.locator('#credential-id').innerText()).toBe(history.credentialId);
    } finally {
      await context.close();
    }
  });

  const BADGES = () => [
    { key: 'scored', path: `/badge/${did}.svg`, status: 200, message: `${expected.tier} \u00b7 ${expected.score}` },
    { key: 'labelled', path: `/badge/${did}.svg`, label: 'reputation <&>', status: 200, message: `${expected.tier} \u00b7 ${expected.score}` },
    { key: 'unknown', path: `/badge/${newKey().did}.svg`, status: 200, message: 'no data' },
    { key: 'invalid', path: '/badge/not-a-did.svg', status: 400, message: 'invalid did' },
  ];

  for (const style of BADGE_STYLES) {
    it(`renders the ${style} badge from the badge route with its text inside the boxes`, async () => {
      for (const badge of BADGES()) {
        const query = new URLSearchParams({ style, ...(badge.label ? { label: badge.label } : {}) });
        const { page, context, response } = await open(`${badge.path}?${query}`, { width: 400, height: 120 });
        try {
          expect(response?.headers()['content-type']).toContain('image/svg+xml');
          expect(response?.headers()['cache-control']).toBe('public, max-age=300');
          expect(response?.status()).toBe(badge.status);
          const fits = await textFits(page);
          expect(fits.length).toBe(2);
          for (const fit of fits) {
            expect(fit.textLeft, `${style}/${badge.key} "${fit.text}" left`).toBeGreaterThanOrEqual(fit.boxLeft + 2);
            expect(fit.textRight, `${style}/${badge.key} "${fit.text}" right`).toBeLessThanOrEqual(fit.boxRight - 2);
          }
          const upper = (text: string) => (style === 'for-the-badge' ? text.toUpperCase() : text);
          expect(fits[0]!.text).toBe(upper(badge.label ?? 'trust'));
          expect(fits[1]!.text).toBe(upper(badge.message));
          if (badge.key === 'scored') await page.screenshot({ path: join(shotDir, `badge-${style}.png`), clip: { x: 0, y: 0, width: 200, height: 40 } });
        } finally {
          await context.close();
        }
      }
    });
  }

  it('the embed snippets on the profile point at the badge and profile routes', async () => {
    const links = badgeLinks('http://localhost:4000', did);
    const { page, context } = await open(`/agents/${did}`, { width: 800, height: 600 });
    try {
      expect(await page.locator('#badge-markdown').textContent()).toBe(links.markdown);
      expect(await page.locator('#badge-html').textContent()).toBe(links.html);
      expect(links.markdown).toBe(`[![trust](http://localhost:4000/badge/${did}.svg)](http://localhost:4000/agents/${did})`);
    } finally {
      await context.close();
    }
  });
});

// Where the screenshots went, for a person to look at.
afterAll(() => {
  if (hasChromium) console.info(`screenshots in ${shotDir}`);
});
