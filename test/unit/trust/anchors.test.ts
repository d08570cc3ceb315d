// Behaviour 13 (anchors and cold start): operator-named anchors seed propagation, the seed rule asks for no more
// platforms than the deployment has, and a platform's identity verification of a client amplifies its breadth.
import { describe, expect, it } from 'vitest';
import { type ReceiptEvidence } from '../../../src/trust/engine/index.ts';
import { daysAgo, HOUR, marketTrust, P1, P2, receipt } from './fixtures.ts';

const AGENT = 'did:key:z6MkWalkthroughAgent';
const BUYER = 'did:key:z6MkWalkthroughBuyer';
const NOBODY = 'did:key:z6MkOnlyApplied';

/** The walkthrough: one escrow-verified $500 job, half an hour ago, for a buyer new to the deployment. */
const walkthrough: ReceiptEvidence[] = [receipt({ subject: AGENT, counterparty: BUYER, usd: 500, at: daysAgo(0) - HOUR / 2 })];
const verification = receipt({ subject: BUYER, counterparty: P1, platform: P1, category: 'identity.verification', usd: 0, escrow: false, at: daysAgo(1) });
const application = receipt({ subject: NOBODY, counterparty: P1, platform: P1, category: 'productivity.application', usd: 0, escrow: false, at: daysAgo(1) });

describe('13. cold start: one job on a fresh deployment', () => {
  it('an unverified, unanchored new buyer weighs little: the job is nearly worth nothing', () => {
    const { report, node } = marketTrust([...walkthrough, application]);
    // No seed anywhere: every node gets the neutral density 0.5; one counterparty gives breadth 1 − e^−½.
    expect(node(BUYER)!.credibility).toBeCloseTo(0.5 * (1 - Math.exp(-0.5)), 12);
    expect(report(AGENT).vector.E).toBeLessThan(0.05);
  });

  it('a buyer an approved platform verified counts in full, so E, D and confidence are above zero and the score above no work', () => {
    const { report, node } = marketTrust([...walkthrough, verification, application]);
    // The verification counts as one more escrow counterparty toward breadth: 0.5 × (1 − e^−1) = 0.316 ≥ 0.3.
    expect(node(BUYER)!.credibility).toBeCloseTo(0.5 * (1 - Math.exp(-1)), 12);
    const agent = report(AGENT);
    expect(agent.vector.E).toBeGreaterThan(0.1);
    expect(agent.vector.D).toBeGreaterThan(0.05);
    expect(agent.confidence).toBeGreaterThan(0.05);
    const unverified = marketTrust([...walkthrough, application]).report(AGENT);
    expect(agent.score).toBeGreaterThan(unverified.score + 3);
    expect(agent.confidence).toBeGreaterThan(2 * unverified.confidence);
  });

  it('an anchored buyer seeds propagation: full credibility, and the job counts as from an established client', () => {
    const { report, node, propagation } = marketTrust([...walkthrough, application], { anchors: [BUYER] });
    expect(node(BUYER)).toMatchObject({ seed: true, anchor: true, density: 1, breadth: 1, credibility: 1 });
    expect(propagation.stats.anchors).toBe(1);
    const agent = report(AGENT);
    expect(agent.vector.E).toBeGreaterThan(0.3);
    expect(agent.confidence).toBeGreaterThan(0.15);
    expect(agent.tier).not.toBe('F');
  });
});

describe('13. anchors', () => {
  // An established two-platform market elsewhere holds the only observable seeds; X is a worker only the anchor hired.
  const established = [0, 1, 2, 3, 4].flatMap((i) =>
    [0, 1, 2, 3, 4, 5].map((j) => receipt({ subject: `did:key:z6MkOld${i}`, counterparty: `did:key:z6MkOldClient${(i + j) % 5}`, platform: [P1, P2][j % 2], usd: 200, at: daysAgo(70 + 10 * j + i) })),
  );
  const ANCHOR = 'did:key:z6MkAnchoredClient';
  const X = 'did:key:z6MkHiredByAnchor';
  const Y = 'did:key:z6MkHiredByX';
  const island = [
    receipt({ subject: X, counterparty: ANCHOR, usd: 300, at: daysAgo(10) }),
    receipt({ subject: X, counterparty: ANCHOR, usd: 300, at: daysAgo(9) }),
    receipt({ subject: Y, counterparty: X, usd: 300, at: daysAgo(5) }),
  ];

  it('make their counterparties credible, and removing the anchor takes that away at the next propagation', () => {
    const anchored = marketTrust([...established, ...island], { anchors: [ANCHOR] });
    expect(anchored.node(ANCHOR)!.seed).toBe(true);
    expect(anchored.node(X)!.density).toBeGreaterThan(0.5);
    expect(anchored.node(X)!.credibility).toBeGreaterThan(0.3);
    const yWith = anchored.report(Y);
    const removed = marketTrust([...established, ...island]);
    // Without the anchor the island is unreached by the observable seeds.
    expect(removed.node(ANCHOR)!.seed).toBe(false);
    expect(removed.node(X)!.credibility).toBe(0);
    expect(removed.report(Y).vector.E).toBe(0);
    expect(yWith.vector.E).toBeGreaterThan(0.1);
    expect(yWith.score).toBeGreaterThan(removed.report(Y).score);
  });

  it('an anchor absent from the graph of accepted work changes nothing', () => {
    const a = marketTrust([...established, ...island], { anchors: ['did:key:z6MkNeverWorked'] });
    expect(a.propagation.stats.anchors).toBe(0);
    expect(a.report(Y)).toEqual(marketTrust([...established, ...island]).report(Y));
  });
});

describe('13. the seed rule on one platform', () => {
  // Five escrow jobs from three buyers, 30–90 days old (mean 60 days), all on one platform.
  const single = [30, 50, 60, 70, 90].map((age, i) => receipt({ subject: 'did:key:z6MkSolo', counterparty: `did:key:z6MkSoloBuyer${i % 3}`, platform: P1, at: daysAgo(age) }));

  it('with one platform observed the rule asks for one', () => {
    const run = marketTrust(single);
    expect(run.propagation.stats.seedMinPlatforms).toBe(1);
    expect(run.node('did:key:z6MkSolo')!.seed).toBe(true);
  });

  it('a second platform with escrow-verified work brings the configured two back', () => {
    const run = marketTrust([...single, receipt({ subject: 'did:key:z6MkElse', counterparty: 'did:key:z6MkElseBuyer', platform: P2, at: daysAgo(3) })]);
    expect(run.propagation.stats.seedMinPlatforms).toBe(2);
    expect(run.node('did:key:z6MkSolo')!.seed).toBe(false);
  });

  it('the thresholds are parameters: a deployment may ask for less history', async () => {
    const { trustParams } = await import('../../../src/trust/engine/index.ts');
    const lenient = trustParams({ propagation: { seedMinEscrowJobs: 2, seedMinCounterparties: 2, seedMinMeanAgeDays: 7 } });
    const young = [5, 8, 12].map((age, i) => receipt({ subject: 'did:key:z6MkYoung', counterparty: `did:key:z6MkYoungBuyer${i % 2}`, platform: P1, at: daysAgo(age) }));
    expect(marketTrust(young).node('did:key:z6MkYoung')!.seed).toBe(false);
    expect(marketTrust(young, { params: lenient }).node('did:key:z6MkYoung')!.seed).toBe(true);
  });
});
