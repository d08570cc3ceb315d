// The profile page and the badge in real headless Chromium: content visible, hostile names inert, CSP intact, badge
// text inside its boxes, and screenshots on desktop and phone widths.
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BADGE_STYLES, type BadgeStyle } from '../../src/badges/badge-svg.ts';
import { badgeHeaders, badgeLinks, renderTrustBadgeSvg, type TrustBadgeSubject } from '../../src/badges/trust-badge.ts';
import { renderHomePage } from '../../src/pages/home-page.ts';
import { HTML_SECURITY_HEADERS } from '../../src/pages/layout.ts';
import { renderProfilePage } from '../../src/pages/profile-page.ts';
import { FIXTURE_DID, HOSTILE_NAME, fixtureView } from '../unit/pages/profile-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SKIP_REASON = `Chromium is not installed at ${CHROMIUM} (CI installs Debian's chromium package with apt)`;

// Screenshots go to CREDENCE_SCREENSHOT_DIR when set (to look at them), otherwise to a fresh temp directory.
function screenshotDir(): string {
  const wanted = process.env.CREDENCE_SCREENSHOT_DIR;
  if (!wanted) return mkdtempSync(join(tmpdir(), 'credence-browser-'));
  mkdirSync(wanted, { recursive: true });
  return wanted;
}
const shotDir = hasChromium ? screenshotDir() : '';

const BADGE_SUBJECTS: Record<string, TrustBadgeSubject> = {
  scored: { kind: 'scored', tier: 'A', score: 87 },
  low: { kind: 'scored', tier: 'F', score: 3 },
  unknown: { kind: 'unknown' },
  invalid: { kind: 'invalid' },
};

/** A throwaway server: the rendered pages with their real headers, nothing else. */
function startServer(): Promise<Server> {
  const hostileDid = 'did:key:z6Mk<hostile>';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, headers: Record<string, string>, body: string) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    if (url.pathname === '/') return send(200, { ...HTML_SECURITY_HEADERS }, renderHomePage());
    if (url.pathname === `/agents/${FIXTURE_DID}`) {
      return send(200, { ...HTML_SECURITY_HEADERS }, renderProfilePage(fixtureView()));
    }
    if (url.pathname === '/agents/empty') {
      return send(404, { ...HTML_SECURITY_HEADERS }, renderProfilePage(fixtureView({ did: hostileDid, agent: null, report: null, recentReceipts: [], credentials: [], activity: [] })));
    }
    const badge = /^\/badge\/(.+)\.svg$/.exec(url.pathname);
    if (badge) {
      const key = url.searchParams.get('subject') ?? 'scored';
      const subject = BADGE_SUBJECTS[key] ?? BADGE_SUBJECTS.scored!;
      const style = (url.searchParams.get('style') ?? 'flat') as BadgeStyle;
      const label = url.searchParams.get('label') ?? undefined;
      const rendered = renderTrustBadgeSvg(subject, { style, label });
      return send(rendered.status, badgeHeaders(rendered), rendered.body);
    }
    return send(404, { 'Content-Type': 'text/plain' }, 'not found');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Skipped only when the browser is missing; the suite name then says why.
describe.skipIf(!hasChromium)(hasChromium ? 'profile page and badge in Chromium' : `profile page and badge in Chromium: skipped, ${SKIP_REASON}`, () => {
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    server = await startServer();
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
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
    const { page, context, response, dialogs, consoleErrors } = await open(`/agents/${FIXTURE_DID}`, { width: 1280, height: 900 });
    try {
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

      await expect.poll(() => page.locator('#trust-score').innerText()).toMatch(/^87\s*\/\s*100$/);
      expect(await page.locator('#trust-tier').innerText()).toBe('A');
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
      expect(await receipts.locator('tbody tr').count()).toBe(4);
      expect(await receipts.innerText()).toContain('Escrow verified');

      expect(await page.locator('svg.activity').isVisible()).toBe(true);
      expect(await page.locator('svg.activity .bars rect').count()).toBe(90);

      // The hostile display name is literal text, in the heading and the title; nothing ran.
      expect(await page.locator('h1').innerText()).toBe(HOSTILE_NAME);
      expect(await page.title()).toContain(HOSTILE_NAME);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.getByText('<img src=x onerror=alert(2)> is just text').count()).toBe(1);
      expect(await page.getByText('"><svg onload=alert(3)>').count()).toBe(1);

      // The inline style was applied (its hash is in the CSP) and nothing was blocked.
      const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      expect(bodyFont).toContain('system-ui');
      expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
      // The badge preview loaded from the same origin under `img-src 'self'`.
      const badgeLoaded = await page.locator('.badge-preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth);
      expect(badgeLoaded).toBeGreaterThan(40);

      // No horizontal scrolling of the page itself.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      await page.waitForTimeout(100);
      expect(dialogs).toEqual([]);
      const file = join(shotDir, 'profile-desktop.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(10_000);
    } finally {
      await context.close();
    }
  });

  it('reads on a 390px-wide phone without sideways scrolling', async () => {
    const { page, context, dialogs } = await open(`/agents/${FIXTURE_DID}`, { width: 390, height: 844 });
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
      await page.screenshot({ path: join(shotDir, 'profile-phone.png'), fullPage: true });
      await page.screenshot({ path: join(shotDir, 'profile-phone-top.png') });
    } finally {
      await context.close();
    }
  });

  it('works with JavaScript disabled', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/agents/${FIXTURE_DID}`);
      expect(await page.locator('#trust-tier').innerText()).toBe('A');
      expect(await page.locator('#windows-table').isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows a not-found state with the hostile DID as text', async () => {
    const { page, context, response, dialogs } = await open('/agents/empty', { width: 390, height: 700 });
    try {
      expect(response?.status()).toBe(404);
      expect(await page.locator('h1').innerText()).toBe('No profile for this DID');
      expect(await page.locator('#agent-did').innerText()).toBe('did:key:z6Mk<hostile>');
      expect(await page.locator('form.search input[name="did"]').isVisible()).toBe(true);
      expect(dialogs).toEqual([]);
      await page.screenshot({ path: join(shotDir, 'not-found-phone.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('home page offers a DID search that GETs /agents and a GraphiQL link', async () => {
    const { page, context } = await open('/', { width: 1024, height: 700 });
    try {
      const form = page.locator('form.search');
      expect(await form.getAttribute('method')).toBe('get');
      expect(await form.getAttribute('action')).toBe('/agents');
      expect(await page.getByLabel('Look up a DID').isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: /GraphQL API/ }).first().getAttribute('href')).toBe('/graphql');
      await page.screenshot({ path: join(shotDir, 'home.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  for (const style of BADGE_STYLES) {
    it(`renders the ${style} badge with its text inside the boxes`, async () => {
      for (const [key, subject] of Object.entries(BADGE_SUBJECTS)) {
        const label = key === 'low' ? 'reputation <&>' : undefined;
        const query = new URLSearchParams({ subject: key, style, ...(label ? { label } : {}) });
        const { page, context, response } = await open(`/badge/${FIXTURE_DID}.svg?${query}`, { width: 400, height: 120 });
        try {
          expect(response?.headers()['content-type']).toContain('image/svg+xml');
          expect(response?.status()).toBe(subject.kind === 'invalid' ? 400 : 200);
          const fits = await textFits(page);
          expect(fits.length).toBe(2);
          for (const fit of fits) {
            expect(fit.textLeft, `${style}/${key} "${fit.text}" left`).toBeGreaterThanOrEqual(fit.boxLeft + 2);
            expect(fit.textRight, `${style}/${key} "${fit.text}" right`).toBeLessThanOrEqual(fit.boxRight - 2);
          }
          if (label) expect(fits[0]!.text).toBe(style === 'for-the-badge' ? label.toUpperCase() : label);
          if (key === 'scored') await page.screenshot({ path: join(shotDir, `badge-${style}.png`), clip: { x: 0, y: 0, width: 200, height: 40 } });
        } finally {
          await context.close();
        }
      }
    });
  }

  it('the badge preview on the profile and the embed snippets point at the badge route', async () => {
    const links = badgeLinks('http://localhost:4000', FIXTURE_DID);
    const { page, context } = await open(`/agents/${FIXTURE_DID}`, { width: 800, height: 600 });
    try {
      expect(await page.locator('#badge-markdown').innerText()).toBe(links.markdown);
      expect(await page.locator('#badge-html').innerText()).toBe(links.html);
    } finally {
      await context.close();
    }
  });
});

// Where the screenshots went, for a person to look at.
afterAll(() => {
  if (hasChromium) console.info(`screenshots in ${shotDir}`);
});
