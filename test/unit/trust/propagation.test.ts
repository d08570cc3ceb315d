// The propagation job: seed rule, densities, determinism, platform weights, and a run at marketplace scale.
import { describe, expect, it } from 'vitest';
import {
  buildAggregates,
  DEFAULT_TRUST_PARAMS,
  emptyPairSums,
  platformWeight,
  propagateCredibility,
  type AgentPlatformRow,
  type PairRow,
  type ReceiptEvidence,
} from '../../../src/trust/engine/index.ts';
import { AS_OF, DAY, daysAgo, P1, P2, receipt, shuffled } from './fixtures.ts';

const X = 'did:key:z6MkCandidate';
const buyer = (i: number) => `did:key:z6MkBuyer${i}`;
const run = (receipts: ReceiptEvidence[]) => {
  const store = buildAggregates(receipts);
  return propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf: AS_OF });
};

/** Five escrow jobs for X from three buyers on two platforms, 30/50/60/70/90 days ago: mean age exactly 60 days. */
function candidate(overrides: { jobs?: number; buyers?: number; platforms?: number; shiftDays?: number } = {}): ReceiptEvidence[] {
  const ages = [30, 50, 60, 70, 90].slice(0, overrides.jobs ?? 5);
  const buyers = overrides.buyers ?? 3;
  const platforms = overrides.platforms ?? 2;
  return ages.map((age, i) => receipt({ subject: X, counterparty: buyer(i % buyers), platform: [P1, P2][i % platforms], at: daysAgo(age - (overrides.shiftDays ?? 0)) }));
}

describe('seed rule', () => {
  it('seeds a DID with ≥ 5 escrow jobs, ≥ 3 escrow counterparties, ≥ 2 platforms and mean age ≥ 60 days', () => {
    expect(run(candidate()).nodes.get(X)!.seed).toBe(true);
    expect(run(candidate({ jobs: 4 })).nodes.get(X)!.seed).toBe(false);
    expect(run(candidate({ buyers: 2 })).nodes.get(X)!.seed).toBe(false);
    // One platform in a deployment where another platform has escrow-verified work: two are required.
    const elsewhere = receipt({ subject: 'did:key:z6MkOther', counterparty: buyer(9), platform: P2, at: daysAgo(10) });
    expect(run([...candidate({ platforms: 1 }), elsewhere]).nodes.get(X)!.seed).toBe(false);
    expect(run(candidate({ shiftDays: 1 })).nodes.get(X)!.seed).toBe(false);
    // Declared (non-escrow) work never counts toward the rule.
    expect(run(candidate().map((r) => ({ ...r, confidence: 'PLATFORM_SIGNED' as const, escrowVerified: false }))).nodes.get(X)!.seed).toBe(false);
  });

  it('a client qualifies the same way through the work it paid for', () => {
    const receipts = [30, 50, 60, 70, 90].map((age, i) => receipt({ subject: `did:key:z6MkWorker${i % 3}`, counterparty: X, platform: [P1, P2][i % 2], at: daysAgo(age) }));
    expect(run(receipts).nodes.get(X)!.seed).toBe(true);
  });
});

describe('densities and credibility', () => {
  it('gives every node density × breadth, breadth from escrow and declared counterparties', () => {
    const receipts = [...candidate(), receipt({ subject: X, counterparty: buyer(7), escrow: false, at: daysAgo(5) })];
    const node = run(receipts).nodes.get(X)!;
    // 3 escrow counterparties + 0.3 × 1 declared-only: breadth = 1 − exp(−3.3 / 2); activity = 1 − exp(−4 / 3).
    expect(node.breadth).toBeCloseTo(1 - Math.exp(-3.3 / 2), 12);
    expect(node.activity).toBeCloseTo(1 - Math.exp(-4 / 3), 12);
    expect(node.credibility).toBeCloseTo(node.density * node.breadth, 12);
    expect(node.density).toBe(1);
  });

  it('a component no seed reaches gets density 0; with no seed at all, every node gets the neutral density', () => {
    const island = [receipt({ subject: 'did:key:z6MkIslandA', counterparty: 'did:key:z6MkIslandB' })];
    const result = run([...candidate(), ...island]);
    expect(result.nodes.get('did:key:z6MkIslandA')!.density).toBe(0);
    const unseeded = run(island);
    expect(unseeded.stats.seeds).toBe(0);
    expect(unseeded.nodes.get('did:key:z6MkIslandA')!.density).toBe(DEFAULT_TRUST_PARAMS.propagation.unseededDensity);
  });

  it('does not depend on the order of the rows', () => {
    const receipts = [...candidate(), ...candidate().map((r) => ({ ...r, subjectDid: 'did:key:z6MkOther', receiptId: r.receiptId + 'o' })), receipt({ subject: 'did:key:z6MkNew', counterparty: buyer(0), at: daysAgo(2) })];
    const store = buildAggregates(receipts);
    const base = propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf: AS_OF });
    for (const seed of [1, 2, 3]) {
      const other = propagateCredibility({ pairs: shuffled([...store.pairs.values()], seed), agentPlatforms: shuffled([...store.agentPlatforms.values()], seed + 9), asOf: AS_OF });
      expect([...other.nodes.entries()].sort()).toEqual([...base.nodes.entries()].sort());
      expect(other.platforms).toEqual(base.platforms);
    }
  });

  it("a platform's credible share is its accepted work weighted by the workers' credibility", () => {
    const result = run([...candidate(), receipt({ subject: 'did:key:z6MkNobody', counterparty: 'did:key:z6MkNobodysClient', platform: P2, at: daysAgo(3) })]);
    // P1 holds three of X's jobs; P2 two of X's and one between strangers the seeds never reach.
    const x = result.nodes.get(X)!.credibility;
    expect(result.platforms.get(P1)!.credibleShare).toBeCloseTo(x, 12);
    expect(result.platforms.get(P2)!.credibleShare).toBeCloseTo((2 * x) / 3, 12);
  });
});

