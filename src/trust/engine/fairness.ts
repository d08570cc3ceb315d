// Rater fairness: how much a client's word against an agent counts (pure; the propagation job stores it).
//
// REV2-style fairness/goodness iteration, kept to counts a person can check. For every client c, the negatives it
// reported (disputes, refunds, rejected work, incidents; decayed at the negative half-life) are compared with what
// the same agents' *other* clients report: each agent's rate of negatives among its other clients, weighted by
// those clients' credibility and fairness and shrunk toward the deployment's base rate, times the observations c
// had with that agent, summed over its agents, is c's expected count. Negatives within a generous chance bound of
// chance count fully (the Poisson tail of its count given the expectation is at least 5%); beyond it, fairness is
// that tail / 5%, so every further unexplained negative divides it several-fold and a client can cause only about
// two or three negatives' worth of harm, however many agents it disputes. A genuinely bad agent is disputed by its
// other clients too, so their disputes are expected and keep their weight.

import type { PairRow } from './evidence.ts';
import { PairGraphBuilder, type PairGraph } from './pair-graph.ts';
import { readWeight, toMs } from './evidence.ts';
import type { TrustParams } from './params.ts';

export interface RaterFairness {
  /** 0..1: the weight of this client's negative evidence (1 = its disputes run as its agents' other clients' do). */
  fairness: number;
  /** Decayed negatives it reported (disputes, refunds, rejected work, incidents) and what the other clients explain. */
  negatives: number;
  expected: number;
  /** Distinct agents it reported negatives about. */
  agents: number;
  /** The marketplace restriction rule (dispute rate ≥ 40% with ≥ 3 disputes) holds for it as a client. */
  restricted: boolean;
}

export interface FairnessInput {
  pairs: Iterable<PairRow>;
  /** Platform DIDs: a platform acting as itself is judged by its platform weight, not as a rater. */
  platformDids: ReadonlySet<string>;
  /** Propagated credibility of a DID (0 when unreached or absent). */
  credibility: (did: string) => number;
  /** Distinct counterparties of its accepted economic work, either side (0 when absent). */
  counterparties: (did: string) => number;
  asOf: number | Date;
}

/** Rater fairness of every DID of a pair graph, by DID index; meaningful where isRater is 1. */
export interface GraphFairness {
  /** The DID is the client of at least one observation (pairs between non-platform DIDs with evidence). */
  isRater: Uint8Array;
  fairness: Float64Array;
  negatives: Float64Array;
  expected: Float64Array;
  agents: Int32Array;
  restricted: Uint8Array;
}

export function raterFairness(input: FairnessInput, params: TrustParams): Map<string, RaterFairness> {
  const builder = new PairGraphBuilder();
  for (const did of input.platformDids) builder.markPlatform(did);
  for (const pair of input.pairs) builder.addPair(pair);
  const graph = builder.finish();
  const credibility = new Float64Array(graph.names.length);
  const counterparties = new Float64Array(graph.names.length);
  graph.names.forEach((did, i) => {
    credibility[i] = input.credibility(did);
    counterparties[i] = input.counterparties(did);
  });
  const result = raterFairnessOnGraph(graph, credibility, counterparties, input.asOf, params);
  const out = new Map<string, RaterFairness>();
  for (let c = 0; c < graph.names.length; c++) {
    if (!result.isRater[c]) continue;
    out.set(graph.names[c]!, {
      fairness: result.fairness[c]!,
      negatives: result.negatives[c]!,
      expected: result.expected[c]!,
      agents: result.agents[c]!,
      restricted: result.restricted[c] === 1,
    });
  }
  return out;
}

/**
 * The fairness iteration over a pair graph: credibility and counterparties are given per DID index. Observations
 * are the graph's pairs in (agent, client) order, so every sum runs in one order whatever order rows arrived in.
 */
