// Window stats, window boundaries, the report's shape, the explanation and asOf handling.
import { describe, expect, it } from 'vitest';
import { computeTrust, windowBounds, windowStats } from '../../../src/trust/engine/engine.ts';
import { orderAggregates } from '../../../src/trust/engine/evidence.ts';
import { tierOf, trustParams } from '../../../src/trust/engine/index.ts';
import { AGENT, AS_OF, DAY, daysAgo, HOUR, P1, receipt, shuffled, trustOf } from './fixtures.ts';

const A = 'did:key:z6MkClientA';
const B = 'did:key:z6MkClientB';
const C = 'did:key:z6MkClientC';
const D = 'did:key:z6MkClientD';

describe('window boundaries (hour buckets)', () => {
  it('a receipt 6.9 days old is in d7, one 7.1 days old is not (and the same at 30 and 90 days)', () => {
    const { report } = trustOf([
      receipt({ counterparty: A, at: daysAgo(6.9) }),
      receipt({ counterparty: B, at: daysAgo(7.1) }),
      receipt({ counterparty: C, at: daysAgo(29.9) }),
      receipt({ counterparty: D, at: daysAgo(30.1) }),
      receipt({ counterparty: 'did:key:z6MkClientE', at: daysAgo(89.9) }),
      receipt({ counterparty: 'did:key:z6MkClientF', at: daysAgo(90.1) }),
    ]);
    expect([report.windows.d7.tasks, report.windows.d30.tasks, report.windows.d90.tasks, report.windows.lifetime.tasks]).toEqual([1, 3, 5, 6]);
    expect([report.windows.d7.uniqueCounterparties, report.windows.d30.uniqueCounterparties, report.windows.d90.uniqueCounterparties]).toEqual([1, 3, 5]);
  });

  it('the precision is one hour: the boundary hour is included whole', () => {
    // asOf at 12:00; d7 starts in hour 12:00 seven days earlier. 12:10 that day is in, 11:50 is not.
    const asOf = AS_OF + 12 * HOUR;
    const { report } = trustOf([receipt({ counterparty: A, at: asOf - 7 * DAY + 10 * 60_000 }), receipt({ counterparty: B, at: asOf - 7 * DAY - 10 * 60_000 })], { asOf });
    expect(report.windows.d7.tasks).toBe(1);
  });
});

describe('window stats', () => {
  const receipts = [
    receipt({ counterparty: A, usd: 100, at: daysAgo(1) }),
    receipt({ counterparty: B, usd: 300, at: daysAgo(2) }),
    receipt({ counterparty: C, usd: 50, escrow: false, category: 'economic.dispute', outcome: 'disputed', at: daysAgo(3) }),
    receipt({ counterparty: A, usd: 80, category: 'economic.refund', outcome: 'rejected', at: daysAgo(4) }),
    receipt({ counterparty: P1, usd: 0, escrow: false, category: 'social.post', at: daysAgo(2) }),
    receipt({ counterparty: P1, usd: 0, escrow: false, category: 'productivity.application', at: daysAgo(5) }),
    receipt({ counterparty: D, usd: 1000, escrow: false, at: daysAgo(200) }),
  ];

  it('counts economic work only; rates, volume, average and escrow share follow from the counts', () => {
    const { report } = trustOf(receipts);
    expect(report.windows.d7).toEqual({
      tasks: 4, accepted: 2, disputed: 1, refunded: 1, acceptedRate: 0.5, disputeRate: 0.25, volumeUsd: 400, avgValueUsd: 200,
      uniqueCounterparties: 3, escrowVerifiedShare: 0.75, verifiedVolumeUsd: 400,
    });
    expect(report.windows.lifetime).toEqual({
      tasks: 5, accepted: 3, disputed: 1, refunded: 1, acceptedRate: 0.6, disputeRate: 0.2, volumeUsd: 1400, avgValueUsd: 466.67,
      uniqueCounterparties: 4, escrowVerifiedShare: 0.6, verifiedVolumeUsd: 400,
    });
    expect(report.windows.d90).toEqual(report.windows.d7);
  });

  it('reading as of an earlier time drops later buckets and later pairs, and says when a pair holds later receipts', () => {
    const { report } = trustOf(receipts, { asOf: daysAgo(2.5) });
    expect(report.windows.d7).toMatchObject({ tasks: 2, disputed: 1, refunded: 1, accepted: 0 });
    // Pair A holds an accepted job after asOf (its refund is before): the lifetime row cannot split it.
    expect(report.flags.map((f) => f.code)).toContain('LATER_EVIDENCE_INCLUDED');
    const now = trustOf(receipts).report;
    expect(now.flags.map((f) => f.code)).not.toContain('LATER_EVIDENCE_INCLUDED');
  });
});

