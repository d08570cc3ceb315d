// Behaviour 12 (fair raters): negative evidence weighs by its source's fairness as a rater; an abusive client's
// own report shows it; an agent that really is bad still falls. Credibility and fairness come from a propagation
// run over a small hand-made marketplace (market.ts), and every "with/without" compares the same DID.
import { describe, expect, it } from 'vitest';
import { checkTrust, fairnessOf, poissonTail, raterFairness, trustParams, type ReceiptEvidence } from '../../../src/trust/engine/index.ts';
import { AS_OF, DAY, daysAgo, HOUR, marketTrust, P1, P2, receipt, shuffled } from './fixtures.ts';
import { client, market, worker } from './market.ts';

const m = market();
const honest = m.honest;
const ABUSER = 'did:key:z6MkAbuser';
const BAD = 'did:key:z6MkReallyBad';
const VICTIMS = [0, 1, 2, 3, 4].map(worker);
/** Fairness switched off: every client's disputes count as they did before rater fairness existed. */
const UNWEIGHTED = trustParams({ fairness: { tolerance: 1e9, restrictedFairness: 1 } });

/** The abuser works honestly for three core clients (so it has a good score of its own)… */
const abuserWork: ReceiptEvidence[] = [0, 1, 2].flatMap((j, n) => [
  receipt({ subject: ABUSER, counterparty: client(j), platform: [P1, P2][n % 2], usd: 200, at: daysAgo(30 + 40 * n) }),
  receipt({ subject: ABUSER, counterparty: client(j), platform: [P1, P2][n % 2], category: 'productivity.completion', usd: 0, at: daysAgo(30 + 40 * n) - HOUR }),
]);
/** …pays worker 5 for one job without complaint, then hires five honest workers and disputes two small jobs each. */
const abuserAccepted = [receipt({ subject: worker(5), counterparty: ABUSER, platform: P1, usd: 80, at: daysAgo(50) })];
const abuserDisputes: ReceiptEvidence[] = VICTIMS.flatMap((victim, i) =>
  [0, 1].map((n) => receipt({ subject: victim, counterparty: ABUSER, platform: [P1, P2][(i + n) % 2], category: 'economic.dispute', outcome: 'disputed', usd: 40, at: daysAgo(3 + 7 * i + 2 * n) })),
);

describe('12. fair raters: one abusive client', () => {
  const withAbuse = marketTrust([...honest, ...abuserWork, ...abuserAccepted, ...abuserDisputes]);
  const without = marketTrust([...honest, ...abuserWork, ...abuserAccepted]);
  const unweighted = marketTrust([...honest, ...abuserWork, ...abuserAccepted, ...abuserDisputes], { params: UNWEIGHTED });

  it('leaves each of its five victims within 10% of the score it has without those disputes', () => {
    for (const victim of VICTIMS) {
      const score = withAbuse.report(victim).score;
      const clean = without.report(victim).score;
      expect(score).toBeGreaterThanOrEqual(0.9 * clean);
      expect(score).toBeLessThanOrEqual(clean);
    }
  });

  it('the same disputes weighed at full fairness would sink the victims (so the test above measures something)', () => {
    const drops = VICTIMS.map((victim) => unweighted.report(victim).score / without.report(victim).score);
    expect(Math.max(...drops)).toBeLessThan(0.85);
  });

  it('gives the abuser a low fairness with its evidence: ten negatives against five agents, almost none explained', () => {
    const node = withAbuse.node(ABUSER)!;
    expect(node.raterNegatives!).toBeGreaterThan(9);
    expect(node.raterAgents).toBe(5);
    expect(node.raterExpected!).toBeLessThan(1);
    expect(node.fairness!).toBeLessThan(0.01);
    // Its disputes were the only negatives in the market: every core client stays fully fair.
    for (let j = 0; j < 8; j++) expect(withAbuse.node(client(j))!.fairness ?? 1).toBe(1);
  });

  it("flags the abuser in its own report and costs its composite score; checkTrust can reject on it", () => {
    const report = withAbuse.report(ABUSER);
    const flag = report.flags.find((f) => f.code === 'ABUSIVE_CLIENT');
    expect(flag?.severity).toBe('critical');
    expect(flag?.detail).toMatch(/against 5 agents/);
    const clean = without.report(ABUSER);
    expect(clean.flags.map((f) => f.code)).not.toContain('ABUSIVE_CLIENT');
    // The full penalty (abusiveMax 0.6) joins the anomaly product: 40% of the score is left.
    expect(report.vector.A).toBeLessThanOrEqual(-0.6);
    expect(report.score).toBeCloseTo(clean.score * 0.4, 0);
    const decision = checkTrust(report, { rejectAbusiveClient: true });
    expect(decision.allowed).toBe(false);
    expect(decision.failures.map((f) => f.rule)).toEqual(['rejectAbusiveClient']);
    expect(checkTrust(report, { rejectFlags: ['ABUSIVE_CLIENT'] }).allowed).toBe(false);
    expect(checkTrust(clean, { rejectAbusiveClient: true }).allowed).toBe(true);
  });

  it("says in the victim's report and in checkTrust's reasons that disputes were discounted because of who filed them", () => {
    const report = withAbuse.report(VICTIMS[0]!);
    const note = report.flags.find((f) => f.code === 'DISPUTES_DISCOUNTED');
    expect(note?.severity).toBe('info');
    expect(note?.detail).toMatch(/^2 of 2 disputes, refunds and rejections were discounted because of who filed them/);
    const decision = checkTrust(report, { minScore: 0 });
    expect(decision.allowed).toBe(true);
    expect(decision.failures).toEqual([]);
    expect(decision.reasons).toEqual([`note: ${note!.detail}`]);
    expect(without.report(VICTIMS[0]!).flags.map((f) => f.code)).not.toContain('DISPUTES_DISCOUNTED');
  });

  it('recovers when the abuse stops: two years later its decayed disputes are less than one, never judged', () => {
    const later = AS_OF + 730 * DAY;
    const node = marketTrust([...honest, ...abuserWork, ...abuserAccepted, ...abuserDisputes], { asOf: later }).node(ABUSER)!;
    expect(node.raterNegatives!).toBeLessThan(1);
    expect(node.fairness).toBe(1);
  });

  it('does not depend on the order the rows arrive in', () => {
    const receipts = [...honest, ...abuserWork, ...abuserAccepted, ...abuserDisputes];
    const again = marketTrust(shuffled(receipts, 7));
    for (const did of [ABUSER, ...VICTIMS]) expect(again.report(did)).toEqual(withAbuse.report(did));
  });
});

