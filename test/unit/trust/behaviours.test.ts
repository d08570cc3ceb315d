// One block per required behaviour in design/trust-model.md (1-11), on the pure layer. Expected values are worked
// out from the formulas in docs/trust-model.md with the default parameters.
import { describe, expect, it } from 'vitest';
import {
  agentAggregates,
  applyReceipt,
  buildAggregates,
  computeTrustReport,
  DEFAULT_TRUST_PARAMS,
  isEscrowVerified,
  readWeight,
  revokeReceipt,
  trustParams,
  type ReceiptEvidence,
} from '../../../src/trust/engine/index.ts';
import { AGENT, AS_OF, credible, daysAgo, HOUR, P1, P2, receipt, shuffled, times, trustOf } from './fixtures.ts';

const prm = DEFAULT_TRUST_PARAMS;
const buyer = (i: number) => `did:key:z6MkBuyer${i}`;
/** n accepted $100 escrow jobs from n distinct buyers, one per hour back from AS_OF (no burst). */
const distinctJobs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => receipt({ counterparty: buyer(from + i), at: AS_OF - i * HOUR }));
/** Decay weight of something `hours` old at the 90-day half-life. */
const w = (hours: number) => 2 ** (-hours / (24 * 90));
/** E for total economic mass X (before the 1 − exp): E = 1 − exp(−X / economicScale). */
const eOf = (X: number) => 1 - Math.exp(-X / prm.economicScale);
/** One pair's capped contribution G·(1 − exp(−m/G)). */
const capped = (m: number) => prm.pairCap * (1 - Math.exp(-m / prm.pairCap));

describe('1. signed evidence only (what reaches the pure layer)', () => {
  it('counts escrow only when the receipt was matched to a settlement or an operator import vouches for it', () => {
    expect(isEscrowVerified(receipt({ confidence: 'ESCROW_VERIFIED' }))).toBe(true);
    expect(isEscrowVerified({ confidence: 'IMPORTED', escrowVerified: true })).toBe(true);
    expect(isEscrowVerified({ confidence: 'IMPORTED', escrowVerified: false })).toBe(false);
    // A counterparty or platform signature claiming escrow is not a settlement.
    expect(isEscrowVerified({ confidence: 'COUNTERPARTY_SIGNED', escrowVerified: true })).toBe(false);
    expect(isEscrowVerified({ confidence: 'PLATFORM_SIGNED', escrowVerified: true })).toBe(false);
  });

  it('a revoked receipt leaves the aggregates and the report exactly as if it had never been stored', () => {
    const kept = [...distinctJobs(3), receipt({ counterparty: buyer(9), outcome: 'disputed', category: 'economic.dispute', at: daysAgo(3) })];
    const revoked = receipt({ counterparty: buyer(1), usd: 5000, at: daysAgo(1) });
    const store = buildAggregates(kept);
    applyReceipt(store, revoked, 1);
    revokeReceipt(store, revoked, kept.filter((r) => r.counterpartyDid === buyer(1)));
    const clean = buildAggregates(kept);
    // Decayed (_ep) sums are doubles: adding and subtracting the same term may move the last bit, nothing more.
    const pairsOf = (s: typeof store) => [...s.pairs.values()].sort((a, b) => (a.counterpartyDid < b.counterpartyDid ? -1 : 1));
    const after = pairsOf(store);
    const expected = pairsOf(clean);
    expect(after.length).toBe(expected.length);
    after.forEach((row, i) => {
      const want = expected[i]!;
      for (const [column, value] of Object.entries(row)) {
        const target = (want as unknown as Record<string, unknown>)[column];
        if (typeof value === 'number' && typeof target === 'number') expect(Math.abs(value - target)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(target)));
        else expect(value).toEqual(target);
      }
    });
    expect([...store.hours.values()]).toEqual([...clean.hours.values()]);
    expect([...store.clients.values()]).toEqual([...clean.clients.values()]);
    const read = (s: typeof store) =>
      computeTrustReport({ did: AGENT, aggregates: agentAggregates(s, AGENT), credibility: credible([buyer(0), buyer(1), buyer(2), buyer(9)]), platforms: new Map() }, prm, AS_OF);
    expect(read(store)).toEqual(read(clean));
  });

  it('a receipt naming its own subject as counterparty adds nothing and is flagged', () => {
    const honest = distinctJobs(3);
    const self = times(10, { counterparty: AGENT, usd: 5000 });
    const without = trustOf(honest).report;
    const withSelf = trustOf([...honest, ...self]).report;
    expect(withSelf.vector.E).toBe(without.vector.E);
    expect(withSelf.score).toBeLessThan(without.score);
    expect(withSelf.flags.find((f) => f.code === 'SELF_DEALING')?.severity).toBe('critical');
  });
});

