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

interface Observation {
  agent: number;
  client: number;
  negatives: number;
  observations: number;
}

export function raterFairness(input: FairnessInput, params: TrustParams): Map<string, RaterFairness> {
  const f = params.fairness;
  const asOfMs = toMs(input.asOf);
  const rwPos = readWeight(asOfMs, params.aggregate.halfLifeDays, params.aggregate);
  const rwNeg = readWeight(asOfMs, params.aggregate.negativeHalfLifeDays, params.aggregate);

  const raw: { agent: string; client: string; negatives: number; observations: number }[] = [];
  const jobs = new Map<string, { jobs: number; disputes: number }>();
  for (const pair of input.pairs) {
    const agent = pair.subjectDid;
    const client = pair.counterpartyDid;
    if (agent === client || input.platformDids.has(client) || input.platformDids.has(agent)) continue;
    const econ = pair.econAccepted + pair.econDisputed + pair.econRefunded;
    if (econ > 0) {
      let tally = jobs.get(client);
      if (!tally) jobs.set(client, (tally = { jobs: 0, disputes: 0 }));
      tally.jobs += econ;
      tally.disputes += pair.econDisputed;
    }
    const negatives = (pair.disputedEp + pair.refundedEp + pair.rejectedWorkEp + pair.violationsEp + pair.incidentsEp) * rwNeg;
    const observations = negatives + (pair.acceptedEp + pair.completionsEp) * rwPos;
    if (observations > 0) raw.push({ agent, client, negatives, observations });
  }
  // Sorted by (agent, client), so sums never depend on the order rows arrived in.
  raw.sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : x.client < y.client ? -1 : x.client > y.client ? 1 : 0));
  const agentIds = new Map<string, number>();
  const clientNames: string[] = [];
  const clientIds = new Map<string, number>();
  for (const r of raw) {
    if (!agentIds.has(r.agent)) agentIds.set(r.agent, agentIds.size);
    if (!clientIds.has(r.client)) {
      clientIds.set(r.client, clientNames.length);
      clientNames.push(r.client);
    }
  }
  const obs: Observation[] = raw.map((r) => ({ agent: agentIds.get(r.agent)!, client: clientIds.get(r.client)!, negatives: r.negatives, observations: r.observations }));
  let totalNegatives = 0;
  let totalObservations = 0;
  for (const o of obs) {
    totalNegatives += o.negatives;
    totalObservations += o.observations;
  }
  const baseRate = totalObservations > 0 ? totalNegatives / totalObservations : 0;

  const nClients = clientNames.length;
  const nAgents = agentIds.size;
  const restricted = new Uint8Array(nClients);
  const independent = new Uint8Array(nClients);
  const credibilityWeight = new Float64Array(nClients);
  for (let c = 0; c < nClients; c++) {
    const tally = jobs.get(clientNames[c]!);
    if (tally && tally.disputes >= params.client.restrictMinDisputes && tally.disputes / tally.jobs >= params.client.restrictRate) restricted[c] = 1;
    // Credibility resting on one counterparty is trust lent by that very agent (a leaf of the graph): such a client
    // is judged, and heard as a witness about other agents, as an unknown one.
    independent[c] = input.counterparties(clientNames[c]!) >= 2 ? 1 : 0;
    credibilityWeight[c] = independent[c] ? Math.max(f.weightFloor, Math.min(1, input.credibility(clientNames[c]!))) : f.weightFloor;
  }
  // The benefit of the doubt (tolerance) is a credible client's: a DID no propagation reaches gets a sliver of it.
  const toleranceShare = new Float64Array(nClients);
  for (let c = 0; c < nClients; c++) toleranceShare[c] = Math.min(1, credibilityWeight[c]! / params.credibilityFull);
  const negatives = new Float64Array(nClients);
  const agentsHit = new Int32Array(nClients);
  for (const o of obs) {
    negatives[o.client]! += o.negatives;
    if (o.negatives > 0) agentsHit[o.client]!++;
  }

  const fairness = new Float64Array(nClients).fill(1);
  const expected = new Float64Array(nClients);
  const weightedNeg = new Float64Array(nAgents);
  const weightedObs = new Float64Array(nAgents);
  const k = f.priorObservations;
  for (let round = 0; round < Math.max(1, f.rounds); round++) {
    weightedNeg.fill(0);
    weightedObs.fill(0);
    for (const o of obs) {
      const w = credibilityWeight[o.client]! * fairness[o.client]!;
      weightedNeg[o.agent]! += w * o.negatives;
      weightedObs[o.agent]! += w * o.observations;
    }
    expected.fill(0);
    for (const o of obs) {
      const w = credibilityWeight[o.client]! * fairness[o.client]!;
      // The agent's rate among its other clients (this one left out), shrunk toward the base rate.
      const othersNeg = Math.max(0, weightedNeg[o.agent]! - w * o.negatives);
      const othersObs = Math.max(0, weightedObs[o.agent]! - w * o.observations);
      expected[o.client]! += (o.observations * (othersNeg + k * baseRate)) / (othersObs + k);
    }
    for (let c = 0; c < nClients; c++) fairness[c] = fairnessOf(negatives[c]!, expected[c]!, restricted[c] === 1, params, toleranceShare[c]!);
  }

  // Unknown clients taken together: a crowd of fresh DIDs each filing a dispute or two stays within chance one by
  // one. Per agent, the negatives of all its unknown clients are judged as if one client had filed them, against
  // the rate its independent clients report (when they have seen enough of it); an unknown client's fairness is at
  // most the negatives-weighted mean of that pooled fairness over the agents it complained about.
  const poolNeg = new Float64Array(nAgents);
  const poolObs = new Float64Array(nAgents);
  weightedNeg.fill(0);
  weightedObs.fill(0);
  for (const o of obs) {
    if (independent[o.client]) {
      const w = credibilityWeight[o.client]! * fairness[o.client]!;
      weightedNeg[o.agent]! += w * o.negatives;
      weightedObs[o.agent]! += w * o.observations;
    } else {
      poolNeg[o.agent]! += o.negatives;
      poolObs[o.agent]! += o.observations;
    }
  }
  const poolFairness = new Float64Array(nAgents).fill(1);
  for (let a = 0; a < nAgents; a++) {
    if (poolNeg[a]! <= 0 || weightedObs[a]! < f.poolMinWitness) continue;
    const rate = (weightedNeg[a]! + k * baseRate) / (weightedObs[a]! + k);
    // Unknown clients get an unknown client's sliver of the tolerance, together as one by one.
    poolFairness[a] = fairnessOf(poolNeg[a]!, poolObs[a]! * rate, false, params, Math.min(1, f.weightFloor / params.credibilityFull));
  }
  const pooledNum = new Float64Array(nClients);
  const pooledDen = new Float64Array(nClients);
  for (const o of obs) {
    if (independent[o.client] || o.negatives <= 0) continue;
    pooledNum[o.client]! += o.negatives * poolFairness[o.agent]!;
    pooledDen[o.client]! += o.negatives;
  }
  for (let c = 0; c < nClients; c++) if (pooledDen[c]! > 0) fairness[c] = Math.min(fairness[c]!, pooledNum[c]! / pooledDen[c]!);

  const out = new Map<string, RaterFairness>();
  for (let c = 0; c < nClients; c++) {
    out.set(clientNames[c]!, {
      fairness: fairness[c]!,
      negatives: negatives[c]!,
      expected: expected[c]!,
      agents: agentsHit[c]!,
      restricted: restricted[c] === 1,
    });
  }
  return out;
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
