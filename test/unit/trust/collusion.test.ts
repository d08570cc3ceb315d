// Behaviours 7 (sybil and collusion resistance) and 8 (fair to newcomers) on a small marketplace, with
// credibility from an actual propagation run. "Lift" compares the same DID scored with and without the attack.
import { describe, expect, it } from 'vitest';
import { buildAggregates, DEFAULT_TRUST_PARAMS, propagateCredibility, type ReceiptEvidence } from '../../../src/trust/engine/index.ts';
import { AGENT as AGENT_DID, AS_OF, daysAgo, HOUR, P1, P2, receipt, trustOf } from './fixtures.ts';
import { BURSTER, client, endorser, market, NEWCOMER, ring, WASH_ALT, WASHER, worker } from './market.ts';

const m = market();
const everything = [...m.honest, ...m.sybil, ...m.wash, ...m.burst, ...m.endorse];
const without = (attack: ReceiptEvidence[]) => everything.filter((r) => !attack.includes(r));
const scoreOf = (receipts: ReceiptEvidence[], did: string) => trustOf(receipts, { did, credibility: 'propagate' });
const codes = (receipts: ReceiptEvidence[], did: string) => scoreOf(receipts, did).report.flags.map((f) => f.code);
const RING = Array.from({ length: 6 }, (_, k) => ring(k));

