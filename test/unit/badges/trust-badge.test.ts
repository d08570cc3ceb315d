import { describe, expect, it } from 'vitest';
import { BADGE_STYLES, NAMED_COLORS } from '../../../src/web/badges/badge-svg.ts';
import {
  BADGE_CACHE_CONTROL,
  TIER_COLORS,
  badgeHeaders,
  badgeHtml,
  badgeLinks,
  badgeMarkdown,
  badgeSvgUrl,
  computeEtag,
  didPathSegment,
  etagMatches,
  profileUrl,
  renderTrustBadgeJson,
  renderTrustBadgeSvg,
  shieldsEndpointJson,
  trustBadgeContent,
  type Tier,
} from '../../../src/web/badges/trust-badge.ts';

const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const BASE = 'http://localhost:4000';
const TIERS: Tier[] = ['A', 'B', 'C', 'D', 'F'];

describe('trust badge content', () => {
  it('shows tier and score with a colour per tier, green to red', () => {
    expect(TIER_COLORS).toEqual({ A: 'brightgreen', B: 'green', C: 'yellow', D: 'orange', F: 'red' });
    const fills = new Set<string>();
    for (const tier of TIERS) {
      const content = trustBadgeContent({ kind: 'scored', tier, score: 50 });
      expect(content).toEqual({ label: 'trust', message: `${tier} \u00b7 50`, color: TIER_COLORS[tier], status: 200 });
      const svg = renderTrustBadgeSvg({ kind: 'scored', tier, score: 50 }).body;
      const hex = NAMED_COLORS[TIER_COLORS[tier]]!;
      expect(svg).toContain(`fill="${hex}"`);
      fills.add(hex);
    }
    expect(fills.size).toBe(5);
  });

  it('rounds to one decimal, as the API does, and clamps the score', () => {
    const message = (score: number) => trustBadgeContent({ kind: 'scored', tier: 'A', score }).message;
    expect(message(87.4)).toBe('A \u00b7 87.4');
    expect(message(87.46)).toBe('A \u00b7 87.5');
    expect(message(87)).toBe('A \u00b7 87');
    expect(message(140)).toBe('A \u00b7 100');
    expect(message(-3)).toBe('A \u00b7 0');
    expect(message(Number.NaN)).toBe('A \u00b7 0');
  });

  it('says "no data" in grey for an unknown DID and "invalid did" with status 400 for bad input', () => {
    expect(trustBadgeContent({ kind: 'unknown' })).toEqual({ label: 'trust', message: 'no data', color: 'lightgrey', status: 200 });
    expect(trustBadgeContent({ kind: 'invalid' })).toMatchObject({ message: 'invalid did', status: 400 });
    expect(renderTrustBadgeSvg({ kind: 'invalid' }).status).toBe(400);
    expect(renderTrustBadgeSvg({ kind: 'unknown' }).body).toContain(`fill="${NAMED_COLORS.lightgrey}"`);
  });

  it('takes a custom label, escaped and cut to 40 characters; an empty label leaves only the message', () => {
    const svg = renderTrustBadgeSvg({ kind: 'scored', tier: 'B', score: 66 }, { label: '<rep & "me">' }).body;
    expect(svg).toContain('&lt;rep &amp; &quot;me&quot;&gt;');
    expect(svg).not.toContain('<rep');
    expect(Array.from(trustBadgeContent({ kind: 'unknown' }, { label: 'y'.repeat(100) }).label)).toHaveLength(40);
    const bare = renderTrustBadgeSvg({ kind: 'scored', tier: 'B', score: 66 }, { label: '' }).body;
    expect(bare).toContain('aria-label="B \u00b7 66"');
  });

  it('renders every style', () => {
    const bodies = BADGE_STYLES.map((style) => renderTrustBadgeSvg({ kind: 'scored', tier: 'C', score: 41 }, { style }).body);
    expect(new Set(bodies).size).toBe(BADGE_STYLES.length);
  });
});

