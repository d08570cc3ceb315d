import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../../src/web/badges/badge-svg.ts';
import { renderHomePage } from '../../../src/web/pages/home-page.ts';
import { CONTENT_SECURITY_POLICY, CONTRAST_PAIRS, HTML_SECURITY_HEADERS, PAGE_STYLE, PAGE_STYLE_HASH } from '../../../src/web/pages/layout.ts';
import {
  breakable,
  FLAG_SENTENCES,
  flagSentence,
  profileStatus,
  renderInvalidDidPage,
  renderNotFoundPage,
  renderProfilePage,
} from '../../../src/web/pages/profile-page.ts';
import { FIXTURE_DID, HOSTILE_NAME, fixtureView } from './profile-fixture.ts';

const page = renderProfilePage(fixtureView());

function between(haystack: string, start: string, end: string): string {
  const i = haystack.indexOf(start);
  const j = haystack.indexOf(end, i + start.length);
  expect(i).toBeGreaterThanOrEqual(0);
  expect(j).toBeGreaterThan(i);
  return haystack.slice(i + start.length, j);
}

describe('profile page: hostile input', () => {
  it('shows a <script> display name as text and contains no script at all', () => {
    expect(page).not.toContain(HOSTILE_NAME);
    expect(page).toContain('<h1 id="agent-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(page).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; · Credence trust profile</title>');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<[^>]*\son[a-z]+=/i); // no event-handler attributes in any tag
  });

  it('escapes every other free-text field', () => {
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<svg onload');
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt; is just text');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;');
    // A javascript: download URL is not linked.
    expect(page).not.toMatch(/javascript:/i);
  });

  it('escapes a hostile DID on the not-found and invalid pages', () => {
    const notFound = renderNotFoundPage('did:key:"><script>x</script>');
    expect(notFound).not.toMatch(/<script/i);
    expect(notFound).toContain('did:key:&quot;&gt;&lt;script&gt;x&lt;/script&gt;');
    const invalid = renderInvalidDidPage('"><script>x</script>');
    expect(invalid).not.toMatch(/<script/i);
    expect(invalid).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });
});

