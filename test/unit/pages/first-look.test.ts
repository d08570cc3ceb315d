// What a new user sees first on the pages, checked without a browser: one score rule, the badge's tier colours,
// explanation labels said once, snippets that break at separators, chart labels that stay readable when scaled to a
// phone, the real base URL on the home page, and the revocation on the verify page.
import { describe, expect, it } from 'vitest';
import { contrastRatio, NAMED_COLORS } from '../../../src/web/badges/badge-svg.ts';
import { formatScore, renderTrustBadgeSvg, TIER_COLORS, TIER_STYLES, type Tier } from '../../../src/web/badges/trust-badge.ts';
import { renderActivityChart } from '../../../src/web/pages/activity-chart.ts';
import { renderCredentialCheckPage, type CredentialCheckView } from '../../../src/web/pages/credential-page.ts';
import { renderHomePage } from '../../../src/web/pages/home-page.ts';
import { PAGE_STYLE } from '../../../src/web/pages/layout.ts';
import { breakable, renderProfilePage, withoutLeadingLabel } from '../../../src/web/pages/profile-page.ts';
import { renderRadarChart } from '../../../src/web/pages/radar-chart.ts';
import { fixtureView } from './profile-fixture.ts';

/** Content width on a 390 px phone: the viewport less the page's 1rem padding on each side. */
const PHONE_CONTENT_PX = 390 - 32;

describe('one rounding rule for scores', () => {
  it('one decimal, written as the API writes the number, clamped to 0..100', () => {
    expect(formatScore(40.5)).toBe('40.5');
    expect(formatScore(40.45)).toBe('40.5');
    expect(formatScore(87)).toBe('87');
    expect(formatScore(52.04)).toBe('52');
    expect(formatScore(-3)).toBe('0');
    expect(formatScore(120)).toBe('100');
    expect(formatScore(Number.NaN)).toBe('0');
  });

  it('the profile page and the badge show the same number as the report', () => {
    const view = fixtureView();
    view.report!.score = 40.5;
    view.report!.tier = 'C';
    const page = renderProfilePage(view);
    expect(page).toContain('<dd id="trust-score">40.5 <small>/ 100</small></dd>');
    expect(page).toContain('tier C, score 40.5');
    expect(renderTrustBadgeSvg({ kind: 'scored', tier: 'C', score: 40.5 }).body).toContain('C \u00b7 40.5');
  });
});

describe('tier colours', () => {
  it('the page styles each tier box with the badge colour and readable text', () => {
    for (const tier of Object.keys(TIER_COLORS) as Tier[]) {
      const style = TIER_STYLES[tier];
      expect(style.background).toBe(NAMED_COLORS[TIER_COLORS[tier]]);
      expect(PAGE_STYLE).toContain(`.tier-${tier}{background:${style.background};color:${style.text}}`);
      expect(contrastRatio(style.text, style.background)).toBeGreaterThanOrEqual(4.5);
      expect(renderTrustBadgeSvg({ kind: 'scored', tier, score: 50 }).body).toContain(`fill="${style.background}"`);
    }
  });
});

describe('explanations', () => {
  it('drop a leading repeat of the dimension name', () => {
    expect(withoutLeadingLabel('recency: current activity against its history, R=0.52', ['Recency'])).toBe('Current activity against its history, R=0.52');
    expect(withoutLeadingLabel('anomaly penalty A=-0.1 (bursts)', ['Anomaly penalty', 'Anomaly'])).toBe('A=-0.1 (bursts)');
    expect(withoutLeadingLabel('Recency matters', ['Recency'])).toBe('Recency matters');
  });

  it('the page says each label once, for every engine-style explanation', () => {
    const view = fixtureView();
    view.report!.explanation = [
      { dimension: 'R', text: 'recency: current activity against the agent\u2019s own history, R=0.52', impact: 4.1 },
      { dimension: 'E', text: 'economic: credibility-weighted settled work, E=0.7', impact: 20 },
      { dimension: 'C', text: 'compliance penalty C=-0.1 (1 violation/incident receipts)', impact: -3 },
    ];
    const page = renderProfilePage(view);
    expect(page).toContain('<strong>Recency:</strong> Current activity');
    expect(page).toContain('<strong>Economic:</strong> Credibility-weighted');
    expect(page).toContain('<strong>Compliance penalty:</strong> C=-0.1');
    expect(page).not.toMatch(/Recency:<\/strong> recency|Economic:<\/strong> economic|penalty:<\/strong> compliance penalty/i);
  });
});

