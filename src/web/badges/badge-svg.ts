// README-style SVG badges: a grey label box and a coloured message box (pure).
//
// Every string that reaches the SVG is cleaned of characters XML cannot carry, truncated, and XML-escaped; colours
// are only ever emitted as validated `#rrggbb`. The output is deterministic: the same input gives the same bytes, so
// callers can hash it for an ETag.
import { escapeMarkup } from '../escape.ts';
import { createHash } from 'node:crypto';
import { BADGE_FONT_SIZE, measureText, type TextMeasureOptions } from './text-width.ts';

export const BADGE_STYLES = ['flat', 'flat-square', 'for-the-badge'] as const;
export type BadgeStyle = (typeof BADGE_STYLES)[number];

export function isBadgeStyle(value: unknown): value is BadgeStyle {
  return typeof value === 'string' && (BADGE_STYLES as readonly string[]).includes(value);
}

export interface BadgeInput {
  /** Left-hand text; an empty label draws the message box alone. */
  label: string;
  /** Right-hand text. */
  message: string;
  /** Message background: a named colour (see `NAMED_COLORS`) or a hex colour (`#4c1`, `44cc11`). */
  color: string;
  /** Label background; defaults to dark grey. */
  labelColor?: string;
  /** Defaults to `flat`. */
  style?: BadgeStyle;
}

/**
 * Named colours. The names follow the usual README-badge vocabulary so the same name can go into the shields.io
 * endpoint JSON; the hex values are Credence's own.
 */
export const NAMED_COLORS: Readonly<Record<string, string>> = Object.freeze({
  brightgreen: '#3fbf22',
  green: '#8db800',
  yellowgreen: '#a3a31a',
  yellow: '#d9ac14',
  orange: '#f07a2a',
  red: '#c8352a',
  blue: '#0a6fb0',
  grey: '#555555',
  gray: '#555555',
  lightgrey: '#9c9c9c',
  lightgray: '#9c9c9c',
  success: '#3fbf22',
  important: '#f07a2a',
  critical: '#c8352a',
  informational: '#0a6fb0',
  inactive: '#9c9c9c',
});

export const DEFAULT_LABEL_COLOR = '#555555';
const DEFAULT_MESSAGE_COLOR = NAMED_COLORS.lightgrey ?? '#9c9c9c';
const LIGHT_TEXT = '#ffffff';
const DARK_TEXT = '#111111';

/** The longest label or message drawn, in code points; longer text ends in an ellipsis. */
export const MAX_BADGE_TEXT = 64;

/** A named or hex colour as `#rrggbb`, or `undefined` when it is neither. */
export function parseColor(color: string | undefined): string | undefined {
  if (color === undefined) return undefined;
  const trimmed = color.trim().toLowerCase();
  const named = NAMED_COLORS[trimmed];
  if (named !== undefined) return named;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(trimmed)?.[1];
  if (hex === undefined) return undefined;
  const full = hex.length === 3 ? Array.from(hex, (digit) => digit + digit).join('') : hex;
  return `#${full}`;
}

/** WCAG relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const channel = (offset: number): number => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio between two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** White or near-black, whichever reads better on `background`. */
export function textColorFor(background: string): string {
  return contrastRatio(LIGHT_TEXT, background) >= contrastRatio(DARK_TEXT, background) ? LIGHT_TEXT : DARK_TEXT;
}

/** Escape the XML special characters (the web layer's one escaper). */
export const escapeXml: (value: string) => string = escapeMarkup;

/**
 * Text as it will be drawn: whitespace runs collapsed to one space, characters XML 1.0 cannot hold removed (control
 * characters, lone surrogates, U+FFFE/U+FFFF), trimmed, and cut to `max` code points with an ellipsis.
 */