describe('platformWeight', () => {
  const p = DEFAULT_TRUST_PARAMS.platform;
  it('multiplies status, age and inflation factors', () => {
    expect(platformWeight(undefined, p, AS_OF)).toBe(1);
    expect(platformWeight({ status: 'approved', registeredAtMs: daysAgo(400) }, p, AS_OF)).toBe(1);
    expect(platformWeight({ status: 'suspended', registeredAtMs: daysAgo(400) }, p, AS_OF)).toBe(0.1);
    expect(platformWeight({ status: 'pending', registeredAtMs: daysAgo(400) }, p, AS_OF)).toBe(0.5);
    expect(platformWeight({ status: 'approved', registeredAtMs: daysAgo(15) }, p, AS_OF)).toBeCloseTo(0.5, 12);
    expect(platformWeight({ status: 'approved', registeredAtMs: daysAgo(1) }, p, AS_OF)).toBe(0.3);
    expect(platformWeight({ status: 'approved', registeredAtMs: daysAgo(400), credibleShare: 0.15 }, p, AS_OF)).toBeCloseTo(0.5, 12);
    expect(platformWeight({ status: 'approved', registeredAtMs: daysAgo(400), credibleShare: 0 }, p, AS_OF)).toBe(0.1);
    // Without a registration date, the mean age of its evidence stands in.
    const row = { platformDid: P1, receipts: 2, econ: 0, econAccepted: 0, econEscrow: 0, violations: 0, hourSum: 2 * Math.floor((AS_OF - 6 * DAY) / 3_600_000) };
    expect(platformWeight({ row }, p, AS_OF)).toBeCloseTo(0.3, 12);
  });
});

describe('scale', () => {
  it('runs over 10,000 agents and ~550,000 receipts (as pair rows)', () => {
    // 10,000 workers and 15,000 clients; each worker has 14 clients with 1–4 jobs each (≈ 350k accepted jobs),
    // plus the non-economic receipts a marketplace of that size carries, which never become edges.
    const pairs: PairRow[] = [];
    const platforms: AgentPlatformRow[] = [];
    let state = 12345;
    // High bits only: the low bits of a power-of-two LCG repeat quickly.
    const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8;
    const hour = Math.floor(AS_OF / 3_600_000);
    for (let w = 0; w < 10_000; w++) {
      let jobs = 0;
      for (let k = 0; k < 14; k++) {
        const c = next() % 15_000;
        const n = 1 + (next() % 4);
        jobs += n;
        pairs.push({
          subjectDid: `did:key:w${w}`, counterpartyDid: `did:key:c${c}`, ...emptyPairSums(), receipts: n, econAccepted: n, escrowAccepted: n % 2 ? n : 0,
          firstHour: hour - 2000, lastHour: hour - 10, econFirstHour: hour - 2000, econLastHour: hour - 10,
        });
      }
      for (const platformDid of [P1, P2]) {
        platforms.push({ did: `did:key:w${w}`, platformDid, role: 'subject', receipts: jobs, econAccepted: jobs, econNegative: 0, escrowAccepted: jobs >> 1, escrowHourSum: (jobs >> 1) * (hour - 2400) });
      }
    }
    // Its time is measured by `npm run bench:propagation` (tests never assert timings).
    const result = propagateCredibility({ pairs, agentPlatforms: platforms, asOf: AS_OF });
    expect(result.stats.nodes).toBeGreaterThan(24_000);
    expect(result.stats.seeds).toBeGreaterThan(5_000);
  });
});