describe('report shape', () => {
  it('an unknown DID gets tier F, confidence 0, score 0 and NO_HISTORY', () => {
    const { report } = trustOf([receipt({ subject: 'did:key:z6MkSomeoneElse' })]);
    expect(report).toMatchObject({ did: AGENT, score: 0, tier: 'F', confidence: 0, explanation: [], asOf: new Date(AS_OF).toISOString() });
    expect(report.flags).toEqual([{ code: 'NO_HISTORY', severity: 'info', detail: expect.any(String) }]);
    expect(report.vector).toEqual({ E: 0, P: 0, B: 0, D: 0, R: 0, A: 0, C: 0 });
    expect(report.windows.lifetime.tasks).toBe(0);
  });

  it('tiers: A ≥ 80, B ≥ 60, C ≥ 40, D ≥ 20, F below', () => {
    expect([100, 80, 79.99, 60, 59.99, 40, 39.99, 20, 19.99, 0].map(tierOf)).toEqual(['A', 'A', 'B', 'B', 'C', 'C', 'D', 'D', 'F', 'F']);
  });

  it('vector dimensions stay on their scales and the explanation adds up to the score', () => {
    const receipts = [
      ...Array.from({ length: 8 }, (_, i) => receipt({ counterparty: `did:key:z6MkC${i}`, at: daysAgo(i * 9) - i * HOUR })),
      receipt({ counterparty: A, category: 'economic.dispute', outcome: 'disputed', at: daysAgo(3) }),
      receipt({ counterparty: P1, category: 'compliance.incident', outcome: 'disputed', usd: 0, escrow: false, at: daysAgo(20) }),
      ...Array.from({ length: 12 }, () => receipt({ counterparty: B, at: daysAgo(1) })),
    ];
    const { report } = trustOf(receipts);
    const v = report.vector;
    for (const k of ['E', 'P', 'B', 'D', 'R'] as const) {
      expect(v[k]).toBeGreaterThanOrEqual(0);
      expect(v[k]).toBeLessThanOrEqual(1);
    }
    // Twelve jobs from client B in one hour: a burst and a concentrated counterparty; an incident: compliance.
    expect(v.A).toBeLessThan(0);
    expect(v.A).toBeGreaterThanOrEqual(-1);
    expect(v.C).toBeLessThan(0);
    expect(v.C).toBeGreaterThanOrEqual(-1);
    // The default report lists the six largest contributions, largest first.
    expect(report.explanation.length).toBe(6);
    const magnitudes = report.explanation.map((item) => Math.abs(item.points));
    expect(magnitudes).toEqual([...magnitudes].sort((x, y) => y - x));
  });

  it('with every factor listed, the explanation sums exactly to the score', () => {
    const params = trustParams({ explanationSize: 8 });
    const receipts = [
      ...Array.from({ length: 5 }, (_, i) => receipt({ counterparty: `did:key:z6MkC${i}`, at: daysAgo(i * 20) - i * HOUR })),
      receipt({ counterparty: A, category: 'economic.dispute', outcome: 'disputed', at: daysAgo(3) }),
      receipt({ counterparty: P1, category: 'compliance.violation', outcome: 'disputed', usd: 0, escrow: false, at: daysAgo(20) }),
      receipt({ counterparty: A, category: 'productivity.completion', usd: 0, at: daysAgo(3) }),
    ];
    const { report } = trustOf(receipts, { params });
    const total = report.explanation.reduce((sum, item) => sum + item.points, 0);
    expect(Math.abs(total - report.score)).toBeLessThanOrEqual(0.05);
    expect(report.explanation.find((item) => item.factor === 'C')!.points).toBeLessThan(0);
    expect(report.explanation.find((item) => item.factor === 'E')!.points).toBeGreaterThan(0);
  });
});