export function raterFairnessOnGraph(
  graph: PairGraph,
  credibility: Float64Array,
  counterparties: Float64Array,
  asOf: number | Date,
  params: TrustParams,
): GraphFairness {
  const f = params.fairness;
  const asOfMs = toMs(asOf);
  const rwPos = readWeight(asOfMs, params.aggregate.halfLifeDays, params.aggregate);
  const rwNeg = readWeight(asOfMs, params.aggregate.negativeHalfLifeDays, params.aggregate);
  const n = graph.names.length;
  const { pairs, isPlatform } = graph;

  let count = 0;
  for (let k = 0; k < pairs.length; k++) {
    if (isPlatform[pairs.subject[k]!] || isPlatform[pairs.counterparty[k]!]) continue;
    const negatives = pairs.negativeEp[k]! * rwNeg;
    if (negatives + pairs.positiveEp[k]! * rwPos > 0) count++;
  }
  // Observations are pair rows, kept by index: negatives and observations are recomputed where read (the same
  // two multiplications each time), rather than held as 20 more bytes per pair.
  const obsRow = new Int32Array(count);
  const isRater = new Uint8Array(n);
  let totalNegatives = 0;
  let totalObservations = 0;
  for (let k = 0, o = 0; k < pairs.length; k++) {
    if (isPlatform[pairs.subject[k]!] || isPlatform[pairs.counterparty[k]!]) continue;
    const negatives = pairs.negativeEp[k]! * rwNeg;
    const observations = negatives + pairs.positiveEp[k]! * rwPos;
    if (!(observations > 0)) continue;
    obsRow[o++] = k;
    isRater[pairs.counterparty[k]!] = 1;
    totalNegatives += negatives;
    totalObservations += observations;
  }
  const obsAgent = (o: number) => pairs.subject[obsRow[o]!]!;
  const obsClient = (o: number) => pairs.counterparty[obsRow[o]!]!;
  const obsNegative = (o: number) => pairs.negativeEp[obsRow[o]!]! * rwNeg;
  const obsObservation = (o: number) => {
    const k = obsRow[o]!;
    return pairs.negativeEp[k]! * rwNeg + pairs.positiveEp[k]! * rwPos;
  };
  const baseRate = totalObservations > 0 ? totalNegatives / totalObservations : 0;

  const restricted = new Uint8Array(n);
  const independent = new Uint8Array(n);
  const credibilityWeight = new Float64Array(n);
  // The benefit of the doubt (tolerance) is a credible client's: a DID no propagation reaches gets a sliver of it.
  const toleranceShare = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    if (!isRater[c]) continue;
    const jobs = graph.clientJobs[c]!;
    const disputes = graph.clientDisputes[c]!;
    if (jobs > 0 && disputes >= params.client.restrictMinDisputes && disputes / jobs >= params.client.restrictRate) restricted[c] = 1;
    // Credibility resting on one counterparty is trust lent by that very agent (a leaf of the graph): such a client
    // is judged, and heard as a witness about other agents, as an unknown one.
    independent[c] = counterparties[c]! >= 2 ? 1 : 0;
    credibilityWeight[c] = independent[c] ? Math.max(f.weightFloor, Math.min(1, credibility[c]!)) : f.weightFloor;
    toleranceShare[c] = Math.min(1, credibilityWeight[c]! / params.credibilityFull);
  }
  const negatives = new Float64Array(n);
  const agentsHit = new Int32Array(n);
  for (let o = 0; o < count; o++) {
    negatives[obsClient(o)]! += obsNegative(o);
    if (obsNegative(o) > 0) agentsHit[obsClient(o)]!++;
  }

  const fairness = new Float64Array(n).fill(1);
  const expected = new Float64Array(n);
  const weightedNeg = new Float64Array(n);
  const weightedObs = new Float64Array(n);
  const k = f.priorObservations;
  for (let round = 0; round < Math.max(1, f.rounds); round++) {
    weightedNeg.fill(0);
    weightedObs.fill(0);
    for (let o = 0; o < count; o++) {
      const c = obsClient(o);
      const w = credibilityWeight[c]! * fairness[c]!;
      weightedNeg[obsAgent(o)]! += w * obsNegative(o);
      weightedObs[obsAgent(o)]! += w * obsObservation(o);
    }
    expected.fill(0);
    for (let o = 0; o < count; o++) {
      const c = obsClient(o);
      const a = obsAgent(o);
      const w = credibilityWeight[c]! * fairness[c]!;
      // The agent's rate among its other clients (this one left out), shrunk toward the base rate.
      const othersNeg = Math.max(0, weightedNeg[a]! - w * obsNegative(o));
      const othersObs = Math.max(0, weightedObs[a]! - w * obsObservation(o));
      expected[c]! += (obsObservation(o) * (othersNeg + k * baseRate)) / (othersObs + k);
    }
    for (let c = 0; c < n; c++) if (isRater[c]) fairness[c] = fairnessOf(negatives[c]!, expected[c]!, restricted[c] === 1, params, toleranceShare[c]!);
  }

  // Unknown clients taken together: a crowd of fresh DIDs each filing a dispute or two stays within chance one by
  // one. Per agent, the negatives of all its unknown clients are judged as if one client had filed them, against
  // the rate its independent clients report (when they have seen enough of it); an unknown client's fairness is at
  // most the negatives-weighted mean of that pooled fairness over the agents it complained about.
  const poolNeg = new Float64Array(n);
  const poolObs = new Float64Array(n);
  weightedNeg.fill(0);
  weightedObs.fill(0);
  for (let o = 0; o < count; o++) {
    const c = obsClient(o);
    const a = obsAgent(o);
    if (independent[c]) {
      const w = credibilityWeight[c]! * fairness[c]!;
      weightedNeg[a]! += w * obsNegative(o);
      weightedObs[a]! += w * obsObservation(o);
    } else {
      poolNeg[a]! += obsNegative(o);
      poolObs[a]! += obsObservation(o);
    }
  }
  const poolFairness = new Float64Array(n).fill(1);
  for (let a = 0; a < n; a++) {
    if (poolNeg[a]! <= 0 || weightedObs[a]! < f.poolMinWitness) continue;
    const rate = (weightedNeg[a]! + k * baseRate) / (weightedObs[a]! + k);
    // Unknown clients get an unknown client's sliver of the tolerance, together as one by one.
    poolFairness[a] = fairnessOf(poolNeg[a]!, poolObs[a]! * rate, false, params, Math.min(1, f.weightFloor / params.credibilityFull));
  }
  const pooledNum = new Float64Array(n);
  const pooledDen = new Float64Array(n);
  for (let o = 0; o < count; o++) {
    const c = obsClient(o);
    if (independent[c] || obsNegative(o) <= 0) continue;
    pooledNum[c]! += obsNegative(o) * poolFairness[obsAgent(o)]!;
    pooledDen[c]! += obsNegative(o);
  }
  for (let c = 0; c < n; c++) if (pooledDen[c]! > 0) fairness[c] = Math.min(fairness[c]!, pooledNum[c]! / pooledDen[c]!);

  return { isRater, fairness, negatives, expected, agents: agentsHit, restricted };
}