describe('12. fair raters: ordinary and real disputes keep their weight', () => {
  it('a normal client with an ordinary dispute now and then is not flagged and its dispute counts in full', () => {
    // Client 2 hired workers 1, 2 and 7 (twice each, accepted); now one more job with worker 2 is disputed.
    const dispute = receipt({ subject: worker(2), counterparty: client(2), platform: P1, category: 'economic.dispute', outcome: 'disputed', usd: 150, at: daysAgo(4) });
    const withDispute = marketTrust([...honest, dispute]);
    const node = withDispute.node(client(2))!;
    expect(node.raterNegatives).toBeCloseTo(1, 1);
    expect(node.fairness).toBe(1);
    expect(withDispute.report(client(2)).flags.map((f) => f.code)).not.toContain('ABUSIVE_CLIENT');
    const victim = withDispute.report(worker(2));
    expect(victim.flags.map((f) => f.code)).not.toContain('DISPUTES_DISCOUNTED');
    expect(victim.score).toBeLessThan(marketTrust(honest).report(worker(2)).score - 1);
    // Exactly what the same dispute costs with fairness switched off.
    expect(victim).toEqual(marketTrust([...honest, dispute], { params: UNWEIGHTED }).report(worker(2)));
  });

  it('an agent that really is bad, disputed by many independent clients, still falls as far as before', () => {
    // Six core clients each hire BAD twice: one job accepted, one disputed.
    const bad = [0, 1, 2, 3, 4, 5].flatMap((j) => [
      receipt({ subject: BAD, counterparty: client(j), platform: P1, usd: 120, at: daysAgo(20 + 9 * j) }),
      receipt({ subject: BAD, counterparty: client(j), platform: P2, category: 'economic.dispute', outcome: 'disputed', usd: 120, at: daysAgo(15 + 9 * j) }),
    ]);
    const weighted = marketTrust([...honest, ...bad]);
    for (let j = 0; j < 6; j++) expect(weighted.node(client(j))!.fairness).toBe(1);
    const report = weighted.report(BAD);
    expect(report).toEqual(marketTrust([...honest, ...bad], { params: UNWEIGHTED }).report(BAD));
    expect(report.score).toBeLessThan(0.6 * weighted.report(worker(0)).score);
    expect(report.flags.map((f) => f.code)).not.toContain('DISPUTES_DISCOUNTED');
  });

  it('a ring of fresh clients each disputing a little cannot sink the agents their credible clients are happy with', () => {
    // Five fresh DIDs with no accepted work anywhere each dispute workers 0, 1 and 2 once.
    const ring = [0, 1, 2, 3, 4].flatMap((c) =>
      [0, 1, 2].map((w) => receipt({ subject: worker(w), counterparty: `did:key:z6MkRingClient${c}`, platform: P1, category: 'economic.dispute', outcome: 'disputed', usd: 30, at: daysAgo(2 + c + w / 10) })),
    );
    const weighted = marketTrust([...honest, ...ring]);
    const unweighted = marketTrust([...honest, ...ring], { params: UNWEIGHTED });
    const clean = marketTrust(honest);
    for (let w = 0; w < 3; w++) {
      expect(weighted.node(`did:key:z6MkRingClient${w}`)!.fairness!).toBeLessThan(0.3);
      const kept = weighted.report(worker(w)).score / clean.report(worker(w)).score;
      expect(kept).toBeGreaterThan(0.85);
      expect(unweighted.report(worker(w)).score / clean.report(worker(w)).score).toBeLessThan(kept - 0.1);
    }
  });
});