describe('badge snippets', () => {
  it('offer a line break after every URL separator and copy as the plain snippet', () => {
    const markup = breakable('[![trust](http://localhost:4000/badge/did:key:z6Mk.svg)](http://localhost:4000/agents/did:key:z6Mk)').value;
    expect(markup).toContain('http:<wbr>/<wbr>/<wbr>localhost:<wbr>4000/<wbr>badge/<wbr>did:<wbr>key:<wbr>z6Mk.<wbr>svg');
    expect(markup.replace(/<wbr>/g, '')).toBe('[![trust](http://localhost:4000/badge/did:key:z6Mk.svg)](http://localhost:4000/agents/did:key:z6Mk)');
    const page = renderProfilePage(fixtureView());
    expect(page).toMatch(/<pre class="snippet" aria-labelledby="md-h"><code id="badge-markdown">\[!\[trust\]\(http:<wbr>/);
    // Breaks fall on the separators, not anywhere in a word.
    expect(PAGE_STYLE).toContain('pre.snippet{word-break:normal;overflow-wrap:anywhere}');
  });
});

describe('chart labels', () => {
  /** Every font size in an SVG, scaled to its width on a phone (the charts are never drawn wider than this). */
  function phonePx(svg: string): number[] {
    const viewBoxWidth = Number(/viewBox="0 0 (\d+(?:\.\d+)?) /.exec(svg)![1]);
    return [...svg.matchAll(/font-size="(\d+(?:\.\d+)?)"/g)].map((m) => (Number(m[1]) * Math.min(PHONE_CONTENT_PX, viewBoxWidth)) / viewBoxWidth);
  }

  it('stay at least 11 px when the charts shrink to a 390 px phone', () => {
    const activity = renderActivityChart([{ day: '2026-11-29', count: 12 }], { end: '2026-11-30' }).value;
    const radar = renderRadarChart({ E: 0.5, P: 0.4, B: 0.9, D: 0.3, R: 0.8, A: -0.1, C: 0 }).value;
    for (const svg of [activity, radar]) {
      const sizes = phonePx(svg);
      expect(sizes.length).toBeGreaterThan(3);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
    }
  });
});

describe('home page', () => {
  it('shows its real base URL in the snippets', () => {
    const page = renderHomePage({ publicUrl: 'https://credence.example.org/' });
    expect(page).toContain('<code id="badge-example">![trust](https://credence.example.org/badge/&lt;did&gt;.svg)</code>');
    expect(page).toContain('<code id="profile-example">https://credence.example.org/agents/&lt;did&gt;</code>');
    expect(page).not.toContain('this server');
  });
});

describe('verify page of a revoked credential', () => {
  const view = (overrides: Partial<CredentialCheckView>): CredentialCheckView => ({
    credentialId: 'urn:uuid:6be02031-eb47-4b75-9983-158e7c9fd28d',
    type: 'TASK_COMPLETION',
    format: 'JWT',
    valid: false,
    revoked: true,
    expired: false,
    issuer: 'did:web:localhost%3A4000',
    issuedByService: true,
    subject: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    types: ['VerifiableCredential', 'TaskCompletionCredential'],
    validFrom: '2026-11-01T12:00:00Z',
    validUntil: null,
    errors: ['revoked'],
    warnings: [],
    downloadUrl: '/credentials/6be02031-eb47-4b75-9983-158e7c9fd28d',
    checkedAt: '2026-11-02T08:00:00Z',
    ...overrides,
  });

  it('shows when and why, escaped', () => {
    const page = renderCredentialCheckPage(view({ revokedAt: '2026-11-02T07:30:00Z', revocationReason: 'issued in error <b>' }));
    expect(page).toContain('It was revoked on <time id="revoked-at" datetime="2026-11-02T07:30:00.000Z">2026-11-02 07:30 UTC</time>: <span id="revocation-reason">issued in error &lt;b&gt;</span>.');
    expect(page).toContain('<tr><th scope="row">Reason</th><td>issued in error &lt;b&gt;</td></tr>');
    expect(page).toContain('<strong class="revoked">Yes</strong>, 2026-11-02 07:30 UTC');
  });

  it('still reads when the time and reason are unknown', () => {
    const page = renderCredentialCheckPage(view({}));
    expect(page).toContain('It was revoked.');
    expect(page).not.toContain('Reason</th>');
  });
});
