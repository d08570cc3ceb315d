// The trust vector as an SVG radar chart, with a table as its text equivalent (pure).
//
// E, P, B, D and R run 0..1 and are drawn as they are. A and C are penalties on -1..0; they are drawn as 1 + value,
// so on every axis "further out is better": a clean record reaches the outer ring, a penalty pulls the point inward.
import { escapeMarkup } from '../escape.ts';
import { html, raw, type SafeHtml } from './html.ts';

export interface TrustVector {
  E: number;
  P: number;
  B: number;
  D: number;
  R: number;
  A: number;
  C: number;
}

export type Dimension = keyof TrustVector;

export interface DimensionInfo {
  key: Dimension;
  name: string;
  /** The name on the chart itself. */
  shortName: string;
  meaning: string;
  penalty: boolean;
}

export const DIMENSIONS: readonly DimensionInfo[] = [
  { key: 'E', name: 'Economic', shortName: 'Economic', meaning: 'Paid work settled through escrow, growing with value but with diminishing returns.', penalty: false },
  { key: 'P', name: 'Productivity', shortName: 'Productivity', meaning: 'Tasks completed and applications accepted across platforms.', penalty: false },
  { key: 'B', name: 'Behaviour', shortName: 'Behaviour', meaning: 'Few disputes, refunds and rejections relative to the work done.', penalty: false },
  { key: 'D', name: 'Diversity', shortName: 'Diversity', meaning: 'How many distinct, credible counterparties and platforms vouch for the work.', penalty: false },
  { key: 'R', name: 'Recency', shortName: 'Recency', meaning: 'How recent the evidence is; older work counts for less.', penalty: false },
  { key: 'A', name: 'Anomaly penalty', shortName: 'Anomaly', meaning: 'Deductions for self-dealing, rings, bursts, sybil clusters or concentration. 0 means none.', penalty: true },
  { key: 'C', name: 'Compliance penalty', shortName: 'Compliance', meaning: 'Deductions for compliance incidents and violations. 0 means none.', penalty: true },
];

function clamp(value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value)) return lo === -1 ? 0 : lo;
  return Math.min(hi, Math.max(lo, value));
}

/** The value a dimension has on the chart's 0..1 radius. */
export function plottedValue(info: DimensionInfo, vector: TrustVector): number {
  const value = vector[info.key];
  return info.penalty ? 1 + clamp(value, -1, 0) : clamp(value, 0, 1);
}

/** A dimension's value as people read it: `0.82`, or for penalties `0 (none)` / `−0.25`. */
export function formatDimension(info: DimensionInfo, vector: TrustVector): string {
  const value = vector[info.key];
  if (info.penalty) {
    const v = clamp(value, -1, 0);
    return v > -0.005 ? '0 (none)' : `\u2212${Math.abs(v).toFixed(2)}`;
  }
  return clamp(value, 0, 1).toFixed(2);
}

const n = (value: number) => (Math.round(value * 10) / 10).toString();

export interface RadarChartOptions {
  /** Prefix for element ids, unique within the page. */
  idPrefix?: string;
  /** Accessible title; defaults to "Trust vector". */
  title?: string;
}

const WIDTH = 440;
const HEIGHT = 350;
const CENTER_X = WIDTH / 2;
const CENTER_Y = 178;
const RADIUS = 112;

function point(index: number, radius: number): [number, number] {
  const angle = -Math.PI / 2 + (index * 2 * Math.PI) / DIMENSIONS.length;
  return [CENTER_X + radius * Math.cos(angle), CENTER_Y + radius * Math.sin(angle)];
}

