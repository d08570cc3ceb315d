import { describe, expect, it } from 'vitest';
import {
  BADGE_STYLES,
  NAMED_COLORS,
  cleanBadgeText,
  contrastRatio,
  escapeXml,
  layoutBadge,
  parseColor,
  renderBadgeSvg,
  textColorFor,
} from '../../../src/web/badges/badge-svg.ts';
import { measureText } from '../../../src/web/badges/text-width.ts';

const HOSTILE = `<b onload="x">&'quote'`;

/** Every text node and attribute value of the SVG, as a crude well-formedness check. */
function assertWellFormed(svg: string) {
  // Outside tags there is no raw `<` or `>`; inside attribute values no `<`, no stray quote; every `&` is an entity.
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  const withoutTags = svg.replace(/<\/?[a-zA-Z][a-zA-Z0-9-]*(\s+[a-zA-Z:-][a-zA-Z0-9:-]*="[^"<>]*")*\s*\/?>/g, '');
  expect(withoutTags).not.toMatch(/[<>]/);
  expect(svg.replace(/&(amp|lt|gt|quot|apos|#[0-9]+);/g, '')).not.toContain('&');
}

describe('renderBadgeSvg', () => {
  it('is an accessible image with a title and an aria-label', () => {
    const svg = renderBadgeSvg({ label: 'trust', message: 'A · 87', color: 'brightgreen' });
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="trust: A · 87"');
    expect(svg).toContain('<title>trust: A · 87</title>');
    expect(svg).not.toMatch(/<script|<foreignObject|href=/i);
    assertWellFormed(svg);
  });

  it.each(BADGE_STYLES)('escapes <>&"\' in label and message (%s)', (style) => {
    const svg = renderBadgeSvg({ label: HOSTILE, message: HOSTILE, color: 'red', style });
    expect(svg).not.toContain('<b');
    expect(svg).not.toContain('onload="');
    const expected = escapeXml(style === 'for-the-badge' ? HOSTILE.toUpperCase() : HOSTILE);
    expect(expected).toBe(
      style === 'for-the-badge' ? '&lt;B ONLOAD=&quot;X&quot;&gt;&amp;&#39;QUOTE&#39;' : '&lt;b onload=&quot;x&quot;&gt;&amp;&#39;quote&#39;',
    );
    expect(svg).toContain(`>${expected}</text>`);
    expect(svg).toContain(`aria-label="${expected}: ${expected}"`);
    assertWellFormed(svg);
  });

  it('drops characters XML cannot carry and collapses whitespace', () => {
    expect(cleanBadgeText('a\u0000b\u0008c\u001f\ufffe')).toBe('abc');
    expect(cleanBadgeText('  two\n\tlines  ')).toBe('two lines');
    expect(cleanBadgeText('lone \ud800 surrogate')).toBe('lone surrogate');
    expect(cleanBadgeText('emoji 🚀 stays')).toBe('emoji 🚀 stays');
    const svg = renderBadgeSvg({ label: 'a\u0000b', message: 'c\u000bd', color: 'blue' });
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it('cuts very long text with an ellipsis', () => {
    const long = 'x'.repeat(500);
    const layout = layoutBadge({ label: long, message: long, color: 'blue' });
    expect(Array.from(layout.label!.text)).toHaveLength(64);
    expect(layout.label!.text.endsWith('\u2026')).toBe(true);
    expect(layout.width).toBeLessThan(1000);
  });

  it('renders each style, and each one differently', () => {
    const input = { label: 'trust', message: 'A · 87', color: 'brightgreen' };
    const svgs = BADGE_STYLES.map((style) => renderBadgeSvg({ ...input, style }));
    expect(new Set(svgs).size).toBe(3);
    const [flat, square, forTheBadge] = svgs as [string, string, string];
    expect(flat).toContain('height="20"');
    expect(flat).toContain('rx="3"');
    expect(flat).toContain('<linearGradient');
    expect(square).toContain('height="20"');
    expect(square).not.toContain('rx=');
    expect(square).not.toContain('<linearGradient');
    expect(forTheBadge).toContain('height="28"');
    expect(forTheBadge).toContain('font-weight="bold"');
    expect(forTheBadge).toContain('>TRUST</text>');
    expect(forTheBadge).toContain('>A · 87</text>');
    expect(renderBadgeSvg(input)).toBe(flat); // flat is the default
  });

  it.each(BADGE_STYLES)('sizes boxes from the measured text (%s)', (style) => {
    const narrow = layoutBadge({ label: 'trust', message: 'iii', color: 'blue', style });
    const wide = layoutBadge({ label: 'trust', message: 'WWW', color: 'blue', style });
    expect(wide.message.width).toBeGreaterThan(narrow.message.width);
    expect(wide.width).toBeGreaterThan(narrow.width);
    for (const layout of [narrow, wide]) {
      const label = layout.label!;
      expect(label.width).toBeGreaterThanOrEqual(label.textWidth + 12);
      expect(layout.message.x).toBe(label.width);
      expect(layout.width).toBeCloseTo(label.width + layout.message.width, 6);
      expect(layout.message.textWidth).toBeGreaterThanOrEqual(measureText(layout.message.text, {}) * 0.8);
    }
    const svg = renderBadgeSvg({ label: 'trust', message: 'WWW', color: 'blue', style });
    expect(svg).toContain(`textLength="${wide.message.textWidth}"`);
  });

  it('draws the message alone when the label is empty', () => {
    const layout = layoutBadge({ label: '', message: 'no data', color: 'lightgrey' });
    expect(layout.label).toBeNull();
    const svg = renderBadgeSvg({ label: '', message: 'no data', color: 'lightgrey' });
    expect(svg).toContain('aria-label="no data"');
    expect(svg.match(/<text class=/g)).toHaveLength(1);
  });

  it('is deterministic and gives different badges different ids', () => {
    const a = renderBadgeSvg({ label: 'trust', message: 'A · 87', color: 'brightgreen' });
    const b = renderBadgeSvg({ label: 'trust', message: 'B · 70', color: 'green' });
    expect(renderBadgeSvg({ label: 'trust', message: 'A · 87', color: 'brightgreen' })).toBe(a);
    const idOf = (svg: string) => /<clipPath id="([^"]+)"/.exec(svg)?.[1];
    expect(idOf(a)).toBeDefined();
    expect(idOf(a)).not.toBe(idOf(b));
  });
});

describe('colours', () => {
  it('accepts named and hex colours and nothing else', () => {
    expect(parseColor('brightgreen')).toBe(NAMED_COLORS.brightgreen);
    expect(parseColor(' RED ')).toBe(NAMED_COLORS.red);
    expect(parseColor('#4c1')).toBe('#44cc11');
    expect(parseColor('44cc11')).toBe('#44cc11');
    expect(parseColor('#44CC11')).toBe('#44cc11');
    expect(parseColor('red" onload="alert(1)')).toBeUndefined();
    expect(parseColor('url(#x)')).toBeUndefined();
    expect(parseColor(undefined)).toBeUndefined();
  });

  it('falls back to grey for an invalid colour and never emits it', () => {
    const svg = renderBadgeSvg({ label: 'a', message: 'b', color: '"><script>', labelColor: 'javascript:1' });
    expect(svg).not.toContain('script');
    expect(svg).toContain(`fill="${NAMED_COLORS.lightgrey}"`);
    expect(svg).toContain('fill="#555555"');
  });

  it('picks white or dark text with at least 4.5:1 contrast on every named colour', () => {
    for (const [name, hex] of Object.entries(NAMED_COLORS)) {
      const ratio = contrastRatio(textColorFor(hex), hex);
      expect(ratio, name).toBeGreaterThanOrEqual(4.5);
    }
    expect(textColorFor('#555555')).toBe('#ffffff');
    expect(textColorFor('#ffff00')).toBe('#111111');
  });

  it('computes WCAG contrast', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1, 5);
  });
});
