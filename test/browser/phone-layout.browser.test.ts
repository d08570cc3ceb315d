// The first look on a phone, in real headless Chromium at 390 px: nothing wider than the viewport, chart labels at
// least 11 px as drawn, the tier box in the badge's colours, one score (one decimal) on the page, the badge and the
// API, snippets that wrap at URL separators, the home page's real base URL, and the revocation on the verify page.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatScore, TIER_STYLES, type Tier } from '../../src/web/badges/trust-badge.ts';
import { buildAgentWithHistory, type AgentWithHistory } from '../helpers/profile.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const PHONE = { width: 390, height: 844 };

/** Elements (visible, laid out) whose box reaches past the viewport's right edge or is wider than it. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate((viewport) => {
    const out: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      // Visually hidden helpers (skip link, screen-reader text) sit off-screen or clip to 1 px on purpose.
      if (element.closest('.visually-hidden, .skip')) continue;
      // So are the receipts table's headers on a phone (clipped to nothing; each cell carries its label instead).
      let clipped = false;
      for (let a = element.parentElement; a && !clipped; a = a.parentElement) clipped = getComputedStyle(a).clip !== 'auto';
      if (clipped) continue;
      if (rect.right > viewport + 0.5 || rect.width > viewport + 0.5 || rect.left < -0.5) {
        const table = element.closest('table');
        out.push(`${table ? `${table.id || table.className || 'table'} ` : ''}${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ').join('.')}` : ''}: ${Math.round(rect.left)}..${Math.round(rect.right)} ${(element as HTMLElement).innerText?.slice(0, 40) ?? ''}`);
      }
    }
    return out;
  }, PHONE.width);
}

/** Rendered font size of every text in the page's charts: the font-size attribute times the SVG's scale. */
async function chartFontSizes(page: Page): Promise<Array<{ chart: string; text: string; px: number }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('svg.chart')).flatMap((svg) => {
      const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
      return Array.from(svg.querySelectorAll('text, tspan')).map((text) => ({
        chart: svg.getAttribute('class') ?? '',
        text: text.textContent ?? '',
        px: Number.parseFloat(getComputedStyle(text).fontSize) * scale,
      }));
    }),
  );
}

