// Text width estimates for badge layout (pure).
//
// Badges are drawn with Verdana at 11px (the usual choice for README badges). SVG cannot measure text before it is
// drawn, so the badge geometry is computed here from per-glyph advance widths. The table holds Verdana's advances in
// font units (2048 per em) for printable ASCII and a few typographic marks; anything else falls back to a deliberately
// generous width so a label never spills out of its box. The SVG also sets `textLength`, so a viewer that substitutes
// another font still squeezes the text into the measured box.

/** Font units per em in the advance table below. */
const UNITS_PER_EM = 2048;

/** The default badge font size in pixels. */
export const BADGE_FONT_SIZE = 11;

/** Verdana regular advance widths, in 1/2048 em. */
const VERDANA_ADVANCES: Readonly<Record<string, number>> = Object.freeze({
  ' ': 720, '!': 806, '"': 940, '#': 1831, $: 1382, '%': 2380, '&': 1603, "'": 550,
  '(': 909, ')': 909, '*': 1382, '+': 1831, ',': 720, '-': 831, '.': 720, '/': 1176,
  '0': 1303, '1': 1303, '2': 1303, '3': 1303, '4': 1303, '5': 1303, '6': 1303, '7': 1303, '8': 1303, '9': 1303,
  ':': 909, ';': 909, '<': 1831, '=': 1831, '>': 1831, '?': 1120, '@': 2047,
  A: 1401, B: 1405, C: 1430, D: 1577, E: 1294, F: 1178, G: 1581, H: 1540, I: 862, J: 941, K: 1424, L: 1141,
  M: 1726, N: 1532, O: 1612, P: 1235, Q: 1612, R: 1424, S: 1401, T: 1237, U: 1499, V: 1401, W: 2025, X: 1403,
  Y: 1237, Z: 1403,
  '[': 909, '\\': 1176, ']': 909, '^': 1831, _: 1303, '`': 1303,
  a: 1229, b: 1276, c: 1064, d: 1276, e: 1208, f: 721, g: 1276, h: 1296, i: 562, j: 615, k: 1200, l: 562,
  m: 1992, n: 1296, o: 1243, p: 1276, q: 1276, r: 874, s: 1064, t: 807, u: 1296, v: 1200, w: 1653, x: 1200,
  y: 1200, z: 1075,
  '{': 1303, '|': 909, '}': 1303, '~': 1831,
  '\u00a0': 720, // no-break space
  '\u00b7': 720, // middle dot, used in "A · 87"
  '\u2013': 1229, // en dash
  '\u2014': 2048, // em dash
  '\u2018': 550, '\u2019': 550, '\u201c': 940, '\u201d': 940,
  '\u2022': 1231, // bullet
  '\u2026': 1638, // ellipsis
  '\u20ac': 1303, // euro sign
  '\u00a3': 1303, // pound sign
});

/** Fallback for a glyph the table does not know: as wide as a capital M, wider than most letters of any script. */
const FALLBACK_ADVANCE = 1726;
/** Unknown lowercase letters: a little wider than Latin `o`. */
const LOWERCASE_FALLBACK_ADVANCE = 1300;
/** Unknown capitals: as wide as Latin `O`. */
const UPPERCASE_FALLBACK_ADVANCE = 1612;
/** East Asian wide characters and emoji take a full em, plus a margin for colour emoji fonts. */
const WIDE_ADVANCE = 2253;

/**
 * Bold glyphs are wider. Verdana Bold runs about 10-15% wider than regular and gains most on narrow glyphs, so bold
 * width is estimated as `regular × 1.1 + 0.25px` per glyph at 11px. Too little is harmless: the badge sets
 * `textLength`, so a wider font is fitted into the box.
 */
const BOLD_SCALE = 1.1;
const BOLD_EXTRA_PX = 0.25;

export interface TextMeasureOptions {
  /** Font size in pixels; defaults to 11. */
  fontSize?: number;
  /** Bold weight (the for-the-badge style). */
  bold?: boolean;
  /** Extra space after each glyph but the last, in pixels (SVG `letter-spacing`). */
  letterSpacing?: number;
}

function isZeroWidth(codePoint: number): boolean {
  return (
    (codePoint >= 0x0300 && codePoint <= 0x036f) || // combining diacritical marks
    (codePoint >= 0x1ab0 && codePoint <= 0x1aff) ||
    (codePoint >= 0x1dc0 && codePoint <= 0x1dff) ||
    (codePoint >= 0x20d0 && codePoint <= 0x20ff) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || // variation selectors
    (codePoint >= 0xfe20 && codePoint <= 0xfe2f) ||
    codePoint === 0x200b || codePoint === 0x200c || codePoint === 0x200d || codePoint === 0x2060 ||
    codePoint === 0xfeff ||
    (codePoint >= 0xe0100 && codePoint <= 0xe01ef)
  );
}

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) || // Hangul Jamo
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) || // CJK radicals … Yi
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) || // Hangul syllables
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // CJK compatibility ideographs
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) || // full-width forms
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x2600 && codePoint <= 0x27bf) || // symbols and dingbats (often drawn as emoji)
    (codePoint >= 0x1f000 && codePoint <= 0x1faff) || // emoji and pictographs
    (codePoint >= 0x20000 && codePoint <= 0x3fffd) // CJK extensions
  );
}

/** Advance of one code point in font units, regular weight. */
function advanceUnits(char: string): number {
  const known = VERDANA_ADVANCES[char];
  if (known !== undefined) return known;
  const codePoint = char.codePointAt(0) ?? 0;
  if (isZeroWidth(codePoint)) return 0;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0; // control characters draw nothing
  if (isWide(codePoint)) return WIDE_ADVANCE;
  // Accented Latin letters: measure the base letter (é → e). The marks are zero width.
  const decomposed = char.normalize('NFD');
  if (decomposed !== char) {
    const [base] = Array.from(decomposed);
    if (base !== undefined && base !== char) {
      const baseWidth = VERDANA_ADVANCES[base];
      if (baseWidth !== undefined) return baseWidth;
    }
  }
  // Letters of other scripts (Greek, Cyrillic, …): a wide lowercase or capital; anything else as wide as M.
  if (/\p{Ll}/u.test(char)) return LOWERCASE_FALLBACK_ADVANCE;
  if (/\p{Lu}|\p{Lt}/u.test(char)) return UPPERCASE_FALLBACK_ADVANCE;
  return FALLBACK_ADVANCE;
}

/** Width in pixels of one character (one code point) at the given size and weight. */
export function glyphWidth(char: string, options: TextMeasureOptions = {}): number {
  const fontSize = options.fontSize ?? BADGE_FONT_SIZE;
  const regular = (advanceUnits(char) * fontSize) / UNITS_PER_EM;
  if (!options.bold || regular === 0) return regular;
  return regular * BOLD_SCALE + (BOLD_EXTRA_PX * fontSize) / BADGE_FONT_SIZE;
}

/** Estimated rendered width of `text` in pixels. Never negative; the empty string is 0. */
export function measureText(text: string, options: TextMeasureOptions = {}): number {
  let width = 0;
  let glyphs = 0;
  for (const char of text) {
    const w = glyphWidth(char, options);
    width += w;
    if (w > 0) glyphs += 1;
  }
  const spacing = options.letterSpacing ?? 0;
  if (spacing > 0 && glyphs > 1) width += spacing * (glyphs - 1);
  return width;
}

/** Whether the table knows this character exactly (for tests and diagnostics). */
export function hasKnownWidth(char: string): boolean {
  return VERDANA_ADVANCES[char] !== undefined;
}