describe('aggregates ordered once (orderAggregates)', () => {
  const receipts = [
    ...['did:key:z6MkZed', 'did:key:z6MkAda', 'did:key:z6MkMia', 'did:key:z6MkBo'].flatMap((counterparty, i) => [
      receipt({ counterparty, usd: 40 + i, at: daysAgo(1 + i) }),
      receipt({ counterparty, usd: 7 * i, at: daysAgo(20 + 9 * i), category: i % 2 ? 'economic.dispute' : 'economic.transaction', outcome: i % 2 ? 'disputed' : 'accepted' }),
    ]),
    receipt({ counterparty: P1, usd: 0, escrow: false, category: 'productivity.completion', at: daysAgo(3) }),
    // A counterparty whose first receipt comes after the earlier asOf below.
    receipt({ counterparty: 'did:key:z6MkLate', usd: 90, at: daysAgo(2) }),
  ];

  it('reports the same from rows in any order, ordered once or on every report, at any asOf', () => {
    const { aggregates, credibility } = trustOf(receipts);
    const platforms = new Map();
    const scrambled = (seed: number) => ({
      ...aggregates,
      pairs: shuffled(aggregates.pairs, seed),
      buckets: shuffled(aggregates.buckets, seed + 1),
      platforms: shuffled(aggregates.platforms, seed + 2),
    });
    const ordered = orderAggregates(scrambled(5));
    for (const asOf of [AS_OF, AS_OF - 10 * DAY]) {
      const expected = computeTrust({ did: AGENT, aggregates: scrambled(1), credibility, platforms }, trustParams(), asOf).report;
      for (const seed of [2, 3]) expect(computeTrust({ did: AGENT, aggregates: scrambled(seed), credibility, platforms }, trustParams(), asOf).report).toEqual(expected);
      expect(computeTrust({ did: AGENT, aggregates: ordered, credibility, platforms }, trustParams(), asOf).report).toEqual(expected);
    }
    // Ten days back, the late counterparty is not there yet.
    const at = (asOf: number) => computeTrust({ did: AGENT, aggregates: ordered, credibility, platforms }, trustParams(), asOf).report;
    expect([at(AS_OF).windows.lifetime.uniqueCounterparties, at(AS_OF - 10 * DAY).windows.lifetime.uniqueCounterparties]).toEqual([5, 4]);
  });

  it('windows depend on asOf only through windowBounds, and given windows are used as they are', () => {
    const { aggregates, credibility } = trustOf(receipts);
    const platforms = new Map();
    const ordered = orderAggregates(aggregates);
    const params = trustParams();
    const report = (asOf: number, windows?: ReturnType<typeof windowStats>) =>
      computeTrust({ did: AGENT, aggregates: ordered, credibility, platforms, ...(windows ? { windows } : {}) }, params, asOf).report;
    // Instants in one hour share bounds and windows; an instant whose bounds differ can have other windows.
    const start = AS_OF + 5 * HOUR;
    expect(windowBounds(params, start + 59 * 60_000)).toEqual(windowBounds(params, start));
    expect(windowStats(ordered, params, start + 59 * 60_000, AGENT)).toEqual(windowStats(ordered, params, start, AGENT));
    expect(windowBounds(params, start + HOUR)).not.toEqual(windowBounds(params, start));
    const later = AS_OF + 6 * DAY;
    expect(windowStats(ordered, params, later, AGENT)).not.toEqual(windowStats(ordered, params, AS_OF, AGENT));
    // Handing the engine the windows it would compute changes nothing; the engine does not recompute given ones.
    for (const asOf of [AS_OF, later]) expect(report(asOf, windowStats(ordered, params, asOf, AGENT))).toEqual(report(asOf));
    expect(report(later, windowStats(ordered, params, AS_OF, AGENT)).windows).toEqual(report(AS_OF).windows);
  });

  it('returns frozen arrays in key order, and the same object when given its own result', () => {
    const { aggregates } = trustOf(receipts);
    const ordered = orderAggregates({ ...aggregates, pairs: shuffled(aggregates.pairs, 4), buckets: shuffled(aggregates.buckets, 4) });
    expect(ordered.pairs.map((pair) => pair.counterpartyDid)).toEqual(ordered.pairs.map((pair) => pair.counterpartyDid).sort());
    expect(ordered.buckets.map((bucket) => bucket.hour)).toEqual(ordered.buckets.map((bucket) => bucket.hour).sort((x, y) => x - y));
    expect(Object.isFrozen(ordered) && Object.isFrozen(ordered.pairs) && Object.isFrozen(ordered.buckets)).toBe(true);
    expect(orderAggregates(ordered)).toBe(ordered);
    expect(() => ordered.pairs.push(ordered.pairs[0]!)).toThrow(TypeError);
  });
});
