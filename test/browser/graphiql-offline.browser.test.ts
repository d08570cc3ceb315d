// GraphiQL in real headless Chromium with every request outside the service refused: it must render and run a
// query from the service's own response alone (no CDN scripts, styles or fonts).
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const CHROMIUM = '/usr/bin/chromium';

/** Content-Security-Policy violations the page reports (Chromium logs each refusal to the console). */
function recordPolicyViolations(page: import('playwright-core').Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}
const hasChromium = existsSync(CHROMIUM);

// Skipped only when the browser is missing (CI installs Debian's chromium package); the suite name then says why.
describe.skipIf(!hasChromium)(hasChromium ? 'GraphiQL offline' : `GraphiQL offline: skipped, Chromium is not installed at ${CHROMIUM}`, () => {
  let t: TestApp;
  let server: Server;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    t = await createTestApp('embedded');
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

  it('the HTML names no outside script, style or font', async () => {
    const html = await (await t.fetch('/graphql', { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Credence GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/i);
  });

  it('is served under its own Content-Security-Policy: only its inline scripts, by hash, and no eval', async () => {
    const response = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'( 'sha256-[A-Za-z0-9+/=]+')*;/);
    expect(policy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(policy).toMatch(/connect-src 'self'/);
    expect(policy).toMatch(/frame-ancestors 'none'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // JSON answers from the same endpoint carry no page policy.
    const json = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(json.headers.get('content-security-policy')).toBeNull();
  });

  it('renders and introspects this service with every outside request refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const violations = recordPolicyViolations(page);
    // Once its script runs, GraphiQL asks this service for the schema (introspection): proof the bundle loaded.
    const introspection = page.waitForRequest(
      (request) => request.url().startsWith(`${origin}/graphql`) && (request.postData() ?? request.url()).includes('__schema'),
      { timeout: 30_000 },
    );
    await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
    await page.locator('.graphiql-container').first().waitFor({ state: 'visible', timeout: 30_000 });
    const answer = await (await introspection).response();
    expect(answer?.status()).toBe(200);
    expect(((await answer?.json()) as { data?: { __schema?: unknown } }).data?.__schema).toBeTruthy();
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('runs { serviceInfo { did } } from the editor and shows the answer, with every outside request refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const violations = recordPolicyViolations(page);
    // GraphiQL opens with the query named in the address, as a shared GraphiQL link would.
    await page.goto(`${origin}/graphql?query=${encodeURIComponent('{ serviceInfo { did } }')}`, { waitUntil: 'load' });
    await page.locator('.graphiql-container').first().waitFor({ state: 'visible', timeout: 30_000 });
    const execution = page.waitForRequest(
      (request) => request.url().startsWith(`${origin}/graphql`) && (request.postData() ?? '').includes('serviceInfo'),
      { timeout: 30_000 },
    );
    await page.locator('.graphiql-execute-button').first().click();
    const answer = await (await execution).response();
    expect(((await answer?.json()) as { data?: { serviceInfo?: { did?: string } } }).data?.serviceInfo?.did).toBe(t.app.serviceDid);
    // The answer shows in the result pane.
    await expect.poll(async () => page.locator('.graphiql-response').first().innerText(), { timeout: 30_000 }).toContain(t.app.serviceDid);
    expect(outside).toEqual([]);
    expect(violations).toEqual([]);
    await context.close();
  });
});