describe.skipIf(!hasChromium)(hasChromium ? 'pages on a phone in Chromium' : `pages on a phone: skipped, Chromium is not installed at ${CHROMIUM}`, () => {
  let t: TestApp;
  let history: AgentWithHistory;
  let did: string;
  let report: { score: number; tier: Tier };
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await createTestApp('embedded');
    history = await buildAgentWithHistory(t, { displayName: 'Phone agent' });
    did = history.scene.agent.did;
    report = (await t.gql(`query($did: String!) { trust(did: $did) { score tier } }`, { did })).data.trust;
    server = createServer(t.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await t?.close();
  });

  async function open(path: string) {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    return { page, context, response };
  }

  it('the profile: no element wider than 390 px, chart labels at least 11 px', async () => {
    const { page, context } = await open(`/agents/${did}`);
    try {
      expect(await overflowing(page)).toEqual([]);
      const fonts = await chartFontSizes(page);
      expect(fonts.filter((f) => f.chart.includes('activity')).length).toBeGreaterThan(3);
      expect(fonts.filter((f) => f.chart.includes('radar')).length).toBeGreaterThan(7);
      for (const font of fonts) expect(font.px, `${font.chart} "${font.text}"`).toBeGreaterThanOrEqual(11);
      // Every table fits its scroll box: no column is clipped, nothing needs sideways scrolling.
      const tables = await page.locator('.table-wrap').evaluateAll((wraps) => wraps.map((w) => ({ id: w.querySelector('table')?.id, scroll: w.scrollWidth, client: w.clientWidth })));
      expect(tables.length).toBeGreaterThanOrEqual(3);
      for (const table of tables) expect(table.scroll, table.id).toBeLessThanOrEqual(table.client);
      // The windows table shows all its columns inside the screen.
      const lastHeader = await page.locator('#windows-table thead th').last().boundingBox();
      expect(lastHeader!.x + lastHeader!.width).toBeLessThanOrEqual(PHONE.width);
    } finally {
      await context.close();
    }
  });

  it('one score and one tier colour: page, badge and API agree', async () => {
    const { page, context } = await open(`/agents/${did}`);
    try {
      const shown = formatScore(report.score);
      expect(shown).toBe(String(report.score));
      expect(await page.locator('#trust-score').innerText()).toMatch(new RegExp(`^${shown.replace('.', '\\.')}\\s*/\\s*100$`));
      const colours = await page.locator('#trust-tier').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
      const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
      expect(colours).toEqual([rgb(TIER_STYLES[report.tier].background), rgb(TIER_STYLES[report.tier].text)]);
      const badge = await (await t.fetch(`/badge/${did}.svg`)).text();
      expect(badge).toContain(`${report.tier} \u00b7 ${shown}`);
      expect(badge).toContain(`fill="${TIER_STYLES[report.tier].background}"`);
    } finally {
      await context.close();
    }
  });

  it('badge snippets wrap only at URL separators', async () => {
    const { page, context } = await open(`/agents/${did}`);
    try {
      for (const id of ['#badge-markdown', '#badge-html']) {
        // Where the browser broke the lines: the text of each visual line, from the code element's client rects.
        const lines = await page.locator(id).evaluate((code) => {
          const range = document.createRange();
          const text = code.textContent ?? '';
          const byTop = new Map<number, string>();
          let offset = 0;
          for (const node of Array.from(code.childNodes)) {
            const content = node.textContent ?? '';
            for (let i = 0; i < content.length; i++) {
              if (node.nodeType !== Node.TEXT_NODE) continue;
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const top = Math.round(range.getBoundingClientRect().top);
              byTop.set(top, (byTop.get(top) ?? '') + content[i]);
            }
            offset += content.length;
          }
          return { lines: [...byTop.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line), total: offset, text };
        });
        expect(lines.lines.join('')).toBe(lines.text);
        expect(lines.lines.length).toBeGreaterThan(1);
        for (const line of lines.lines.slice(0, -1)) {
          // A break after a separator, or inside a run too long for any line (the base58 key of the DID).
          expect(/[/:.?&=#\s]$/.test(line) || /[1-9A-HJ-NP-Za-km-z]{30,}$/.test(line), `${id} line "${line}"`).toBe(true);
        }
      }
    } finally {
      await context.close();
    }
  });

  it('the home page shows its real base URL, and fits the phone', async () => {
    const { page, context } = await open('/');
    try {
      expect(await page.locator('#badge-example').innerText()).toBe('![trust](http://localhost:4000/badge/<did>.svg)');
      expect(await page.locator('#profile-example').innerText()).toBe('http://localhost:4000/agents/<did>');
      expect(await page.locator('body').innerText()).not.toContain('this server');
      expect(await overflowing(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the verify page of a revoked credential shows when and why, and fits the phone', async () => {
    const revoked = await t.gql(
      `mutation($id: ID!, $reason: String!) { revokeCredential(id: $id, reason: $reason) { __typename ... on Error { code message } } }`,
      { id: history.credentialId, reason: 'issued in error' },
      t.admin,
    );
    expect(revoked.data.revokeCredential.__typename).toBe('RevokeCredentialPayload');
    const { page, context } = await open(`/credentials/${history.credentialId.replace('urn:uuid:', '')}/verify`);
    try {
      const result = (await page.locator('#verify-result').textContent()) ?? '';
      expect(result).toContain('Not valid');
      expect(result).toContain(`It was revoked on ${t.now.toISOString().slice(0, 10)} ${t.now.toISOString().slice(11, 16)} UTC: issued in error.`);
      expect(await page.locator('#revocation-reason').innerText()).toBe('issued in error');
      expect(await page.locator('#credential-table').innerText()).toContain('issued in error');
      expect(await overflowing(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