describe('12. fair raters: a crowd of unknown clients is judged together', () => {
  it('eight fresh clients, each with one paid job and one dispute (within chance one by one), cannot sink the agents they hit', () => {
    const crowd = Array.from({ length: 8 }, (_, c) => {
      const did = `did:key:z6MkCrowd${c}`;
      return [
        receipt({ subject: worker(c % 3), counterparty: did, platform: P1, usd: 30, at: daysAgo(6 + c) }),
        receipt({ subject: worker((c + 1) % 3), counterparty: did, platform: P1, category: 'economic.dispute', outcome: 'disputed', usd: 30, at: daysAgo(2 + c / 3) }),
      ];
    }).flat();
    const pooled = marketTrust([...honest, ...crowd]);
    const unpooled = marketTrust([...honest, ...crowd], { params: trustParams({ fairness: { poolMinWitness: 1e9 } }) });
    // Each agent drew two or three disputes from the crowd: beyond chance for its unknown clients together.
    for (let c = 0; c < 8; c++) expect(pooled.node(`did:key:z6MkCrowd${c}`)!.fairness!).toBeLessThan(0.5);
    for (let c = 0; c < 8; c++) expect(unpooled.node(`did:key:z6MkCrowd${c}`)!.fairness ?? 1).toBe(1);
    const clean = marketTrust([...honest, ...crowd.filter((r) => r.outcome === 'accepted')]);
    // Agents 1 and 2 drew three disputes each and keep their standing; agent 0 drew two, which still cost a thin
    // history something, but less than at full weight.
    for (const w of [1, 2]) {
      expect(pooled.report(worker(w)).score).toBeGreaterThanOrEqual(0.9 * clean.report(worker(w)).score);
      expect(unpooled.report(worker(w)).score).toBeLessThan(0.85 * clean.report(worker(w)).score);
    }
    expect(pooled.report(worker(0)).score).toBeGreaterThan(unpooled.report(worker(0)).score + 5);
  });
});

describe('12. the fairness formula', () => {
  const params = trustParams();

  it('is the Poisson tail of the negatives over 5%: within chance 1, beyond it falling several-fold per negative', () => {
    // P(X ≥ 1 | mean 0.5) = 1 − e^−0.5; P(X ≥ 3 | 0.5) = 1 − e^−0.5 (1 + 0.5 + 0.125).
    expect(poissonTail(1, 0.5)).toBeCloseTo(1 - Math.exp(-0.5), 12);
    expect(poissonTail(3, 0.5)).toBeCloseTo(1 - Math.exp(-0.5) * 1.625, 12);
    expect(poissonTail(12, 9)).toBeCloseTo(0.19699, 4);
    expect(poissonTail(0, 1)).toBe(1);
    // A credible client expected to file 0.5 (+ 0.25 tolerance): two negatives are within chance, five are not.
    expect(fairnessOf(2, 0.5, false, params)).toBe(1);
    expect(fairnessOf(3, 0.5, false, params)).toBeCloseTo(poissonTail(3, 0.75) / 0.05, 12);
    expect(fairnessOf(5, 0.5, false, params)).toBeLessThan(0.05);
    // The same two disputes from a DID no propagation reaches (a sliver of the tolerance) count less.
    expect(fairnessOf(2, 0.01, false, params, 0.1)).toBeCloseTo(poissonTail(2, 0.035) / 0.05, 12);
    // One dispute's worth (decayed) is never judged.
    expect(fairnessOf(1, 0, false, params, 0)).toBe(1);
    expect(fairnessOf(0, 0, true, params)).toBe(1);
  });

  it('caps a client restricted under the marketplace rule at 0.5, unless the other clients explain its disputes', () => {
    expect(fairnessOf(2, 1, false, params)).toBe(1);
    expect(fairnessOf(2, 1, true, params)).toBe(0.5);
    expect(fairnessOf(4, 3.6, true, params)).toBeCloseTo(0.9, 12);
  });

  it('judges a client only by agents it rated, never by platforms acting as themselves', () => {
    const receipts = [
      ...honest,
      receipt({ subject: worker(0), counterparty: P1, platform: P1, category: 'compliance.violation', outcome: 'disputed', usd: 0, escrow: false, at: daysAgo(3) }),
    ];
    const store = marketTrust(receipts).store;
    const fairness = raterFairness({ pairs: store.pairs.values(), platformDids: new Set([P1, P2]), credibility: () => 1, counterparties: () => 3, asOf: AS_OF }, params);
    expect(fairness.has(P1)).toBe(false);
  });
});
