// The trust badge: what a DID's badge says, in SVG and as shields.io endpoint JSON, plus cache and embed helpers (pure).
//
// The HTTP route decides whether the DID is valid and known and passes a `TrustBadgeSubject`; everything here is a
// function of that input.
import { escapeMarkup } from '../escape.ts';
import { createHash } from 'node:crypto';
import { cleanBadgeText, parseColor, renderBadgeSvg, textColorFor, type BadgeStyle } from './badge-svg.ts';

export type Tier = 'A' | 'B' | 'C' | 'D' | 'F';

/** What the badge is about: a scored DID, a valid DID Credence knows nothing about, or input that is not a DID. */
export type TrustBadgeSubject =
  | { kind: 'scored'; tier: Tier; score: number }
  | { kind: 'unknown' }
  | { kind: 'invalid' };

export const DEFAULT_BADGE_LABEL = 'trust';
/** The longest custom label accepted (`?label=`), in code points. */
export const MAX_LABEL_LENGTH = 40;

/** Badge colour per tier, as a named colour that shields.io also understands. */
export const TIER_COLORS: Readonly<Record<Tier, string>> = Object.freeze({
  A: 'brightgreen',
  B: 'green',
  C: 'yellow',
  D: 'orange',
  F: 'red',
});

export const NO_DATA_MESSAGE = 'no data';
export const NO_DATA_COLOR = 'lightgrey';
export const INVALID_MESSAGE = 'invalid did';
export const INVALID_COLOR = 'red';

/** Response headers for badges: cached by browsers and proxies (GitHub's camo) for five minutes. */
export const BADGE_CACHE_CONTROL = 'public, max-age=300';
export const BADGE_SVG_CONTENT_TYPE = 'image/svg+xml; charset=utf-8';
export const BADGE_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** An SVG badge needs nothing from anywhere: opened directly it may not run or load anything. */
export const BADGE_CONTENT_SECURITY_POLICY = "default-src 'none'";

export interface TrustBadgeContent {
  label: string;
  message: string;
  color: string;
  /** The HTTP status the badge goes out with: 400 for invalid input, else 200. */
  status: 200 | 400;
}

export interface TrustBadgeOptions {
  /** `?label=`; `undefined` means the default label, an empty string means no label box. */
  label?: string;
}

/** A custom label, cleaned and cut to `MAX_LABEL_LENGTH`; the default when none was given. */
export function normalizeBadgeLabel(label: string | undefined): string {
  if (label === undefined) return DEFAULT_BADGE_LABEL;
  return cleanBadgeText(label, MAX_LABEL_LENGTH);
}

/**
 * The one rounding rule for scores: one decimal, clamped to 0..100, written as the API's number is (40.5, 87). The
 * badge and the profile page both use it, so they show what `trust(did)` answers.
 */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return '0';
  return String(Math.round(Math.min(100, Math.max(0, score)) * 10) / 10);
}

/** The tier box colours, shared by the badge and the profile page: the badge's background and its text colour. */
export const TIER_STYLES: Readonly<Record<Tier, { background: string; text: string }>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(TIER_COLORS) as Array<[Tier, string]>).map(([tier, color]) => {
      const background = parseColor(color)!;
      return [tier, Object.freeze({ background, text: textColorFor(background) })];
    }),
  ) as Record<Tier, { background: string; text: string }>,
);

export function trustBadgeContent(subject: TrustBadgeSubject, options: TrustBadgeOptions = {}): TrustBadgeContent {
  const label = normalizeBadgeLabel(options.label);
  switch (subject.kind) {
    case 'scored':
      return { label, message: `${subject.tier} \u00b7 ${formatScore(subject.score)}`, color: TIER_COLORS[subject.tier], status: 200 };
    case 'unknown':
      return { label, message: NO_DATA_MESSAGE, color: NO_DATA_COLOR, status: 200 };
    case 'invalid':
      return { label, message: INVALID_MESSAGE, color: INVALID_COLOR, status: 400 };
  }
}

export interface RenderedTrustBadge {
  body: string;
  status: 200 | 400;
  etag: string;
  contentType: string;
}

/** The SVG badge with its status and ETag. */
export function renderTrustBadgeSvg(
  subject: TrustBadgeSubject,
  options: TrustBadgeOptions & { style?: BadgeStyle } = {},
): RenderedTrustBadge {
  const content = trustBadgeContent(subject, options);
  const body = renderBadgeSvg({ label: content.label, message: content.message, color: content.color, style: options.style ?? 'flat' });
  return { body, status: content.status, etag: computeEtag(body), contentType: BADGE_SVG_CONTENT_TYPE };
}