/**
 * P(X ≥ n) for X ~ Poisson(mean), continuous in n: the regularized lower incomplete gamma function P(n, mean).
 * How plausible it is that a client whose agents treat it as they treat their other clients reports n negatives.
 */
export function poissonTail(n: number, mean: number): number {
  if (n <= 0) return 1;
  if (mean <= 0) return 0;
  const logPrefix = n * Math.log(mean) - mean - logGamma(n);
  if (mean < n + 1) {
    // Series: P(n, x) = x^n e^−x / Γ(n) · Σ_k x^k / (n (n+1) … (n+k)).
    let term = 1 / n;
    let sum = term;
    for (let k = 1; k < 500; k++) {
      term *= mean / (n + k);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q(n, x) = 1 − P(n, x) (modified Lentz).
  const tiny = 1e-300;
  let b = mean + 1 - n;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - n);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

const LANCZOS = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Fairness from negatives filed and negatives expected (exported for the docs' worked examples and tests): the
 * Poisson tail of the negatives given the expectation (plus a credible client's benefit of the doubt), relative to
 * the significance level, at most 1. Within chance it is 1; each negative beyond chance divides it several-fold.
 */
export function fairnessOf(negatives: number, expected: number, restricted: boolean, params: TrustParams, toleranceShare = 1): number {
  const f = params.fairness;
  // One dispute's worth is never judged: a single complaint is always plausible, and stays so as it decays.
  if (negatives <= 1) return 1;
  const mean = expected + f.tolerance * toleranceShare;
  let fairness = Math.min(1, poissonTail(negatives, mean) / f.significance);
  // Restricted by the marketplace rule: capped, unless the agents' other clients explain its disputes.
  if (restricted) fairness = Math.min(fairness, Math.max(f.restrictedFairness, Math.min(1, expected / negatives)));
  return fairness;
}
