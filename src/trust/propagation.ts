// Credibility propagation: the periodic batch over the graph of settled work (pure; the job stores its output).
//
// Trust starts on seeds chosen by an observable rule (long escrow-verified history on several platforms with
// several counterparties) and spreads along accepted economic work, split in proportion to edge weight, for a few
// lazy-walk iterations (early termination, as in SybilRank). A node's density is the trust it holds per unit of its
// own edge weight, relative to the seeds' own: honest regions mix and sit near 1, a cluster joined to them by few
// edges receives little trust however much work it does internally. Credibility = density × breadth, where
// breadth grows with distinct escrow-verified counterparties, so a throwaway DID with one job stays thin.

import type { AgentPlatformRow, PairRow, PlatformRow } from './evidence.ts';
import { DAY_MS, hourOf, HOUR_MS, toMs } from './evidence.ts';
import type { PlatformParams, TrustParams } from './params.ts';
import { DEFAULT_TRUST_PARAMS } from './params.ts';
import { raterFairness } from './fairness.ts';

export interface NodeCredibility {
  /** density × breadth, 0..1: how much a counterparty's word counts. */
  credibility: number;
  /** Trust per unit of edge weight relative to the seeds' (their referenceQuantile), capped at 1; 0 when unreached. */
  density: number;
  /** 1 − exp(−(escrow counterparties + 0.3 × declared-only ones) / breadthScale). */
  breadth: number;
  /** 1 − exp(−distinct counterparties of accepted work / activityScale). */
  activity: number;
  seed: boolean;
  /** Named by the operator as a trust anchor (a seed whatever the observable rule says). */
  anchor?: boolean;
  /** Rater fairness 0..1 (src/trust/fairness.ts): the weight of this DID's negative evidence about others; 1 when absent. */
  fairness?: number;
  /** Decayed negatives it reported as a client, and how many its agents' other clients explain. */
  raterNegatives?: number;
  raterExpected?: number;
  /** Distinct agents it reported negatives about. */
  raterAgents?: number;
}

export interface PlatformCredibility {
  /** Share of the platform's accepted economic work done by credible subjects (credibility-weighted); null if none. */
  credibleShare: number | null;
}

export interface PropagationInput {
  /** Every trust_pair row (only economic columns are read). */
  pairs: Iterable<PairRow>;
  /** Every trust_agent_platform row (seed rule and platform shares). */
  agentPlatforms: Iterable<AgentPlatformRow>;
  asOf: number | Date;
  /** Operator-named trust anchors: seeds regardless of the observable rule. */
  anchors?: Iterable<string>;
}

export interface PropagationResult {
  asOf: string;
  nodes: Map<string, NodeCredibility>;
  platforms: Map<string, PlatformCredibility>;
  stats: {
    nodes: number;
    edges: number;
    seeds: number;
    iterations: number;
    /** Anchors found in the graph; platforms the seed rule required (the configured minimum, capped at those observed). */
    anchors: number;
    seedMinPlatforms: number;
    /** DIDs that reported negatives as clients, and those among them whose fairness is below 1. */
    raters: number;
    unfairRaters: number;
  };
}

interface SeedTally {
  escrowAccepted: number;
  escrowHourSum: number;
  platforms: Set<string>;
}

export function propagateCredibility(input: PropagationInput, params: TrustParams = DEFAULT_TRUST_PARAMS): PropagationResult {
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
  const fairness = raterFairness(
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

// ---------------------------------------------------------------- platform weighting

export type PlatformStatus = 'approved' | 'pending' | 'suspended' | 'unknown';

/** What the engine knows about a platform: registry status, its stats row and the propagation's verdict. */
export interface PlatformStanding {
  status?: PlatformStatus;
  /** Registration time from the platform registry; else the mean age of its evidence stands in. */
  registeredAtMs?: number | null;
  row?: PlatformRow | null;
  credibleShare?: number | null;
}

/**
 * New, suspended or inflating platforms count less: weight = status factor × age factor × inflation factor, each
 * in (0, 1]. Inflation is judged by how much of the platform's accepted work credible agents did.
 */
export function platformWeight(standing: PlatformStanding | undefined, params: PlatformParams, asOfMs: number): number {
  if (!standing) return 1;
  let weight = 1;
  if (standing.status === 'suspended') weight *= params.suspendedWeight;
  else if (standing.status === 'pending') weight *= params.pendingWeight;
  let ageDays: number | null = null;
  if (standing.registeredAtMs !== undefined && standing.registeredAtMs !== null) {
    ageDays = (asOfMs - standing.registeredAtMs) / DAY_MS;
  } else if (standing.row && standing.row.receipts > 0) {
    ageDays = ((hourOf(asOfMs) - standing.row.hourSum / standing.row.receipts) * HOUR_MS) / DAY_MS;
  }
  if (ageDays !== null && ageDays < params.matureAfterDays) {
    weight *= Math.max(params.youngFloor, ageDays / params.matureAfterDays);
  }
  if (standing.credibleShare !== undefined && standing.credibleShare !== null) {
    weight *= Math.max(params.inflatingFloor, Math.min(1, standing.credibleShare / params.credibleShareFull));
  }
  return weight;
}
