import { describe, expect, it } from 'vitest';
import { buildActivitySeries, describeActivity, renderActivityChart } from '../../../src/web/pages/activity-chart.ts';
import { DIMENSIONS, formatDimension, plottedValue, renderRadarChart, renderVectorTable } from '../../../src/web/pages/radar-chart.ts';

const VECTOR = { E: 0.9, P: 0.5, B: 1, D: 0.25, R: 0.75, A: -0.2, C: 0 };

describe('radar chart', () => {
  it('draws seven labelled axes, a value shape and a point per dimension, with a title and description', () => {
    const svg = renderRadarChart(VECTOR, { idPrefix: 'r1', title: 'Trust vector of <x>' }).value;
    expect(svg).toMatch(/^<svg class="chart radar"/);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-labelledby="r1-title r1-desc"');
    expect(svg).toContain('<title id="r1-title">Trust vector of &lt;x&gt;</title>');
    expect(svg).toContain('<desc id="r1-desc">E Economic: 0.90; P Productivity: 0.50;');
    expect(svg.match(/<circle /g)).toHaveLength(7);
    expect(svg.match(/<line /g)).toHaveLength(7);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2); // A and C, the penalty axes
    expect(svg.match(/<polygon class="radar-shape"/g)).toHaveLength(1);
    for (const d of DIMENSIONS) expect(svg).toContain(`>${d.key}<tspan`);
  });

  it('draws penalties as 1 + value and clamps everything to its scale', () => {
    const byKey = (key: string) => DIMENSIONS.find((d) => d.key === key)!;
    expect(plottedValue(byKey('A'), VECTOR)).toBeCloseTo(0.8, 10);
    expect(plottedValue(byKey('C'), VECTOR)).toBe(1);
    expect(plottedValue(byKey('E'), { ...VECTOR, E: 3 })).toBe(1);
    expect(plottedValue(byKey('E'), { ...VECTOR, E: -1 })).toBe(0);
    expect(plottedValue(byKey('A'), { ...VECTOR, A: -5 })).toBe(0);
    expect(plottedValue(byKey('P'), { ...VECTOR, P: Number.NaN })).toBe(0);
    expect(plottedValue(byKey('C'), { ...VECTOR, C: Number.NaN })).toBe(1);
    expect(formatDimension(byKey('A'), VECTOR)).toBe('\u22120.20');
    expect(formatDimension(byKey('C'), VECTOR)).toBe('0 (none)');
    expect(formatDimension(byKey('D'), VECTOR)).toBe('0.25');
  });

  it('has a table with the same values as its text equivalent', () => {
    const table = renderVectorTable(VECTOR).value;
    expect(table).toContain('<caption>Trust vector values</caption>');
    expect(table.match(/<th scope="row">/g)).toHaveLength(7);
    expect(table).toContain('<td class="num">0.90</td>');
    expect(table).toContain('<td class="num">\u22120.20</td>');
  });
});

describe('activity chart', () => {
  const activity = [
    { day: '2026-11-30', count: 3 },
    { day: '2026-11-30', count: 1 },
    { day: '2026-09-02', count: 2 },
    { day: '2026-09-01', count: 50 }, // 90 days back is 09-02, so this is outside
    { day: '2026-12-01', count: 9 }, // after the end
    { day: '2026-10-10', count: -4 },
  ];

  it('covers the 90 UTC days ending on the given day, summing duplicates', () => {
    const series = buildActivitySeries(activity, '2026-11-30T23:59:59Z');
    expect(series.days).toHaveLength(90);
    expect(series.from).toBe('2026-09-02');
    expect(series.to).toBe('2026-11-30');
    expect(series.total).toBe(6);
    expect(series.activeDays).toBe(2);
    expect(series.peak).toEqual({ day: '2026-11-30', count: 4 });
    expect(describeActivity(series)).toBe(
      '6 receipts on 2 days between 2026-09-02 and 2026-11-30; the busiest day was 2026-11-30 with 4 receipts.',
    );
    expect(describeActivity(buildActivitySeries([], new Date('2026-11-30T00:00:00Z')))).toBe(
      'No activity between 2026-09-02 and 2026-11-30.',
    );
  });

  it('draws one bar per day, each with a tooltip, plus a title and description', () => {
    const svg = renderActivityChart(activity, { end: '2026-11-30', idPrefix: 'a1' }).value;
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="a1-title">Activity per day, 2026-09-02 to 2026-11-30</title>');
    expect(svg).toContain('<desc id="a1-desc">6 receipts on 2 days');
    expect(svg.match(/<rect /g)).toHaveLength(90);
    expect(svg).toContain('<title>2026-11-30: 4 receipts</title>');
    expect(svg).toContain('<title>2026-10-10: 0 receipts</title>');
  });

  it('rejects an invalid end day rather than reading the clock', () => {
    expect(() => renderActivityChart([], { end: 'not a date' })).toThrow(RangeError);
  });
});
