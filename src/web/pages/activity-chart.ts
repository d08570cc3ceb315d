// Daily activity over the last 90 days as an SVG bar chart (pure; the end day is passed in, never read from a clock).
import { escapeMarkup } from '../escape.ts';
import { raw, type SafeHtml } from './html.ts';

export interface ActivityDay {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  /** Receipts (or other events) that day. */
  count: number;
}

export interface ActivitySeries {
  days: ActivityDay[];
  total: number;
  activeDays: number;
  peak: ActivityDay | null;
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a Date or ISO string, in UTC. */
export function utcDay(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date.toISOString().slice(0, 10);
}

/**
 * The `days` UTC days ending on `end` (inclusive), each with its count from `activity` (summed if a day appears more
 * than once; days outside the range and non-finite or negative counts are ignored).
 */
export function buildActivitySeries(activity: readonly ActivityDay[], end: Date | string, days = 90): ActivitySeries {
  const endMs = Date.parse(`${utcDay(end)}T00:00:00Z`);
  const counts = new Map<string, number>();
  for (const { day, count } of activity) {
    if (!Number.isFinite(count) || count <= 0) continue;
    const key = /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : safeDay(day);
    if (key === null) continue;
    counts.set(key, (counts.get(key) ?? 0) + count);
  }
  const series: ActivityDay[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    const day = new Date(endMs - i * DAY_MS).toISOString().slice(0, 10);
    series.push({ day, count: counts.get(day) ?? 0 });
  }
  let total = 0;
  let activeDays = 0;
  let peak: ActivityDay | null = null;
  for (const entry of series) {
    total += entry.count;
    if (entry.count > 0) activeDays += 1;
    if (entry.count > 0 && (peak === null || entry.count > peak.count)) peak = entry;
  }
  return { days: series, total, activeDays, peak, from: series[0]?.day ?? '', to: series[series.length - 1]?.day ?? '' };
}

function safeDay(value: string): string | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
}

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

/** One sentence summarising the series (the chart's text equivalent). */
export function describeActivity(series: ActivitySeries, unit = 'receipt'): string {
  if (series.total === 0) return `No activity between ${series.from} and ${series.to}.`;
  const peak = series.peak ? `; the busiest day was ${series.peak.day} with ${plural(series.peak.count, unit)}` : '';
  return `${plural(series.total, unit)} on ${plural(series.activeDays, 'day')} between ${series.from} and ${series.to}${peak}.`;
}

export interface ActivityChartOptions {
  /** The last day shown (usually the report's `asOf`). */
  end: Date | string;
  days?: number;
  idPrefix?: string;
  unit?: string;
}


/** Bar chart, one bar per day, with a title, a description and a tooltip per bar. */
export function renderActivityChart(activity: readonly ActivityDay[], options: ActivityChartOptions): SafeHtml {
  const series = buildActivitySeries(activity, options.end, options.days ?? 90);
  const id = options.idPrefix ?? 'activity';
  const unit = options.unit ?? 'receipt';
  // Small enough a viewBox that the 14-unit labels stay at least 11 px on a 390 px phone (358 px of content).
  const width = 420;
  const height = 160;
  const left = 34;
  const right = 8;
  const top = 12;
  const bottom = 28;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.days.map((d) => d.count));
  // A rounded-up axis maximum keeps the gridlines on whole numbers.
  const axisMax = max <= 4 ? max : Math.ceil(max / 4) * 4;
  const step = plotW / series.days.length;
  const barW = Math.max(1, step * 0.72);
  const r1 = (v: number) => (Math.round(v * 10) / 10).toString();

  const grid: string[] = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotH - plotH * fraction;
    const value = Math.round(axisMax * fraction);
    if (fraction === 0.5 && axisMax < 2) continue;
    grid.push(
      `<line x1="${left}" x2="${width - right}" y1="${r1(y)}" y2="${r1(y)}" stroke="${fraction === 0 ? '#8c959f' : '#d8dee4'}" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${r1(y + 4)}" text-anchor="end" font-size="14" fill="#57606a">${value}</text>`,
    );
  }

  const bars = series.days.map((d, i) => {
    const h = d.count === 0 ? 0 : Math.max(2, (plotH * d.count) / axisMax);
    const x = left + i * step + (step - barW) / 2;
    const y = top + plotH - h;
    const label = escapeMarkup(`${d.day}: ${plural(d.count, unit)}`);
    // Empty days still get a hit area so their tooltip can be read.
    return `<rect x="${r1(x)}" y="${r1(h === 0 ? top + plotH - 1 : y)}" width="${r1(barW)}" height="${r1(h === 0 ? 1 : h)}" fill="${d.count === 0 ? '#eaeef2' : '#0b5cad'}"><title>${label}</title></rect>`;
  });

  const ticks: string[] = [];
  const tickEvery = Math.max(1, Math.round(series.days.length / 5));
  series.days.forEach((d, i) => {
    if (i % tickEvery !== 0 && i !== series.days.length - 1) return;
    if (i !== series.days.length - 1 && series.days.length - 1 - i < tickEvery / 2) return;
    const x = left + i * step + step / 2;
    const anchor = i === 0 ? 'start' : i === series.days.length - 1 ? 'end' : 'middle';
    const tx = i === 0 ? left : i === series.days.length - 1 ? width - right : x;
    ticks.push(`<text x="${r1(tx)}" y="${height - 8}" text-anchor="${anchor}" font-size="14" fill="#57606a">${d.day.slice(5)}</text>`);
  });

  const title = `Activity per day, ${series.from} to ${series.to}`;
  const svg =
    `<svg class="chart activity" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif">` +
    `<title id="${id}-title">${escapeMarkup(title)}</title>` +
    `<desc id="${id}-desc">${escapeMarkup(describeActivity(series, unit))}</desc>` +
    grid.join('') +
    `<g class="bars">${bars.join('')}</g>` +
    `<g aria-hidden="true">${ticks.join('')}</g>` +
    `</svg>`;
  return raw(svg);
}