describe('2. outcome-aware', () => {
  const base = distinctJobs(3);
  // good = 1 + w(1) + w(2) (three accepted jobs 0, 1 and 2 hours old, credibility 1); priors 3 and 0.3.
  const good = 1 + w(1) + w(2);
  const B0 = (good + 3) / (good + 3 + 0.3);
  const Bwith = (bad: number) => (good + 3) / (good + bad + 3 + 0.3);

  it('disputed, rejected and refunded work adds no E; disputes lower B more than refunds', () => {
    const before = trustOf(base).report;
    expect(before.vector.B).toBeCloseTo(B0, 4);
    const disputed = trustOf([...base, receipt({ counterparty: buyer(7), category: 'economic.dispute', outcome: 'disputed', usd: 10_000 })]).report;
    const rejected = trustOf([...base, receipt({ counterparty: buyer(7), outcome: 'rejected', usd: 10_000 })]).report;
    const refunded = trustOf([...base, receipt({ counterparty: buyer(7), category: 'economic.refund', outcome: 'rejected', usd: 10_000 })]).report;
    const disputedTx = trustOf([...base, receipt({ counterparty: buyer(7), outcome: 'disputed', usd: 10_000 })]).report;
    for (const r of [disputed, rejected, refunded, disputedTx]) expect(r.vector.E).toBe(before.vector.E);
    // bad = weight(credibility 1) × disputeWeight 2 (dispute) or refundWeight 1 (refund / rejection).
    expect(disputed.vector.B).toBeCloseTo(Bwith(2), 4);
    expect(disputedTx.vector.B).toBeCloseTo(Bwith(2), 4);
    expect(refunded.vector.B).toBeCloseTo(Bwith(1), 4);
    expect(rejected.vector.B).toBeCloseTo(Bwith(1), 4);
    expect(disputed.score).toBeLessThan(refunded.score);
    expect(refunded.score).toBeLessThan(before.score);
  });

  it('a rejected completion is negative evidence, an accepted one is positive', () => {
    const before = trustOf(base).report;
    const done = trustOf([...base, receipt({ counterparty: buyer(0), category: 'productivity.completion', usd: 0 })]).report;
    const rejectedWork = trustOf([...base, receipt({ counterparty: buyer(0), category: 'productivity.completion', outcome: 'rejected', usd: 0 })]).report;
    expect(done.vector.P).toBeGreaterThan(before.vector.P);
    expect(rejectedWork.vector.P).toBe(before.vector.P);
    expect(rejectedWork.vector.B).toBeCloseTo(Bwith(0.5), 4);
  });
});