describe('shields.io endpoint JSON', () => {
  /** The endpoint-badge contract: schemaVersion 1, non-empty message, string label and color, optional isError. */
  function assertShieldsSchema(doc: Record<string, unknown>) {
    expect(doc.schemaVersion).toBe(1);
    expect(typeof doc.label).toBe('string');
    expect(typeof doc.message).toBe('string');
    expect((doc.message as string).length).toBeGreaterThan(0);
    expect(typeof doc.color).toBe('string');
    for (const key of Object.keys(doc)) expect(['schemaVersion', 'label', 'message', 'color', 'isError']).toContain(key);
    if ('isError' in doc) expect(doc.isError).toBe(true);
  }

  it('matches the endpoint-badge format for every case', () => {
    expect(shieldsEndpointJson({ kind: 'scored', tier: 'A', score: 87 })).toEqual({
      schemaVersion: 1,
      label: 'trust',
      message: 'A \u00b7 87',
      color: 'brightgreen',
    });
    expect(shieldsEndpointJson({ kind: 'unknown' })).toEqual({ schemaVersion: 1, label: 'trust', message: 'no data', color: 'lightgrey' });
    expect(shieldsEndpointJson({ kind: 'invalid' })).toMatchObject({ message: 'invalid did', isError: true });
    // The error is in the document, not the status: shields.io only reads a 2xx endpoint.
    expect(renderTrustBadgeJson({ kind: 'invalid' }).status).toBe(200);
    expect(renderTrustBadgeSvg({ kind: 'invalid' }).status).toBe(400);
    for (const subject of [{ kind: 'scored', tier: 'D', score: 25 }, { kind: 'unknown' }, { kind: 'invalid' }] as const) {
      const rendered = renderTrustBadgeJson(subject);
      assertShieldsSchema(JSON.parse(rendered.body) as Record<string, unknown>);
      expect(rendered.contentType).toContain('application/json');
    }
  });
});

describe('ETag', () => {
  it('is stable for the same output and different for different output', () => {
    const a = renderTrustBadgeSvg({ kind: 'scored', tier: 'A', score: 87 });
    const again = renderTrustBadgeSvg({ kind: 'scored', tier: 'A', score: 87 });
    expect(again.etag).toBe(a.etag);
    expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const others = [
      renderTrustBadgeSvg({ kind: 'scored', tier: 'A', score: 88 }),
      renderTrustBadgeSvg({ kind: 'scored', tier: 'B', score: 87 }),
      renderTrustBadgeSvg({ kind: 'scored', tier: 'A', score: 87 }, { style: 'flat-square' }),
      renderTrustBadgeSvg({ kind: 'scored', tier: 'A', score: 87 }, { label: 'rep' }),
      renderTrustBadgeJson({ kind: 'scored', tier: 'A', score: 87 }),
    ];
    expect(new Set([a.etag, ...others.map((o) => o.etag)]).size).toBe(others.length + 1);
    expect(computeEtag('x')).toBe(computeEtag(new TextEncoder().encode('x')));
  });

  it('matches If-None-Match as a 304 needs', () => {
    const etag = computeEtag('body');
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`W/${etag}`, etag)).toBe(true);
    expect(etagMatches(`"other", ${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
    expect(etagMatches('', etag)).toBe(false);
  });

  it('goes out with five minutes of public caching', () => {
    const headers = badgeHeaders(renderTrustBadgeSvg({ kind: 'unknown' }));
    expect(BADGE_CACHE_CONTROL).toBe('public, max-age=300');
    expect(headers['Cache-Control']).toBe('public, max-age=300');
    expect(headers['Content-Type']).toBe('image/svg+xml; charset=utf-8');
    expect(headers.ETag).toMatch(/^"/);
    expect(headers['Content-Security-Policy']).toBe("default-src 'none'");
  });
});

describe('URLs and snippets', () => {
  it('builds the Markdown snippet linking the badge to the profile', () => {
    expect(badgeMarkdown(BASE, DID)).toBe(`[![trust](${BASE}/badge/${DID}.svg)](${BASE}/agents/${DID})`);
    expect(badgeMarkdown(`${BASE}/`, DID)).toBe(badgeMarkdown(BASE, DID));
    expect(badgeMarkdown(BASE, DID, { style: 'for-the-badge' })).toContain('.svg?style=for-the-badge)');
  });

  it('builds an HTML snippet with escaped attributes', () => {
    expect(badgeHtml(BASE, DID)).toBe(
      `<a href="${BASE}/agents/${DID}"><img src="${BASE}/badge/${DID}.svg" alt="Credence trust badge"></a>`,
    );
    expect(badgeHtml(BASE, DID, { alt: '"><x' })).toContain('alt="&quot;&gt;&lt;x"');
  });

  it('keeps colons in DIDs but encodes anything that would change the path', () => {
    expect(didPathSegment(DID)).toBe(DID);
    expect(didPathSegment('did:web:example.com%3A8080')).toBe('did:web:example.com%253A8080');
    expect(didPathSegment('did:x:a/b?c#d')).toBe('did:x:a%2Fb%3Fc%23d');
    expect(profileUrl(BASE, DID)).toBe(`${BASE}/agents/${DID}`);
    expect(badgeSvgUrl(BASE, DID, { label: 'a b', style: 'flat' })).toBe(`${BASE}/badge/${DID}.svg?label=a+b`);
  });

  it('collects every link a page needs', () => {
    const links = badgeLinks(BASE, DID);
    expect(links.svgPath).toBe(`/badge/${DID}.svg`);
    expect(links.jsonUrl).toBe(`${BASE}/badge/${DID}.json`);
    expect(links.shieldsUrl).toBe(`https://img.shields.io/endpoint?url=${encodeURIComponent(links.jsonUrl)}`);
  });
});
