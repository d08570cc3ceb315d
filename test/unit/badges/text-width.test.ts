import { describe, expect, it } from 'vitest';
import { glyphWidth, hasKnownWidth, measureText } from '../../../src/web/badges/text-width.ts';

describe('measureText', () => {
  it('is zero for the empty string and grows with every visible character', () => {
    expect(measureText('')).toBe(0);
    let previous = 0;
    for (const text of ['t', 'tr', 'tru', 'trus', 'trust', 'trust ', 'trust A']) {
      const width = measureText(text);
      expect(width).toBeGreaterThan(previous);
      previous = width;
    }
  });

  it('gives each glyph its own width', () => {
    expect(glyphWidth('i')).toBeLessThan(glyphWidth('n'));
    expect(glyphWidth('n')).toBeLessThan(glyphWidth('m'));
    expect(glyphWidth('I')).toBeLessThan(glyphWidth('W'));
    expect(measureText('iiii')).toBeLessThan(measureText('MMMM'));
    // Digits share one width, so scores do not jiggle.
    expect(new Set(Array.from('0123456789', (d) => glyphWidth(d))).size).toBe(1);
  });

  it('uses Verdana advances at 11px (2048 units per em)', () => {
    // t r u s t = 807 + 874 + 1296 + 1064 + 807 units
    expect(measureText('trust')).toBeCloseTo(((807 + 874 + 1296 + 1064 + 807) * 11) / 2048, 6);
    expect(measureText('trust', { fontSize: 22 })).toBeCloseTo(2 * measureText('trust'), 6);
  });

  it('knows every printable ASCII character and the middle dot', () => {
    for (let code = 0x20; code < 0x7f; code += 1) expect(hasKnownWidth(String.fromCharCode(code))).toBe(true);
    expect(hasKnownWidth('\u00b7')).toBe(true);
  });

  it('falls back generously for unknown glyphs so text never overflows', () => {
    const widestLatinLower = Math.max(...Array.from('abcdefghijklmnopqrstuvwxyz', (c) => glyphWidth(c)));
    expect(glyphWidth('\u2603')).toBeGreaterThanOrEqual(11); // snowman: drawn as an emoji-width glyph
    expect(glyphWidth('信')).toBeGreaterThanOrEqual(11); // CJK: a full em
    expect(glyphWidth('🚀')).toBeGreaterThanOrEqual(11);
    expect(glyphWidth('Ж')).toBeGreaterThanOrEqual(glyphWidth('O')); // unknown capital: at least as wide as O
    expect(glyphWidth('ж')).toBeGreaterThanOrEqual(glyphWidth('o')); // unknown lowercase: at least as wide as o
    expect(glyphWidth('\u2192')).toBeGreaterThanOrEqual(glyphWidth('M')); // arrow: as wide as M
    expect(glyphWidth('\u2192')).toBeLessThanOrEqual(widestLatinLower + 1);
  });

  it('measures accented letters as their base letter and marks as nothing', () => {
    expect(glyphWidth('é')).toBe(glyphWidth('e'));
    expect(measureText('e\u0301')).toBe(glyphWidth('e'));
    expect(glyphWidth('\u200d')).toBe(0);
    expect(glyphWidth('\u0007')).toBe(0);
  });

  it('makes bold wider and adds letter spacing between glyphs', () => {
    expect(measureText('TRUST', { bold: true })).toBeGreaterThan(measureText('TRUST'));
    expect(glyphWidth('i', { bold: true })).toBeGreaterThan(glyphWidth('i'));
    const plain = measureText('ABC', { fontSize: 10 });
    expect(measureText('ABC', { fontSize: 10, letterSpacing: 1 })).toBeCloseTo(plain + 2, 6);
    expect(measureText('A', { letterSpacing: 5 })).toBe(measureText('A'));
  });
});