describe('3. real diminishing returns', () => {
  it('the n-th job with the same counterparty is worth less than the (n−1)-th, and the pair is bounded', () => {
    // $100 escrow: unit = 0.5 + 0.5·log2(2) = 1, so n jobs at AS_OF give pair mass n and X = G·(1 − e^(−n/G)).
    const X: number[] = [0];
    for (let n = 1; n <= 15; n++) {
      const { report, breakdown } = trustOf(times(n, { counterparty: buyer(0) }));
      expect(breakdown.economicMass).toBeCloseTo(capped(n), 12);
      expect(report.vector.E).toBeCloseTo(eOf(capped(n)), 4);
      X.push(breakdown.economicMass);
    }
    for (let n = 2; n <= 15; n++) expect(X[n]! - X[n - 1]!).toBeLessThan(X[n - 1]! - X[n - 2]!);
    const E = X.map(eOf);
    const bound = eOf(prm.pairCap); // 1 − e^(−0.6) ≈ 0.4512: one counterparty can never give more
    expect(E[15]!).toBeLessThan(bound);
    expect(trustOf(times(400, { counterparty: buyer(0) })).report.vector.E).toBeLessThanOrEqual(Math.round(bound * 1e4) / 1e4);
  });

  it('the score grows sub-linearly in the number of jobs and stays below 100', () => {
    const score = (n: number) => trustOf(distinctJobs(n)).report.score;
    const scores = Array.from({ length: 41 }, (_, n) => (n === 0 ? 0 : score(n)));
    for (const n of [2, 4, 8, 16]) expect(scores[2 * n]!).toBeLessThan(2 * scores[n]!);
    // Each extra client adds less than the one before (scores are rounded to 0.1, hence the tolerance).
    for (let n = 2; n <= 40; n++) expect(scores[n]! - scores[n - 1]!).toBeLessThanOrEqual(scores[n - 1]! - scores[n - 2]! + 0.11);
    expect(score(200)).toBeLessThan(100);
  });
});

describe('4. money needs escrow', () => {
  it('a declared amount without settled escrow does not scale E; an escrow-verified one does (log2)', () => {
    const declaredBig = trustOf([receipt({ escrow: false, usd: 10_000 })]);
    const declaredSmall = trustOf([receipt({ escrow: false, usd: 10 })]);
    expect(declaredBig.report.vector).toEqual(declaredSmall.report.vector);
    expect(declaredBig.report.score).toBe(declaredSmall.report.score);
    // declared unit 0.5; escrow unit 0.5 + 0.5·log2(1 + usd/100).
    expect(declaredBig.report.vector.E).toBeCloseTo(eOf(capped(0.5)), 4);
    const escrowBig = trustOf([receipt({ usd: 10_000 })]).report;
    const escrowSmall = trustOf([receipt({ usd: 10 })]).report;
    expect(escrowBig.vector.E).toBeCloseTo(eOf(capped(0.5 + 0.5 * Math.log2(101))), 4);
    expect(escrowSmall.vector.E).toBeCloseTo(eOf(capped(0.5 + 0.5 * Math.log2(1.1))), 4);
    expect(escrowBig.vector.E).toBeGreaterThan(escrowSmall.vector.E);
    expect(declaredBig.report.flags.map((f) => f.code)).toContain('UNVERIFIED_VOLUME');
    // An IMPORTED line without the escrow mark is declared money too.
    const imported = trustOf([receipt({ usd: 10_000, confidence: 'IMPORTED', escrow: false })]).report;
    expect(imported.vector.E).toBe(declaredBig.report.vector.E);
  });
});

