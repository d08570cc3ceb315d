// The compact propagation (typed arrays, DIDs interned) gives exactly the results of the object-per-edge version it
// replaced, on the hand-made markets and on random graphs with every kind of row: equal to the last bit.
import { describe, expect, it } from 'vitest';
import {
  buildAggregates,
  DEFAULT_TRUST_PARAMS,
  emptyPairSums,
  pairGraphOf,
  PairGraphBuilder,
  propagateCredibility,
  raterFairness,
  sortedPermutation,
  trustParams,
  type AgentPlatformRow,
  type PairRow,
  type PropagationInput,
  type ReceiptEvidence,
  type TrustParams,
} from '../../../src/trust/engine/index.ts';
import { AS_OF, daysAgo, P1, P2, P3, receipt, shuffled } from './fixtures.ts';
import { market } from './market.ts';
import { referencePropagateCredibility, referenceRaterFairness } from './propagation-reference.ts';
import { randomGraph } from './random-graph.ts';

const sortedEntries = <V>(map: Map<string, V>) => [...map.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));

function expectSame(input: PropagationInput, params: TrustParams = DEFAULT_TRUST_PARAMS) {
  const expected = referencePropagateCredibility(input, params);
  const actual = propagateCredibility(input, params);
  expect(actual.stats).toEqual(expected.stats);
  expect(actual.asOf).toBe(expected.asOf);
  // toEqual compares numbers with Object.is: the same bits, not merely close.
  expect(sortedEntries(actual.nodes)).toEqual(sortedEntries(expected.nodes));
  expect(sortedEntries(actual.platforms)).toEqual(sortedEntries(expected.platforms));
  return actual;
}

const fromReceipts = (receipts: ReceiptEvidence[], anchors?: string[]): PropagationInput => {
  const store = buildAggregates(receipts);
  return { pairs: [...store.pairs.values()], agentPlatforms: [...store.agentPlatforms.values()], asOf: AS_OF, anchors };
};

describe('compact propagation equals the reference', () => {
  it('on the hand-made market, with and without each attack, with and without anchors', () => {
    const m = market();
    for (const receipts of [m.honest, [...m.honest, ...m.sybil], [...m.honest, ...m.wash], [...m.honest, ...m.burst], [...m.honest, ...m.endorse], Object.values(m).flat()]) {
      expectSame(fromReceipts(receipts));
      expectSame(fromReceipts(receipts, ['did:key:z6MkRing0', 'did:key:z6MkNotInTheGraph']));
    }
  });

  it('on small graphs: a seed candidate, an island, disputes from fresh clients', () => {
    const X = 'did:key:z6MkCandidate';
    const receipts = [30, 50, 60, 70, 90].map((age, i) => receipt({ subject: X, counterparty: `did:key:z6MkBuyer${i % 3}`, platform: [P1, P2][i % 2], at: daysAgo(age) }));
    receipts.push(receipt({ subject: 'did:key:z6MkIslandA', counterparty: 'did:key:z6MkIslandB' }));
    for (let i = 0; i < 6; i++) receipts.push(receipt({ subject: X, counterparty: `did:key:z6MkFresh${i}`, outcome: 'disputed', at: daysAgo(3 + i) }));
    receipts.push(receipt({ subject: X, counterparty: X, at: daysAgo(4) }));
    const result = expectSame(fromReceipts(receipts));
    expect(result.stats.seeds).toBe(1);
    expectSame(fromReceipts(receipts.slice(5)));
    expectSame({ pairs: [], agentPlatforms: [], asOf: AS_OF });
  });

  it('on random graphs, in any row order, under other parameters', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const graph = randomGraph(seed, 40 + seed * 30, 600 + seed * 200);
      const input = { ...graph, asOf: AS_OF };
      const result = expectSame(input);
      expect(result.stats.edges).toBeGreaterThan(100);
      expect(result.stats.raters).toBeGreaterThan(5);
      expectSame({ pairs: shuffled(graph.pairs, seed), agentPlatforms: shuffled(graph.agentPlatforms, seed + 1), asOf: AS_OF, anchors: [graph.pairs[0]!.subjectDid] });
      const strict = trustParams({ propagation: { ...DEFAULT_TRUST_PARAMS.propagation, seedMinEscrowJobs: 2, seedMinCounterparties: 1, seedMinMeanAgeDays: 10 } });
      expect(expectSame(input, strict).stats.seeds).toBeGreaterThan(0);
    }
  });

  it('rater fairness on pairs alone equals the reference', () => {
    const graph = randomGraph(9, 120, 1500);
    const credibility = (did: string) => (did.length % 3) / 2;
    const counterparties = (did: string) => did.length % 4;
    const input = { pairs: graph.pairs, platformDids: new Set([P1, P2, P3]), credibility, counterparties, asOf: AS_OF };
    const expected = referenceRaterFairness(input, DEFAULT_TRUST_PARAMS);
    expect(sortedEntries(raterFairness(input, DEFAULT_TRUST_PARAMS))).toEqual(sortedEntries(expected));
    expect(expected.size).toBeGreaterThan(20);
  });

  it('on the 10,000-agent marketplace of the scale test', () => {
    const { pairs, agentPlatforms } = scaleMarket(2_000);
    expectSame({ pairs, agentPlatforms, asOf: AS_OF });
  });
});

