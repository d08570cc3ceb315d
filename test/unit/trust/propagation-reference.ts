// The propagation as it was before the graph was held in compact arrays (one object per edge, rows in memory):
// kept verbatim as the reference the compact implementation must equal on small graphs. Not used by the service.
import type { AgentPlatformRow, PairRow } from '../../../src/trust/engine/evidence.ts';
import { DAY_MS, hourOf, HOUR_MS, readWeight, toMs } from '../../../src/trust/engine/evidence.ts';
import type { TrustParams } from '../../../src/trust/engine/params.ts';
import { DEFAULT_TRUST_PARAMS } from '../../../src/trust/engine/params.ts';
import { fairnessOf, type RaterFairness, type FairnessInput } from '../../../src/trust/engine/fairness.ts';
import type { NodeCredibility, PlatformCredibility, PropagationInput, PropagationResult } from '../../../src/trust/engine/propagation.ts';

interface SeedTally {
  escrowAccepted: number;
  escrowHourSum: number;
  platforms: Set<string>;
}

export function referencePropagateCredibility(input: PropagationInput, params: TrustParams = DEFAULT_TRUST_PARAMS): PropagationResult {
  const p = params.propagation;
  const asOfMs = toMs(input.asOf);
  const pairRows = Array.isArray(input.pairs) ? (input.pairs as PairRow[]) : [...input.pairs];
  const agentPlatformRows = Array.isArray(input.agentPlatforms) ? (input.agentPlatforms as AgentPlatformRow[]) : [...input.agentPlatforms];
  const platformDids = new Set(agentPlatformRows.map((row) => row.platformDid));

  // Collapse directed pairs into undirected edges between DIDs. Node ids and edge order follow the sorted DIDs, so
  // the result does not depend on row order.
  const dids = new Set<string>();
  const edgeJobs = new Map<string, { a: string; b: string; accepted: number; escrow: number }>();
  // DIDs with an accepted identity.verification (only an approved platform's signed receipt, or an operator's
  // import, reaches the aggregates).
  const verified = new Set<string>();
  for (const pair of pairRows) {
    if (pair.verifications > 0 && pair.subjectDid !== pair.counterpartyDid) verified.add(pair.subjectDid);
    if (pair.econAccepted <= 0 || pair.subjectDid === pair.counterpartyDid) continue;
    const [a, b] = pair.subjectDid < pair.counterpartyDid ? [pair.subjectDid, pair.counterpartyDid] : [pair.counterpartyDid, pair.subjectDid];
    const key = `${a}\n${b}`;
    let edge = edgeJobs.get(key);
    if (!edge) edgeJobs.set(key, (edge = { a, b, accepted: 0, escrow: 0 }));
    edge.accepted += pair.econAccepted;
    edge.escrow += pair.escrowAccepted;
    dids.add(a);
    dids.add(b);
  }
  const names = [...dids].sort();
  const id = new Map<string, number>();
  names.forEach((name, i) => id.set(name, i));
  const n = names.length;

  const edges = [...edgeJobs.values()].sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
  const m = edges.length;
  const degreeCount = new Int32Array(n);
  for (const edge of edges) {
    degreeCount[id.get(edge.a)!]!++;
    degreeCount[id.get(edge.b)!]!++;
  }
  const offset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offset[i + 1] = offset[i]! + degreeCount[i]!;
  const fill = offset.slice(0, n);
  const neighbour = new Int32Array(2 * m);
  const weight = new Float64Array(2 * m);
  const degree = new Float64Array(n);
  const escrowCounterparties = new Float64Array(n);
  const declaredCounterparties = new Float64Array(n);
  const counterparties = new Float64Array(n);
  for (const edge of edges) {
    const a = id.get(edge.a)!;
    const b = id.get(edge.b)!;
    // Repeat work between the same two DIDs adds logarithmically: a heavy pair cannot dominate a node's edges.
    const w = Math.log2(1 + edge.accepted);
    neighbour[fill[a]!] = b;
    weight[fill[a]!++] = w;
    neighbour[fill[b]!] = a;
    weight[fill[b]!++] = w;
    degree[a]! += w;
    degree[b]! += w;
    counterparties[a]!++;
    counterparties[b]!++;
    if (edge.escrow > 0) {
      escrowCounterparties[a]!++;
      escrowCounterparties[b]!++;
    } else {
      declaredCounterparties[a]!++;
      declaredCounterparties[b]!++;
    }
  }

  // Seeds: observable, hard-to-fake history. Escrow-verified accepted work as worker or client.
  const tallies = new Map<string, SeedTally>();
  const platformWork = new Map<string, { accepted: number; did: string }[]>();
  const escrowPlatforms = new Set<string>();
  for (const row of agentPlatformRows) {
    if (row.escrowAccepted > 0) {
      escrowPlatforms.add(row.platformDid);
      let tally = tallies.get(row.did);
      if (!tally) tallies.set(row.did, (tally = { escrowAccepted: 0, escrowHourSum: 0, platforms: new Set() }));
      tally.escrowAccepted += row.escrowAccepted;
      tally.escrowHourSum += row.escrowHourSum;
      tally.platforms.add(row.platformDid);
    }
    if (row.role === 'subject' && row.econAccepted > 0) {
      let list = platformWork.get(row.platformDid);
      if (!list) platformWork.set(row.platformDid, (list = []));
      list.push({ accepted: row.econAccepted, did: row.did });
    }
  }
  const asOfHour = hourOf(asOfMs);
  // A deployment with one marketplace cannot ask for history on two: the rule asks for at most as many platforms
  // as have escrow-verified work at all.
  const seedMinPlatforms = Math.max(1, Math.min(p.seedMinPlatforms, escrowPlatforms.size));
  const anchorSet = new Set(input.anchors ?? []);
  const isSeed = new Uint8Array(n);
  const isAnchor = new Uint8Array(n);
  let seeds = 0;
  let anchors = 0;
  for (let i = 0; i < n; i++) {
    if (anchorSet.has(names[i]!)) {
      isAnchor[i] = 1;
      isSeed[i] = 1;
      anchors++;
      seeds++;
      continue;
    }
    const tally = tallies.get(names[i]!);
    if (!tally || tally.escrowAccepted < p.seedMinEscrowJobs) continue;
    const meanAgeDays = ((asOfHour - tally.escrowHourSum / tally.escrowAccepted) * HOUR_MS) / DAY_MS;
    if (
      escrowCounterparties[i]! >= p.seedMinCounterparties &&
      tally.platforms.size >= seedMinPlatforms &&
      meanAgeDays >= p.seedMinMeanAgeDays
    ) {
      isSeed[i] = 1;
      seeds++;
    }
  }

  const iterations = Math.max(p.minIterations, Math.ceil(p.iterationsPerLog2 * Math.log2(Math.max(2, n))));
  const density = new Float64Array(n);
  if (seeds > 0) {
    let trust = new Float64Array(n);
    for (let i = 0; i < n; i++) if (isSeed[i]) trust[i] = 1 / seeds;
    let next = new Float64Array(n);
    for (let step = 0; step < iterations; step++) {
      for (let i = 0; i < n; i++) next[i] = (1 - p.laziness) * trust[i]!;
      for (let i = 0; i < n; i++) {
        const t = trust[i]!;
        if (t === 0) continue;
        const share = (p.laziness * t) / degree[i]!;
        for (let k = offset[i]!; k < offset[i + 1]!; k++) next[neighbour[k]!]! += share * weight[k]!;
      }
      [trust, next] = [next, trust];
    }
    // Trust per unit of edge weight, relative to the seeds' own (a low quantile of it): a reference attackers cannot
    // move by adding unreached nodes, since they cannot cheaply add seeds.
    const perDegree = new Float64Array(n);
    for (let i = 0; i < n; i++) perDegree[i] = trust[i]! / degree[i]!;
    const seedValues: number[] = [];
    for (let i = 0; i < n; i++) if (isSeed[i]) seedValues.push(perDegree[i]!);
    seedValues.sort((x, y) => x - y);
    const reference = seedValues[Math.floor(p.referenceQuantile * (seedValues.length - 1))]!;
    for (let i = 0; i < n; i++) density[i] = reference > 0 ? Math.min(1, perDegree[i]! / reference) : 0;
  } else {
    density.fill(p.unseededDensity);
  }

  const nodes = new Map<string, NodeCredibility>();
  for (let i = 0; i < n; i++) {
    const did = names[i]!;
    const reach = escrowCounterparties[i]! + p.nonEscrowBreadth * declaredCounterparties[i]! + (verified.has(did) ? p.verificationBreadth : 0);
    // An anchor is vouched for by the operator: full breadth, whatever its own history.
    const breadth = isAnchor[i] ? 1 : 1 - Math.exp(-reach / p.breadthScale);
    const activity = 1 - Math.exp(-counterparties[i]! / p.activityScale);
    const node: NodeCredibility = { credibility: density[i]! * breadth, density: density[i]!, breadth, activity, seed: isSeed[i] === 1 };
    if (isAnchor[i]) node.anchor = true;
    nodes.set(did, node);
  }

  // Rater fairness, judged with the credibility just computed (clients that never had accepted work are not graph
  // nodes: they get a row of their own with credibility 0, so their fairness is stored too).
  const fairness = referenceRaterFairness(
    {
      pairs: pairRows,
      platformDids,
      credibility: (did) => nodes.get(did)?.credibility ?? 0,
      counterparties: (did) => {
        const i = id.get(did);
        return i === undefined ? 0 : counterparties[i]!;
      },
      asOf: asOfMs,
    },
    params,
  );
  let unfairRaters = 0;
  for (const did of [...fairness.keys()].sort()) {
    const rater = fairness.get(did)!;
    if (rater.negatives <= 0) continue;
    if (rater.fairness < 1) unfairRaters++;
    let node = nodes.get(did);
    if (!node) nodes.set(did, (node = { credibility: 0, density: 0, breadth: 0, activity: 0, seed: false }));
    node.fairness = rater.fairness;
    node.raterNegatives = rater.negatives;
    node.raterExpected = rater.expected;
    node.raterAgents = rater.agents;
  }

  const platforms = new Map<string, PlatformCredibility>();
  for (const [platformDid, list] of [...platformWork.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    let total = 0;
    let credible = 0;
    // Summed in DID order so float rounding cannot depend on row order.
    list.sort((x, y) => (x.did < y.did ? -1 : x.did > y.did ? 1 : 0));
    for (const { accepted, did } of list) {
      total += accepted;
      credible += accepted * (nodes.get(did)?.credibility ?? 0);
    }
    platforms.set(platformDid, { credibleShare: total > 0 ? credible / total : null });
  }

  let raters = 0;
  for (const rater of fairness.values()) if (rater.negatives > 0) raters++;
  return {
    asOf: new Date(asOfMs).toISOString(),
    nodes,
    platforms,
    stats: { nodes: n, edges: m, seeds, iterations, anchors, seedMinPlatforms, raters, unfairRaters },
  };
}

interface Observation {
  agent: number;
  client: number;
  negatives: number;
  observations: number;
}

export function referenceRaterFairness(input: FairnessInput, params: TrustParams): Map<string, RaterFairness> {
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