describe('5. decay', () => {
  it('a receipt loses half its weight every 90 days, and the half-life is a parameter', () => {
    const old = buildAggregates([receipt({ at: daysAgo(90) })]);
    const pair = [...old.pairs.values()][0]!;
    expect(pair.posMassEp * readWeight(AS_OF, 90, prm.aggregate)).toBeCloseTo(0.5, 12);
    expect(pair.acceptedEp * readWeight(AS_OF, 90, prm.aggregate)).toBeCloseTo(0.5, 12);
    const fast = trustParams({ aggregate: { halfLifeDays: 30 } });
    const fastPair = [...buildAggregates([receipt({ at: daysAgo(90) })], fast).pairs.values()][0]!;
    expect(fastPair.posMassEp * readWeight(AS_OF, 30, fast.aggregate)).toBeCloseTo(0.125, 12);
    // The report reads the same: E of one $100 job 90 days old is E of mass 0.5.
    expect(trustOf([receipt({ at: daysAgo(90) })]).report.vector.E).toBeCloseTo(eOf(capped(0.5)), 4);
    expect(trustOf([receipt({ at: daysAgo(90) })], { params: fast }).report.vector.E).toBeCloseTo(eOf(capped(0.125)), 4);
  });

  it('R tracks recency: old-but-good history is not treated as current', () => {
    const now = trustOf(distinctJobs(5)).report;
    const year = distinctJobs(5).map((r, i) => ({ ...r, occurredAt: daysAgo(360) - i * HOUR }));
    const stale = trustOf(year).report;
    expect(now.vector.R).toBe(1);
    // R = decayed / (what steady work over 360 days would leave): 2^−4 / ((90/ln2)/360 · (1 − 2^−4)) ≈ 0.185.
    const expected = 2 ** -4 / ((90 / Math.LN2 / (360 + 1 / 24)) * (1 - 2 ** (-(360 + 1 / 24) / 90)));
    expect(stale.vector.R).toBeCloseTo(expected, 3);
    expect(stale.flags.map((f) => f.code)).toContain('STALE_HISTORY');
    expect(stale.score).toBeLessThan(now.score);
    expect(stale.vector.E).toBeLessThan(now.vector.E);
  });
});

describe('6. penalties with teeth', () => {
  // A veteran: 40 credible clients, two jobs each over the last 80 days, completions, two platforms.
  const veteran: ReceiptEvidence[] = [];
  for (let i = 0; i < 40; i++) {
    for (const d of [5 + i, 40 + i]) {
      veteran.push(receipt({ counterparty: buyer(i), at: daysAgo(d), usd: 300, platform: i % 2 ? P1 : P2 }));
      veteran.push(receipt({ counterparty: buyer(i), at: daysAgo(d) - HOUR, category: 'productivity.completion', usd: 0, platform: i % 2 ? P1 : P2 }));
    }
  }
  const violation = (d: number) => receipt({ counterparty: P1, platform: P1, category: 'compliance.violation', outcome: 'disputed', usd: 0, at: daysAgo(d), escrow: false });

  it('one recent violation keeps an agent out of tier A; three keep it at D or below', () => {
    const clean = trustOf(veteran).report;
    expect(clean.tier).toBe('A');
    const one = trustOf([...veteran, violation(10)]).report;
    // C = −(1 − exp(−0.5 · 2^(−10/180))) ≈ −0.3817, so even a perfect record tops out at 61.8.
    expect(one.vector.C).toBeCloseTo(-(1 - Math.exp(-0.5 * 2 ** (-10 / 180))), 4);
    expect(one.score).toBeLessThan(80);
    expect(one.flags.find((f) => f.code === 'COMPLIANCE_VIOLATION')?.severity).toBe('critical');
    const three = trustOf([...veteran, violation(10), violation(40), violation(80)]).report;
    expect(three.score).toBeLessThan(40);
    expect(['D', 'F']).toContain(three.tier);
  });

  it('negative evidence weighs more than positive evidence of the same size', () => {
    const base = distinctJobs(5);
    const before = trustOf(base).report.score;
    const both = trustOf([...base, receipt({ counterparty: buyer(20) }), receipt({ counterparty: buyer(21), category: 'economic.dispute', outcome: 'disputed' })]).report.score;
    expect(both).toBeLessThan(before);
    // …and a dispute outweighs a refund of the same value.
    const refund = trustOf([...base, receipt({ counterparty: buyer(20) }), receipt({ counterparty: buyer(21), category: 'economic.refund', outcome: 'rejected' })]).report.score;
    expect(both).toBeLessThan(refund);
  });
});