describe('pair graph', () => {
  it('interns DIDs in sorted order and sorts rows by (subject, counterparty), whatever the arrival order', () => {
    const { pairs, agentPlatforms } = randomGraph(3, 60, 400);
    const a = pairGraphOf(pairs, agentPlatforms);
    const b = pairGraphOf(shuffled(pairs, 7), shuffled(agentPlatforms, 8));
    expect(a.names).toEqual([...a.names].sort());
    for (let k = 1; k < a.pairs.length; k++) {
      const order = a.pairs.subject[k - 1]! - a.pairs.subject[k]! || a.pairs.counterparty[k - 1]! - a.pairs.counterparty[k]!;
      expect(order).toBeLessThanOrEqual(0);
    }
    expect(b.names).toEqual(a.names);
    expect(b.pairs.subject).toEqual(a.pairs.subject);
    expect(b.pairs.counterparty).toEqual(a.pairs.counterparty);
    expect(b.agentPlatforms.did).toEqual(a.agentPlatforms.did);
  });

  it('keeps no row that is neither an edge nor evidence, and refuses platforms after pairs', () => {
    const builder = new PairGraphBuilder();
    builder.addPair({ ...emptyPairSums(), subjectDid: 'did:key:a', counterpartyDid: 'did:key:b' });
    builder.addPair({ ...emptyPairSums(), subjectDid: 'did:key:a', counterpartyDid: 'did:key:a', econAccepted: 3 });
    builder.addPair({ ...emptyPairSums(), subjectDid: 'did:key:a', counterpartyDid: 'did:key:c', econAccepted: 1 });
    expect(() => builder.markPlatform(P1)).toThrow(/before pair rows/);
    const graph = builder.finish();
    expect(graph.pairs.length).toBe(1);
    expect(graph.names).toEqual(['did:key:a', 'did:key:b', 'did:key:c']);
  });

  it('sorts long runs (a hub with many counterparties) stably', () => {
    const first = new Int32Array(200).fill(1);
    const second = Int32Array.from({ length: 200 }, (_, i) => (i * 37) % 50);
    const order = sortedPermutation(first, second, 2);
    for (let k = 1; k < order.length; k++) {
      const previous = order[k - 1]!;
      const current = order[k]!;
      expect(second[previous]! < second[current]! || (second[previous] === second[current] && previous < current)).toBe(true);
    }
  });
});

/** The scale test's marketplace: `workers` workers, 1.5 × as many clients, 14 clients each with 1–4 jobs. */
function scaleMarket(workers: number): { pairs: PairRow[]; agentPlatforms: AgentPlatformRow[] } {
  const pairs: PairRow[] = [];
  const agentPlatforms: AgentPlatformRow[] = [];
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 8;
  const hour = Math.floor(AS_OF / 3_600_000);
  const clients = Math.round(workers * 1.5);
  for (let w = 0; w < workers; w++) {
    let jobs = 0;
    for (let k = 0; k < 14; k++) {
      const c = next() % clients;
      const n = 1 + (next() % 4);
      jobs += n;
      pairs.push({
        subjectDid: `did:key:w${w}`, counterpartyDid: `did:key:c${c}`, ...emptyPairSums(), receipts: n, econAccepted: n, escrowAccepted: n % 2 ? n : 0,
        acceptedEp: n * 0.8, disputedEp: c % 17 === 0 ? 1.5 : 0,
        firstHour: hour - 2000, lastHour: hour - 10, econFirstHour: hour - 2000, econLastHour: hour - 10,
      });
    }
    for (const platformDid of [P1, P2]) {
      agentPlatforms.push({ did: `did:key:w${w}`, platformDid, role: 'subject', receipts: jobs, econAccepted: jobs, econNegative: 0, escrowAccepted: jobs >> 1, escrowHourSum: (jobs >> 1) * (hour - 2400) });
    }
  }
  return { pairs, agentPlatforms };
}