export function cleanBadgeText(value: string, max = MAX_BADGE_TEXT): string {
  const cleaned = value
    .replace(/[\t\n\r\u2028\u2029]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  if (chars.length <= max) return cleaned;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}\u2026`;
}

interface StyleGeometry {
  height: number;
  fontSize: number;
  bold: boolean;
  uppercase: boolean;
  letterSpacing: number;
  padding: number;
  radius: number;
  baseline: number;
  gloss: boolean;
  lengthAdjust: 'spacing' | 'spacingAndGlyphs';
}

const GEOMETRY: Readonly<Record<BadgeStyle, StyleGeometry>> = {
  flat: {
    height: 20, fontSize: BADGE_FONT_SIZE, bold: false, uppercase: false, letterSpacing: 0, padding: 6, radius: 3,
    baseline: 14, gloss: true, lengthAdjust: 'spacingAndGlyphs',
  },
  'flat-square': {
    height: 20, fontSize: BADGE_FONT_SIZE, bold: false, uppercase: false, letterSpacing: 0, padding: 6, radius: 0,
    baseline: 14, gloss: false, lengthAdjust: 'spacingAndGlyphs',
  },
  'for-the-badge': {
    height: 28, fontSize: 10, bold: true, uppercase: true, letterSpacing: 0.9, padding: 10, radius: 0,
    baseline: 18, gloss: false, lengthAdjust: 'spacing',
  },
};

const FONT_FAMILY = 'Verdana,Geneva,DejaVu Sans,sans-serif';

/** Round up to one decimal place, so measured boxes never shrink below the estimate. */
function ceil1(value: number): number {
  return Math.ceil(value * 10 - 1e-9) / 10;
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export interface BadgeLayout {
  style: BadgeStyle;
  width: number;
  height: number;
  label: { text: string; x: number; width: number; textWidth: number; fill: string; textFill: string } | null;
  message: { text: string; x: number; width: number; textWidth: number; fill: string; textFill: string };
}

/** The geometry of a badge without drawing it (also used by tests). */
export function layoutBadge(input: BadgeInput): BadgeLayout {
  const style: BadgeStyle = input.style ?? 'flat';
  const g = GEOMETRY[style];
  const caseOf = (text: string) => (g.uppercase ? text.toUpperCase() : text);
  const labelText = caseOf(cleanBadgeText(input.label));
  const messageText = caseOf(cleanBadgeText(input.message)) || '\u2014';
  const measure: TextMeasureOptions = { fontSize: g.fontSize, bold: g.bold, letterSpacing: g.letterSpacing };
  const labelFill = parseColor(input.labelColor) ?? DEFAULT_LABEL_COLOR;
  const messageFill = parseColor(input.color) ?? DEFAULT_MESSAGE_COLOR;

  let x = 0;
  let label: BadgeLayout['label'] = null;
  if (labelText.length > 0) {
    const textWidth = ceil1(measureText(labelText, measure));
    const width = ceil1(textWidth + 2 * g.padding);
    label = { text: labelText, x, width, textWidth, fill: labelFill, textFill: textColorFor(labelFill) };
    x = width;
  }
  const messageTextWidth = ceil1(measureText(messageText, measure));
  const messageWidth = ceil1(messageTextWidth + 2 * g.padding);
  const message = {
    text: messageText, x, width: messageWidth, textWidth: messageTextWidth, fill: messageFill,
    textFill: textColorFor(messageFill),
  };
  return { style, width: ceil1(x + messageWidth), height: g.height, label, message };
}

/** Render a badge as a standalone, accessible SVG document (no scripts, no external references). */
export function renderBadgeSvg(input: BadgeInput): string {
  const layout = layoutBadge(input);
  const g = GEOMETRY[layout.style];
  const { width, height, label, message } = layout;
  const accessibleName = escapeXml(label ? `${label.text}: ${message.text}` : message.text);
  // Ids are scoped by a digest of the content so several badges inlined in one page never collide.
  const idSuffix = createHash('sha256')
    .update(JSON.stringify([layout.style, label?.text ?? '', label?.fill ?? '', message.text, message.fill]))
    .digest('hex')
    .slice(0, 10);
  const clipId = `c${idSuffix}`;
  const glossId = `g${idSuffix}`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${height}" viewBox="0 0 ${fmt(width)} ${height}" role="img" aria-label="${accessibleName}">`,
    `<title>${accessibleName}</title>`,
  );
  if (g.gloss) {
    parts.push(
      `<linearGradient id="${glossId}" x2="0" y2="100%"><stop offset="0" stop-color="#fff" stop-opacity=".12"/><stop offset="1" stop-opacity=".12"/></linearGradient>`,
    );
  }
  if (g.radius > 0) {
    parts.push(`<clipPath id="${clipId}"><rect width="${fmt(width)}" height="${height}" rx="${g.radius}" fill="#fff"/></clipPath>`);
  }
  parts.push(g.radius > 0 ? `<g clip-path="url(#${clipId})">` : '<g>');
  if (label) parts.push(`<rect width="${fmt(label.width)}" height="${height}" fill="${label.fill}"/>`);
  parts.push(`<rect x="${fmt(message.x)}" width="${fmt(message.width)}" height="${height}" fill="${message.fill}"/>`);
  if (g.gloss) parts.push(`<rect width="${fmt(width)}" height="${height}" fill="url(#${glossId})"/>`);
  parts.push('</g>');

  const weight = g.bold ? ' font-weight="bold"' : '';
  const spacing = g.letterSpacing > 0 ? ` letter-spacing="${g.letterSpacing}"` : '';
  parts.push(
    `<g text-anchor="middle" font-family="${FONT_FAMILY}" font-size="${g.fontSize}"${weight}${spacing} aria-hidden="true">`,
  );
  const drawText = (segment: NonNullable<BadgeLayout['label']>, kind: 'label' | 'message') => {
    const cx = fmt(Math.round((segment.x + segment.width / 2) * 10) / 10);
    const text = escapeXml(segment.text);
    const common = `x="${cx}" textLength="${fmt(segment.textWidth)}" lengthAdjust="${g.lengthAdjust}"`;
    // A faint shadow under light text on the glossy style lifts it off bright backgrounds.
    if (g.gloss && segment.textFill === LIGHT_TEXT) {
      parts.push(`<text ${common} y="${g.baseline + 1}" fill="#010101" fill-opacity=".3">${text}</text>`);
    }
    parts.push(`<text class="${kind}" ${common} y="${g.baseline}" fill="${segment.textFill}">${text}</text>`);
  };
  if (label) drawText(label, 'label');
  drawText(message, 'message');
  parts.push('</g></svg>');
  return parts.join('');
}
