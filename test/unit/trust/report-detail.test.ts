// Reports computed without their explanation (for readers that never show it) hold exactly the same numbers, flags
// and windows as full reports, and say plainly that the explanation was left out. Parts a caller keeps across
// reads (client stats) are used as given, and each report states its own asOf.
import { describe, expect, it } from 'vitest';
import { agentAggregates, buildAggregates, clientStats, computeTrust, DEFAULT_TRUST_PARAMS, NOT_EXPLAINED, propagateCredibility } from '../../../src/trust/engine/index.ts';
import { AS_OF, approvedPlatforms } from './fixtures.ts';
import { market } from './market.ts';

describe('reports without their explanation', () => {
  it('hold the same score, vector, flags, windows and breakdown as full reports, for every kind of agent', () => {
    const { honest, sybil, wash, burst, endorse } = market();
    const params = DEFAULT_TRUST_PARAMS;
    const store = buildAggregates([...honest, ...sybil, ...wash, ...burst, ...endorse], params);
    const propagation = propagateCredibility({ pairs: store.pairs.values(), agentPlatforms: store.agentPlatforms.values(), asOf: AS_OF }, params);
    const platforms = approvedPlatforms(store);
    const dids = [...store.pairsBySubject.keys(), 'did:key:z6MkNobodyAtAll'];
    let explained = 0;
    for (const did of dids) {
      const input = { did, aggregates: agentAggregates(store, did), credibility: propagation.nodes, platforms, self: propagation.nodes.get(did) ?? null };
      const full = computeTrust(input, params, AS_OF);
      const bare = computeTrust(input, params, AS_OF, { explain: false });
      expect(bare.report.explanation).toBe(NOT_EXPLAINED);
      expect({ ...bare.report, explanation: full.report.explanation }).toEqual(full.report);
      expect(bare.breakdown).toEqual(full.breakdown);
      // Asking for it explicitly is the default.
      expect(computeTrust(input, params, AS_OF, { explain: true }).report).toEqual(full.report);
      if (full.report.explanation.length > 0) explained++;
    }
    // The comparison above means something only if full reports do carry explanations.
    expect(explained).toBeGreaterThan(dids.length / 2);
  });

  it('share one frozen empty explanation, so nothing can be added to it by mistake', () => {
    expect(Object.isFrozen(NOT_EXPLAINED)).toBe(true);
    expect(NOT_EXPLAINED).toEqual([]);
    expect(() => (NOT_EXPLAINED as unknown[]).push({})).toThrow(TypeError);
  });

  it('uses client stats the caller kept, and states each report\'s own asOf however the instants alternate', () => {
    const { honest } = market();
    const params = DEFAULT_TRUST_PARAMS;
    const store = buildAggregates(honest, params);
    const did = [...store.pairsBySubject.keys()][0]!;
    const input = { did, aggregates: agentAggregates(store, did), credibility: new Map(), platforms: new Map() };
    const kept = Object.freeze(clientStats(input.aggregates, params));
    expect(computeTrust({ ...input, client: kept }, params, AS_OF).report.client).toBe(kept);
    expect(computeTrust(input, params, AS_OF).report.client).toEqual(kept);
    const instants = [AS_OF, AS_OF + 1, AS_OF, AS_OF - 86_400_000, AS_OF - 86_400_000, AS_OF];
    expect(instants.map((ms) => computeTrust(input, params, ms).report.asOf)).toEqual(instants.map((ms) => new Date(ms).toISOString()));
    expect(() => computeTrust(input, params, Number.NaN)).toThrow(RangeError);
  });
});