/** The radar chart as an inline `<svg>` with a title and a description listing every value. */
export function renderRadarChart(vector: TrustVector, options: RadarChartOptions = {}): SafeHtml {
  const id = options.idPrefix ?? 'radar';
  const title = options.title ?? 'Trust vector';
  const description = DIMENSIONS.map((d) => `${d.key} ${d.name}: ${formatDimension(d, vector)}`).join('; ');

  const ring = (fraction: number) =>
    DIMENSIONS.map((_, i) => point(i, RADIUS * fraction).map(n).join(',')).join(' ');
  const rings = [0.25, 0.5, 0.75, 1].map(
    (f) => `<polygon points="${ring(f)}" fill="${f === 1 ? '#f6f8fa' : 'none'}" stroke="#d0d7de" stroke-width="1"/>`,
  );
  // Rings go on the bottom, so the outer fill must come first.
  rings.reverse();

  const axes = DIMENSIONS.map((d, i) => {
    const [x, y] = point(i, RADIUS);
    const dash = d.penalty ? ' stroke-dasharray="4 3"' : '';
    return `<line x1="${CENTER_X}" y1="${CENTER_Y}" x2="${n(x)}" y2="${n(y)}" stroke="#afb8c1" stroke-width="1"${dash}/>`;
  });

  const values = DIMENSIONS.map((d, i) => point(i, RADIUS * plottedValue(d, vector)));
  const shape = `<polygon class="radar-shape" points="${values.map((p) => p.map(n).join(',')).join(' ')}" fill="#0b5cad" fill-opacity="0.22" stroke="#0b5cad" stroke-width="2" stroke-linejoin="round"/>`;
  const dots = DIMENSIONS.map((d, i) => {
    const [x, y] = values[i] ?? [CENTER_X, CENTER_Y];
    const fill = d.penalty && plottedValue(d, vector) < 0.995 ? '#b42318' : '#0b5cad';
    return `<circle cx="${n(x)}" cy="${n(y)}" r="4" fill="${fill}" stroke="#ffffff" stroke-width="1.5"><title>${escapeMarkup(`${d.name}: ${formatDimension(d, vector)}`)}</title></circle>`;
  });

  const labels = DIMENSIONS.map((d, i) => {
    const [x, y] = point(i, RADIUS + 24);
    const anchor = Math.abs(x - CENTER_X) < 8 ? 'middle' : x > CENTER_X ? 'start' : 'end';
    const top = y < CENTER_Y - RADIUS; // the label above the top axis grows upwards
    const lines = d.penalty ? 3 : 2;
    const firstY = top ? y - (lines - 1) * 15 : y;
    const value = formatDimension(d, vector).replace(' (none)', '');
    let out = `<text x="${n(x)}" y="${n(firstY)}" text-anchor="${anchor}" font-size="16" font-weight="700" fill="#1f2328">${d.key}<tspan font-weight="400" font-size="14" fill="#57606a"> ${escapeMarkup(value)}</tspan></text>`;
    out += `<text x="${n(x)}" y="${n(firstY + 15)}" text-anchor="${anchor}" font-size="14" fill="#57606a">${escapeMarkup(d.shortName)}</text>`;
    if (d.penalty) out += `<text x="${n(x)}" y="${n(firstY + 30)}" text-anchor="${anchor}" font-size="14" fill="#57606a">(penalty)</text>`;
    return out;
  });

  const svg =
    `<svg class="chart radar" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif">` +
    `<title id="${id}-title">${escapeMarkup(title)}</title>` +
    `<desc id="${id}-desc">${escapeMarkup(`${description}. A and C are penalties drawn as 1 plus their value, so the outer ring means no penalty.`)}</desc>` +
    rings.join('') +
    axes.join('') +
    shape +
    dots.join('') +
    `<g aria-hidden="true">${labels.join('')}</g>` +
    `</svg>`;
  return raw(svg);
}

/** The same values as a table: the chart's text equivalent, readable without SVG or sight. */
export function renderVectorTable(vector: TrustVector, caption = 'Trust vector values'): SafeHtml {
  const rows = DIMENSIONS.map(
    (d) => html`<tr><th scope="row"><abbr title="${d.name}">${d.key}</abbr> ${d.name}<span class="meaning">${d.meaning}</span></th><td class="num">${formatDimension(d, vector)}</td></tr>`,
  );
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table class="vector">
<caption>${caption}</caption>
<thead><tr><th scope="col">Dimension and what it measures</th><th scope="col" class="num">Value</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}