describe('profile page: content', () => {
  it('shows name, DID, score, tier and confidence', () => {
    expect(page).toContain(`<code id="agent-did">${FIXTURE_DID}</code>`);
    expect(page).toContain('<dd id="trust-score">87.4 <small>/ 100</small></dd>');
    expect(page).toContain('<span id="trust-tier" class="tier tier-A" aria-label="Tier A">A</span>');
    expect(page).toContain('<dd>82%</dd>');
    expect(page).toContain('<time datetime="2026-03-02T09:30:00.000Z">2026-03-02</time>');
  });

  it('has the radar chart, the vector table and the activity chart', () => {
    expect(page).toContain('<svg class="chart radar"');
    expect(page).toContain('<title id="radar-title">Trust vector radar chart</title>');
    expect(page).toContain('<table class="vector">');
    expect(page).toContain('<svg class="chart activity"');
    expect(page.match(/<svg class="chart /g)).toHaveLength(2);
    expect(page).toMatch(/<figcaption>160 receipts on 49 days between 2026-09-02 and 2026-11-30/);
  });

  it('has the window stats table with caption and header scopes', () => {
    const table = between(page, '<table id="windows-table">', '</table>');
    expect(table).toContain('<caption id="windows-caption">');
    expect(table).toContain('<th scope="col" class="num">7 days</th><th scope="col" class="num">30 days</th><th scope="col" class="num">90 days</th><th scope="col" class="num">Lifetime</th>');
    expect(table.match(/<th scope="row">/g)).toHaveLength(10);
    expect(table).toContain('<th scope="row">Volume</th><td class="num">$2,150</td><td class="num">$10,241</td><td class="num">$31,870</td><td class="num">$96,400</td>');
    expect(table).toContain('<th scope="row">Dispute rate</th><td class="num">0%</td><td class="num">2.4%</td>');
    const client = between(page, '<table id="client-table">', '</table>');
    expect(client).toContain('<th scope="row">Client dispute rate</th><td class="num">8.3%</td>');
  });

  it('has the recent receipts table', () => {
    const table = between(page, '<table id="receipts-table"', '</table>');
    expect(table).toContain('<caption id="receipts-caption">');
    expect(table.match(/<th scope="col"/g)).toHaveLength(6);
    expect(table.match(/<tr role="row">/g)).toHaveLength(5);
    expect(table).toContain('data-label="Platform" class="did">GigHub</td>');
    expect(table).toContain('$1,250.75');
    expect(table).toContain('Escrow verified');
    expect(table).toContain('Paid job');
    // A platform DID is shortened on screen but read out in full.
    expect(table).toContain('<span class="visually-hidden">did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH</span>');
  });

  it('writes flags in plain words, falling back to the detail', () => {
    expect(page).toContain(FLAG_SENTENCES.COUNTERPARTY_CONCENTRATION);
    expect(page).toContain('31% of 90-day volume from one buyer');
    for (const code of ['NO_HISTORY', 'SELF_DEALING', 'RECIPROCAL_RING', 'BURST', 'SYBIL_CLUSTER', 'COUNTERPARTY_CONCENTRATION', 'COMPLIANCE_VIOLATION', 'CLIENT_RESTRICTED']) {
      const sentence = flagSentence({ code, severity: 'WARNING', detail: 'raw detail' });
      expect(sentence, code).toBe(FLAG_SENTENCES[code]);
      expect(sentence).not.toContain('_');
      expect(sentence).toMatch(/^[A-Z].*\.$/);
    }
    expect(flagSentence({ code: 'NEW_THING', severity: 'INFO', detail: 'Something new happened' })).toBe('Something new happened');
    expect(flagSentence({ code: 'NEW_THING', severity: 'INFO', detail: null })).toBe('Flag raised: New thing.');
    const clean = renderProfilePage(fixtureView({ report: { ...fixtureView().report!, flags: [] } }));
    expect(clean).toContain('No warnings');
  });

  it('explains what moved the score', () => {
    expect(page).toContain('<li><strong>Economic:</strong> 111 escrow-verified jobs in 90 days across 4 platforms <span class="muted nowrap">(+31.2 points)</span></li>');
    expect(page).toContain('(\u22122.4 points)');
    expect(page).toContain('<li>Recent activity keeps recency high</li>');
  });

  it('lists credentials with download and verify links', () => {
    expect(page).toContain('<a href="/credentials/urn:uuid:7f1c5a52.jwt" download>Download');
    expect(page).toContain('<a href="/graphql?query=verify">Verify');
    expect(page).toContain('Reputation credential');
    expect(page).toContain('Task completion credential');
    expect(page).toContain('<span class="revoked">Revoked</span>');
  });

  it('shows the badge and its embed snippets in <code> blocks', () => {
    const { badge } = fixtureView();
    expect(page).toContain(`<img src="${badge.svgPath}" alt="Credence trust badge: tier A, score 87.4" height="20">`);
    expect(page).toContain(`<code id="badge-markdown">${breakable(badge.markdown).value}</code>`);
    expect(page).toContain(`<code id="badge-html">${breakable(badge.html).value}</code>`);
    expect(breakable(badge.html).value).toContain('&lt;a href=<wbr>&quot;http:<wbr>/<wbr>/<wbr>localhost:<wbr>4000/<wbr>agents/');
  });

  it('is the same for the same view', () => {
    expect(renderProfilePage(fixtureView())).toBe(page);
  });
});

describe('profile page: states', () => {
  const empty = { agent: null, report: null, recentReceipts: [], credentials: [], activity: [] };

  it('is not found for a DID with no claim, no report and no receipts', () => {
    const view = fixtureView(empty);
    expect(profileStatus(view)).toBe(404);
    const html = renderProfilePage(view);
    expect(html).toContain('<h1>No profile for this DID</h1>');
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain('action="/agents"');
  });

  it('is not found when the only report is the NO_HISTORY default', () => {
    const report = fixtureView().report!;
    const zero = { ...report.windows.lifetime, tasks: 0 };
    const view = fixtureView({
      ...empty,
      report: { ...report, score: 0, tier: 'F', confidence: 0, windows: { d7: zero, d30: zero, d90: zero, lifetime: zero }, flags: [{ code: 'NO_HISTORY', severity: 'INFO' }] },
    });
    expect(profileStatus(view)).toBe(404);
  });

  it('shows an unclaimed DID that platforms report on', () => {
    const view = fixtureView({ agent: null });
    expect(profileStatus(view)).toBe(200);
    expect(renderProfilePage(view)).toContain('<h1 id="agent-name">Unclaimed DID</h1>');
  });

  it('shows a claimed agent without a report', () => {
    const html = renderProfilePage(fixtureView({ report: null, recentReceipts: [], credentials: [] }));
    expect(html).toContain('No trust report is available');
    expect(html).toContain('No receipts yet.');
    expect(html).toContain('No credentials issued yet.');
  });
});

describe('page shell and Content-Security-Policy', () => {
  const pages = [page, renderHomePage(), renderNotFoundPage(FIXTURE_DID), renderInvalidDidPage('x')];

  it('allows no script at all, and no inline style except the hashed sheet', () => {
    const directives = CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim());
    expect(directives).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src(?! 'none')/);
    expect(directives).toContain("base-uri 'none'");
    expect(directives).toContain("frame-ancestors 'none'");
    expect(directives).toContain("form-action 'self'");
    expect(directives).toContain("img-src 'self' data:");
    expect(directives).toContain(`style-src '${PAGE_STYLE_HASH}'`);
    expect(HTML_SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(HTML_SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });

  it.each(pages.map((p, i) => [i, p] as const))('page %i: its one <style> matches the CSP hash and nothing else needs an exception', (_, html) => {
    const styles = html.match(/<style>([\s\S]*?)<\/style>/g) ?? [];
    expect(styles).toHaveLength(1);
    const css = between(html, '<style>', '</style>');
    expect(css).toBe(PAGE_STYLE);
    expect(`sha256-${createHash('sha256').update(css).digest('base64')}`).toBe(PAGE_STYLE_HASH);
    expect(html).not.toMatch(/\sstyle=/); // a hash does not cover style attributes
    expect(html).not.toMatch(/<script|<[^>]*\son[a-z]+=|javascript:/i);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('uses colours with at least 4.5:1 contrast', () => {
    for (const [fg, bg, where] of CONTRAST_PAIRS) {
      expect(contrastRatio(fg, bg), where).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('home page', () => {
  it('has a DID search form that GETs /agents?did= and a link to GraphiQL', () => {
    const home = renderHomePage();
    expect(home).toContain('<form class="search" method="get" action="/agents" role="search">');
    expect(home).toContain('<label for="did-input">Look up a DID</label>');
    expect(home).toContain('<input id="did-input" name="did"');
    expect(home).toContain('<a href="/graphql">Open the GraphQL API</a>');
  });

  it('shows an error and the previous query as text', () => {
    const home = renderHomePage({ error: '<b>bad</b> DID', query: '"><x', graphqlUrl: '/gql' });
    expect(home).toContain('<p class="error" role="alert">&lt;b&gt;bad&lt;/b&gt; DID</p>');
    expect(home).toContain('value="&quot;&gt;&lt;x"');
    expect(home).toContain('<a href="/gql">Open the GraphQL API</a>');
  });
});