describe('7. sybil and collusion resistance', () => {
  const store = buildAggregates(everything);
  const propagation = propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf: AS_OF });

  it('propagation seeds the long, multi-platform, escrow-verified core and leaves the ring nearly unreached', () => {
    for (let i = 0; i < 8; i++) expect(propagation.nodes.get(worker(i))).toMatchObject({ seed: true, density: 1 });
    // Client 3 also hired the washer, the burster and an endorser recently: its escrow history is too young on
    // average (mean age < 60 days) to seed, yet trust still reaches it through the core.
    const clients = Array.from({ length: 8 }, (_, i) => propagation.nodes.get(client(i))!);
    expect(clients.filter((node) => node.seed).length).toBe(7);
    expect(propagation.nodes.get(client(3))!.seed).toBe(false);
    for (const node of clients) expect(node.density).toBeGreaterThan(0.8);
    for (const did of RING) {
      const node = propagation.nodes.get(did)!;
      expect(node.seed).toBe(false);
      expect(node.density).toBeLessThan(0.3);
    }
    // Fresh throwaway clients have one counterparty each: thin, whatever their density.
    expect(propagation.nodes.get('did:key:z6MkThrowaway0')!.breadth).toBeLessThan(0.4);
  });

  it('fresh DIDs trading among themselves gain nothing and are flagged', () => {
    const clean = without(m.sybil);
    for (const did of RING) {
      const full = scoreOf(everything, did).report;
      expect(full.score).toBeLessThanOrEqual(scoreOf(clean, did).report.score + 2);
      expect(full.flags.map((f) => f.code)).toContain('SYBIL_CLUSTER');
    }
  });

  it('wash trading between two DIDs earns neither anything', () => {
    const clean = without(m.wash);
    const washer = scoreOf(everything, WASHER).report;
    expect(washer.score).toBeLessThanOrEqual(scoreOf(clean, WASHER).report.score);
    expect(washer.flags.find((f) => f.code === 'SELF_DEALING')?.severity).toBe('critical');
    // The alt has no history without the wash: it must end up no better than "no evidence".
    expect(scoreOf(everything, WASH_ALT).report.score).toBeLessThanOrEqual(2);
  });

  it('a pair paid in both directions adds no positive evidence, whatever the penalty does', () => {
    const honest = [receipt({ counterparty: client(0) }), receipt({ counterparty: client(1), at: AS_OF - HOUR })];
    const partner = 'did:key:z6MkPartner';
    // 5 jobs each way: reciprocity min/max = 1 ≥ reciprocalFull, so the pair keeps nothing.
    const roundTrip = [
      ...Array.from({ length: 5 }, (_, i) => receipt({ counterparty: partner, usd: 3000, at: daysAgo(1 + i) })),
      ...Array.from({ length: 5 }, (_, i) => receipt({ subject: partner, counterparty: AGENT_DID, usd: 3000, at: daysAgo(1.5 + i) })),
    ];
    const before = trustOf(honest).breakdown;
    const after = trustOf([...honest, ...roundTrip]);
    expect(after.breakdown.economicMass).toBeCloseTo(before.economicMass, 12);
    expect(after.breakdown.good).toBeCloseTo(before.good, 12);
    expect(after.breakdown.reciprocalShare).toBeGreaterThan(0.5);
  });

  it('a burst of tiny jobs from throwaway DIDs gains nothing and is flagged', () => {
    const full = scoreOf(everything, BURSTER).report;
    expect(full.score).toBeLessThanOrEqual(scoreOf(without(m.burst), BURSTER).report.score + 2);
    expect(full.flags.map((f) => f.code)).toContain('BURST');
  });

  it('a reciprocal endorsement ring gains nothing and is flagged', () => {
    const clean = without(m.endorse);
    for (let i = 0; i < 4; i++) {
      const full = scoreOf(everything, endorser(i)).report;
      expect(full.score).toBeLessThanOrEqual(scoreOf(clean, endorser(i)).report.score);
      expect(full.vector.P).toBe(scoreOf(clean, endorser(i)).report.vector.P);
      expect(full.flags.find((f) => f.code === 'RECIPROCAL_RING')?.severity).toBe('critical');
    }
  });

  it('an endorsement from a client who paid the agent counts; one from a stranger does not', () => {
    const jobs = [receipt({ counterparty: client(0) }), receipt({ counterparty: client(1), at: AS_OF - HOUR })];
    const base = trustOf(jobs).report.vector.P;
    const paid = trustOf([...jobs, receipt({ counterparty: client(0), category: 'social.endorsement', usd: 0, escrow: false })]).report.vector.P;
    const stranger = trustOf([...jobs, receipt({ counterparty: client(7), category: 'social.endorsement', usd: 0, escrow: false })]).report.vector.P;
    expect(paid).toBeGreaterThan(base);
    expect(stranger).toBe(base);
  });

  it('new, suspended or inflating platforms count less', () => {
    const jobs = Array.from({ length: 6 }, (_, i) => receipt({ counterparty: client(i), platform: P1, at: AS_OF - i * HOUR }));
    const approved = trustOf(jobs).report;
    const suspended = trustOf(jobs, { platforms: { [P1]: { status: 'suspended', registeredAtMs: daysAgo(400) } } }).report;
    const young = trustOf(jobs, { platforms: { [P1]: { status: 'approved', registeredAtMs: daysAgo(3) } } }).report;
    const inflating = trustOf(jobs, { platforms: { [P1]: { status: 'approved', registeredAtMs: daysAgo(400), credibleShare: 0.02 } } }).report;
    for (const weaker of [suspended, young, inflating]) {
      expect(weaker.vector.E).toBeLessThan(approved.vector.E);
      expect(weaker.score).toBeLessThan(approved.score);
    }
    expect(suspended.flags.map((f) => f.code)).toContain('LOW_CREDIBILITY_PLATFORM');
    expect(inflating.flags.map((f) => f.code)).toContain('LOW_CREDIBILITY_PLATFORM');
  });

  it('a rogue platform inventing clients adds nothing: its fresh clients have no credibility', () => {
    const genuine = [receipt({ counterparty: client(0), platform: P2 }), receipt({ counterparty: client(1), platform: P2, at: AS_OF - HOUR })];
    const invented = Array.from({ length: 30 }, (_, i) => receipt({ counterparty: `did:key:z6MkInvented${i}`, platform: 'did:web:rogue.test', usd: 900, at: daysAgo(1 + i / 3) }));
    const market = [...m.honest, ...genuine];
    const before = trustOf(market, { credibility: 'propagate' }).report;
    const run = trustOf([...market, ...invented], { credibility: 'propagate' });
    const after = run.report;
    expect(after.vector.E).toBeLessThanOrEqual(before.vector.E + 0.005);
    expect(after.score).toBeLessThanOrEqual(before.score + 2);
    expect(run.aggregates.pairs.length).toBe(32);
    for (let i = 0; i < 30; i++) expect(run.credibility.get(`did:key:z6MkInvented${i}`)!.credibility).toBeLessThan(DEFAULT_TRUST_PARAMS.credibilityFloor);
  });

  it('most work from a single counterparty is flagged as concentration', () => {
    const report = trustOf([
      ...Array.from({ length: 20 }, (_, i) => receipt({ counterparty: client(0), at: AS_OF - i * 5 * HOUR })),
      receipt({ counterparty: client(1), at: daysAgo(2) }),
    ]).report;
    expect(report.flags.map((f) => f.code)).toContain('COUNTERPARTY_CONCENTRATION');
    expect(report.vector.A).toBeLessThan(0);
  });
});

describe('8. fair to newcomers', () => {
  it('an honest newcomer has low confidence, not a score below the attackers', () => {
    const newcomer = scoreOf(everything, NEWCOMER).report;
    const veteran = scoreOf(everything, worker(0)).report;
    expect(newcomer.confidence).toBeLessThan(0.3);
    expect(newcomer.confidence).toBeLessThan(veteran.confidence);
    expect(newcomer.tier).not.toBe('F');
    const attackers = [...RING, WASHER, WASH_ALT, BURSTER, endorser(0), endorser(1), endorser(2), endorser(3)];
    for (const did of attackers) expect(newcomer.score).toBeGreaterThan(scoreOf(everything, did).report.score);
    expect(codes(everything, NEWCOMER)).toEqual([]);
  });

  it('a DID with a single application still gets the prior, with confidence near zero', () => {
    const report = trustOf([receipt({ counterparty: P2, platform: P2, category: 'productivity.application', usd: 0, escrow: false, at: daysAgo(2) })]).report;
    expect(report.score).toBeGreaterThanOrEqual(30);
    expect(report.confidence).toBeLessThan(0.05);
  });
});