/** The shields.io endpoint-badge document (https://shields.io/badges/endpoint-badge). */
export interface ShieldsEndpointBadge {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
  isError?: true;
}

export function shieldsEndpointJson(subject: TrustBadgeSubject, options: TrustBadgeOptions = {}): ShieldsEndpointBadge {
  const content = trustBadgeContent(subject, options);
  const doc: ShieldsEndpointBadge = { schemaVersion: 1, label: content.label, message: content.message, color: content.color };
  if (content.status !== 200) doc.isError = true;
  return doc;
}

/**
 * The JSON badge as a response body with its status and ETag. Always 200: shields.io draws its own generic
 * "invalid" for any non-2xx endpoint, so an invalid DID is said in the document (`isError: true`, the red `invalid
 * did`) instead of in the status.
 */
export function renderTrustBadgeJson(subject: TrustBadgeSubject, options: TrustBadgeOptions = {}): RenderedTrustBadge {
  const body = JSON.stringify(shieldsEndpointJson(subject, options));
  return { body, status: 200, etag: computeEtag(body), contentType: BADGE_JSON_CONTENT_TYPE };
}

/** A strong ETag over the exact response bytes: the same output gives the same tag. */
export function computeEtag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 weak comparison, as a 304 needs): `*`, or any listed
 * tag equal to it with or without a `W/` prefix.
 */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === wanted);
}

/** Headers for a badge response (200, 304 or 400 alike). */
export function badgeHeaders(rendered: Pick<RenderedTrustBadge, 'etag' | 'contentType'>): Record<string, string> {
  return {
    'Content-Type': rendered.contentType,
    'Cache-Control': BADGE_CACHE_CONTROL,
    ETag: rendered.etag,
    'Content-Security-Policy': BADGE_CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}

// ---- URLs and embed snippets ----

function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** A DID as a path segment: percent-encoded, but with `:` kept so the URL stays readable. */
export function didPathSegment(did: string): string {
  return encodeURIComponent(did).replace(/%3A/gi, ':');
}

export function badgeSvgUrl(base: string, did: string, options: { style?: BadgeStyle; label?: string } = {}): string {
  const query = new URLSearchParams();
  if (options.style && options.style !== 'flat') query.set('style', options.style);
  if (options.label !== undefined) query.set('label', options.label);
  const qs = query.toString();
  return `${trimBase(base)}/badge/${didPathSegment(did)}.svg${qs ? `?${qs}` : ''}`;
}

export function badgeJsonUrl(base: string, did: string): string {
  return `${trimBase(base)}/badge/${didPathSegment(did)}.json`;
}

export function profileUrl(base: string, did: string): string {
  return `${trimBase(base)}/agents/${didPathSegment(did)}`;
}

/** `[![trust](<base>/badge/<did>.svg)](<base>/agents/<did>)` */
export function badgeMarkdown(base: string, did: string, options: { style?: BadgeStyle; alt?: string } = {}): string {
  const alt = (options.alt ?? DEFAULT_BADGE_LABEL).replace(/[[\]\\]/g, '');
  const img = badgeSvgUrl(base, did, options.style ? { style: options.style } : {});
  return `[![${alt}](${img})](${profileUrl(base, did)})`;
}

/** `<a href="…/agents/<did>"><img src="…/badge/<did>.svg" alt="…"></a>` */
export function badgeHtml(base: string, did: string, options: { style?: BadgeStyle; alt?: string } = {}): string {
  const alt = options.alt ?? 'Credence trust badge';
  const img = badgeSvgUrl(base, did, options.style ? { style: options.style } : {});
  return `<a href="${escapeMarkup(profileUrl(base, did))}"><img src="${escapeMarkup(img)}" alt="${escapeMarkup(alt)}"></a>`;
}

export interface BadgeLinks {
  svgUrl: string;
  jsonUrl: string;
  /** Relative path, for previews on Credence's own pages (same origin, so `img-src 'self'` allows it). */
  svgPath: string;
  markdown: string;
  html: string;
  /** https://img.shields.io/endpoint?url=… : the same badge drawn by shields.io from the JSON endpoint. */
  shieldsUrl: string;
}

export function badgeLinks(base: string, did: string): BadgeLinks {
  const jsonUrl = badgeJsonUrl(base, did);
  return {
    svgUrl: badgeSvgUrl(base, did),
    jsonUrl,
    svgPath: `/badge/${didPathSegment(did)}.svg`,
    markdown: badgeMarkdown(base, did),
    html: badgeHtml(base, did),
    shieldsUrl: `https://img.shields.io/endpoint?url=${encodeURIComponent(jsonUrl)}`,
  };
}