describe('9. client side too', () => {
  const asClient = (jobs: number, disputes: number) =>
    Array.from({ length: jobs }, (_, i) =>
      receipt({ subject: `did:key:z6MkWorker${i}`, counterparty: AGENT, category: i < disputes ? 'economic.dispute' : 'economic.transaction', outcome: i < disputes ? 'disputed' : 'accepted' }),
    );

  it('counts jobs as client, disputes filed and the dispute rate; restricted at ≥ 40% with ≥ 3 disputes', () => {
    const some = trustOf([...distinctJobs(1), ...asClient(5, 2)]).report;
    expect(some.client).toEqual({ jobsAsClient: 5, disputesFiled: 2, disputeRate: 0.4, restricted: false });
    const restricted = trustOf([...distinctJobs(1), ...asClient(7, 3)]).report;
    expect(restricted.client).toEqual({ jobsAsClient: 7, disputesFiled: 3, disputeRate: 0.4286, restricted: true });
    expect(restricted.flags.map((f) => f.code)).toContain('CLIENT_RESTRICTED');
    const below = trustOf([...distinctJobs(1), ...asClient(8, 3)]).report;
    expect(below.client).toEqual({ jobsAsClient: 8, disputesFiled: 3, disputeRate: 0.375, restricted: false });
  });

  it('a DID that only hires still has client stats (and NO_HISTORY as a worker)', () => {
    const { report } = trustOf(asClient(6, 3));
    expect(report.flags.map((f) => f.code)).toEqual(['NO_HISTORY', 'CLIENT_RESTRICTED']);
    expect(report.client.restricted).toBe(true);
    expect(report.score).toBe(0);
  });
});

describe('10. deterministic', () => {
  it('the same receipts and asOf give the same report in any arrival order', () => {
    const receipts: ReceiptEvidence[] = [
      ...distinctJobs(6),
      ...times(4, { counterparty: buyer(0), at: daysAgo(30), usd: 250 }),
      receipt({ counterparty: buyer(2), category: 'economic.dispute', outcome: 'disputed', at: daysAgo(12) }),
      receipt({ counterparty: buyer(3), category: 'productivity.completion', usd: 0, at: daysAgo(6.5) }),
      receipt({ counterparty: P1, category: 'productivity.application', usd: 0, at: daysAgo(8) }),
      receipt({ counterparty: P2, platform: P2, category: 'compliance.incident', outcome: 'disputed', usd: 0, at: daysAgo(100) }),
      receipt({ subject: buyer(4), counterparty: AGENT, at: daysAgo(3) }),
      ...times(8, { counterparty: 'did:key:z6MkFresh', at: daysAgo(2) + 10 * 60_000, usd: 3 }),
    ];
    const first = trustOf(receipts, { credibility: 'propagate' }).report;
    for (const seed of [1, 2, 3, 42, 2026]) {
      expect(trustOf(shuffled(receipts, seed), { credibility: 'propagate' }).report).toEqual(first);
    }
  });
});

describe('11. fast reads', () => {
  it('aggregates do not grow with the number of receipts for one pair in one hour', () => {
    const rows = (n: number) => {
      const store = buildAggregates(times(n, { counterparty: buyer(0), at: AS_OF - 30 * 60_000 }));
      const aggregates = agentAggregates(store, AGENT);
      return { pairs: aggregates.pairs.length, buckets: aggregates.buckets.length, platforms: aggregates.platforms.length, clients: store.clients.size, aggregates };
    };
    const ten = rows(10);
    const many = rows(1000);
    expect({ ...many, aggregates: undefined }).toEqual({ ...ten, aggregates: undefined });
    expect(ten.pairs + ten.buckets + ten.platforms).toBe(3);
    // The report reads only those rows; 1000 jobs from one client saturate at the pair cap.
    const report = computeTrustReport({ did: AGENT, aggregates: many.aggregates, credibility: credible([buyer(0)]), platforms: new Map() }, prm, AS_OF);
    expect(report.windows.d7.tasks).toBe(1000);
    expect(report.vector.E).toBeCloseTo(eOf(prm.pairCap), 4);
  });
});
