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
import { raterFairnessOnGraph } from './fairness.ts';
import { pairGraphOf, type PairGraph } from './pair-graph.ts';

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
  /** Rater fairness 0..1 (src/trust/engine/fairness.ts): the weight of this DID's negative evidence about others; 1 when absent. */
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

/** A propagation run over a PairGraph, one entry per DID index (graph nodes and raters; others are all zero). */
export interface GraphPropagation {
  asOf: string;
  names: string[];
  /** 1 for a node of the economic graph, 2 for a rater outside it (a client with negatives but no accepted work). */
  present: Uint8Array;
  credibility: Float64Array;
  density: Float64Array;
  breadth: Float64Array;
  activity: Float64Array;
  seed: Uint8Array;
  anchor: Uint8Array;
  /** 1 where the DID reported negatives as a client: the rater fields below are set. */
  rated: Uint8Array;
  fairness: Float64Array;
  raterNegatives: Float64Array;
  raterExpected: Float64Array;
  raterAgents: Int32Array;
  platforms: Map<string, PlatformCredibility>;
  stats: PropagationResult['stats'];
}

export function propagateCredibility(input: PropagationInput, params: TrustParams = DEFAULT_TRUST_PARAMS): PropagationResult {
  const graph = pairGraphOf(input.pairs, input.agentPlatforms);
  return propagationResultOf(propagateGraph(graph, input.asOf, input.anchors ?? [], params));
}

/** The Map-shaped result (what the scores command and the tests read). */
export function propagationResultOf(run: GraphPropagation): PropagationResult {
  const nodes = new Map<string, NodeCredibility>();
  for (let i = 0; i < run.names.length; i++) {
    if (!run.present[i]) continue;
    const node: NodeCredibility = { credibility: run.credibility[i]!, density: run.density[i]!, breadth: run.breadth[i]!, activity: run.activity[i]!, seed: run.seed[i] === 1 };
    if (run.anchor[i]) node.anchor = true;
    if (run.rated[i]) {
      node.fairness = run.fairness[i]!;
      node.raterNegatives = run.raterNegatives[i]!;
      node.raterExpected = run.raterExpected[i]!;
      node.raterAgents = run.raterAgents[i]!;
    }
    nodes.set(run.names[i]!, node);
  }
  return { asOf: run.asOf, nodes, platforms: run.platforms, stats: run.stats };
}

/**
 * The propagation over a PairGraph: typed arrays throughout, no object per edge or per node. Node ids follow the
 * sorted DIDs and each node's neighbours are in DID order, so every float sum runs in one order whatever order the
 * rows arrived in.
 */
export function propagateGraph(graph: PairGraph, asOf: number | Date, anchorDids: Iterable<string>, params: TrustParams = DEFAULT_TRUST_PARAMS): GraphPropagation {
  const p = params.propagation;
  const asOfMs = toMs(asOf);
  const names = graph.names;
  const total = names.length;
  const { pairs } = graph;

  // Undirected edges between DIDs from the directed pairs with accepted economic work: a node's out-pairs (already
  // in counterparty order) merged with its in-pairs (bucketed by counterparty, so in subject order).
  const inStart = new Int32Array(total + 1);
  const outStart = new Int32Array(total + 1);
  for (let k = 0; k < pairs.length; k++) {
    if (pairs.econAccepted[k]! <= 0) continue;
    inStart[pairs.counterparty[k]! + 1]!++;
    outStart[pairs.subject[k]! + 1]!++;
  }
  for (let i = 0; i < total; i++) {
    inStart[i + 1]! += inStart[i]!;
    outStart[i + 1]! += outStart[i]!;
  }
  const econRows = outStart[total]!;
  const inRows = new Int32Array(econRows);
  const outRows = new Int32Array(econRows);
  {
    const inFill = inStart.slice(0, total);
    const outFill = outStart.slice(0, total);
    for (let k = 0; k < pairs.length; k++) {
      if (pairs.econAccepted[k]! <= 0) continue;
      inRows[inFill[pairs.counterparty[k]!]!++] = k;
      outRows[outFill[pairs.subject[k]!]!++] = k;
    }
  }
  // Walks node x's merged neighbour list in DID order, calling visit(neighbour, accepted, escrow) once per neighbour.
  const eachNeighbour = (x: number, visit: (neighbour: number, accepted: number, escrow: number) => void) => {
    let a = outStart[x]!;
    let b = inStart[x]!;
    const aEnd = outStart[x + 1]!;
    const bEnd = inStart[x + 1]!;
    while (a < aEnd || b < bEnd) {
      const outNeighbour = a < aEnd ? pairs.counterparty[outRows[a]!]! : total;
      const inNeighbour = b < bEnd ? pairs.subject[inRows[b]!]! : total;
      const other = outNeighbour < inNeighbour ? outNeighbour : inNeighbour;
      // Work both ways between the same two DIDs (and any repeated row) is one edge; counts, so exact in any order.
      let accepted = 0;
      let escrow = 0;
      for (; a < aEnd && pairs.counterparty[outRows[a]!]! === other; a++) {
        accepted += pairs.econAccepted[outRows[a]!]!;
        escrow += pairs.escrowAccepted[outRows[a]!]!;
      }
      for (; b < bEnd && pairs.subject[inRows[b]!]! === other; b++) {
        accepted += pairs.econAccepted[inRows[b]!]!;
        escrow += pairs.escrowAccepted[inRows[b]!]!;
      }
      visit(other, accepted, escrow);
    }
  };

  // Graph node ids: the DIDs with at least one edge, in DID order.
  const nodeOf = new Int32Array(total).fill(-1);
  let n = 0;
  for (let x = 0; x < total; x++) if (outStart[x + 1]! > outStart[x]! || inStart[x + 1]! > inStart[x]!) nodeOf[x] = n++;
  const didOf = new Int32Array(n);
  for (let x = 0; x < total; x++) if (nodeOf[x]! >= 0) didOf[nodeOf[x]!] = x;
  const offset = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    eachNeighbour(didOf[i]!, () => count++);
    offset[i + 1] = offset[i]! + count;
  }
  const m = offset[n]! / 2;
  const neighbour = new Int32Array(2 * m);
  const weight = new Float64Array(2 * m);
  const degree = new Float64Array(n);
  const escrowCounterparties = new Float64Array(n);
  const declaredCounterparties = new Float64Array(n);
  const counterparties = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let k = offset[i]!;
    eachNeighbour(didOf[i]!, (other, accepted, escrow) => {
      // Repeat work between the same two DIDs adds logarithmically: a heavy pair cannot dominate a node's edges.
      const w = Math.log2(1 + accepted);
      neighbour[k] = nodeOf[other]!;
      weight[k++] = w;
      degree[i]! += w;
      counterparties[i]!++;
      if (escrow > 0) escrowCounterparties[i]!++;
      else declaredCounterparties[i]!++;
    });
  }

  // Seeds: observable, hard-to-fake history. Escrow-verified accepted work as worker or client, summed per DID
  // (rows are in DID order; counts and hour sums are whole numbers, exact in any order).
  const ap = graph.agentPlatforms;
  const escrowAccepted = new Float64Array(total);
  const escrowHourSum = new Float64Array(total);
  const escrowPlatformCount = new Int32Array(total);
  const lastPlatformOf = new Int32Array(total).fill(-1);
  const escrowPlatform = new Uint8Array(total);
  let escrowPlatforms = 0;
  for (let k = 0; k < ap.length; k++) {
    if (!(ap.escrowAccepted[k]! > 0)) continue;
    const did = ap.did[k]!;
    const platform = ap.platform[k]!;
    if (!escrowPlatform[platform]) {
      escrowPlatform[platform] = 1;
      escrowPlatforms++;
    }
    escrowAccepted[did]! += ap.escrowAccepted[k]!;
    escrowHourSum[did]! += ap.escrowHourSum[k]!;
    // Rows are sorted by (DID, platform): a DID's platforms arrive together, each one's rows adjacent.
    if (lastPlatformOf[did] !== platform) {
      lastPlatformOf[did] = platform;
      escrowPlatformCount[did]!++;
    }
  }
  const asOfHour = hourOf(asOfMs);
  // A deployment with one marketplace cannot ask for history on two: the rule asks for at most as many platforms
  // as have escrow-verified work at all.
  const seedMinPlatforms = Math.max(1, Math.min(p.seedMinPlatforms, escrowPlatforms));
  const anchorSet = new Set(anchorDids);
  const isSeed = new Uint8Array(n);
  const isAnchor = new Uint8Array(n);
  let seeds = 0;
  let anchors = 0;
  for (let i = 0; i < n; i++) {
    const did = didOf[i]!;
    if (anchorSet.size > 0 && anchorSet.has(names[did]!)) {
      isAnchor[i] = 1;
      isSeed[i] = 1;
      anchors++;
      seeds++;
      continue;
    }
    if (!(escrowAccepted[did]! > 0) || escrowAccepted[did]! < p.seedMinEscrowJobs) continue;
    const meanAgeDays = ((asOfHour - escrowHourSum[did]! / escrowAccepted[did]!) * HOUR_MS) / DAY_MS;
    if (escrowCounterparties[i]! >= p.seedMinCounterparties && escrowPlatformCount[did]! >= seedMinPlatforms && meanAgeDays >= p.seedMinMeanAgeDays) {
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
    const seedValues = new Float64Array(seeds);
    for (let i = 0, s = 0; i < n; i++) if (isSeed[i]) seedValues[s++] = perDegree[i]!;
    seedValues.sort();
    const reference = seedValues[Math.floor(p.referenceQuantile * (seedValues.length - 1))]!;
    for (let i = 0; i < n; i++) density[i] = reference > 0 ? Math.min(1, perDegree[i]! / reference) : 0;
  } else {
    density.fill(p.unseededDensity);
  }

  // Results by DID index: graph nodes first, raters outside the graph added below.
  const present = new Uint8Array(total);
  const credibility = new Float64Array(total);
  const densityOf = new Float64Array(total);
  const breadthOf = new Float64Array(total);
  const activityOf = new Float64Array(total);
  const seedOf = new Uint8Array(total);
  const anchorOf = new Uint8Array(total);
  const counterpartiesOf = new Float64Array(total);
  for (let i = 0; i < n; i++) {
    const did = didOf[i]!;
    const reach = escrowCounterparties[i]! + p.nonEscrowBreadth * declaredCounterparties[i]! + (graph.verified[did] ? p.verificationBreadth : 0);
    // An anchor is vouched for by the operator: full breadth, whatever its own history.
    const breadth = isAnchor[i] ? 1 : 1 - Math.exp(-reach / p.breadthScale);
    present[did] = 1;
    densityOf[did] = density[i]!;
    breadthOf[did] = breadth;
    activityOf[did] = 1 - Math.exp(-counterparties[i]! / p.activityScale);
    credibility[did] = density[i]! * breadth;
    seedOf[did] = isSeed[i]!;
    anchorOf[did] = isAnchor[i]!;
    counterpartiesOf[did] = counterparties[i]!;
  }

  // Rater fairness, judged with the credibility just computed (clients that never had accepted work are not graph
  // nodes: they get a row of their own with credibility 0, so their fairness is stored too).
  const fairness = raterFairnessOnGraph(graph, credibility, counterpartiesOf, asOfMs, params);
  const rated = new Uint8Array(total);
  let raters = 0;
  let unfairRaters = 0;
  for (let did = 0; did < total; did++) {
    if (!fairness.isRater[did] || !(fairness.negatives[did]! > 0)) continue;
    rated[did] = 1;
    raters++;
    if (fairness.fairness[did]! < 1) unfairRaters++;
    if (!present[did]) present[did] = 2;
  }

  // A platform's credible share, summed in DID order so float rounding cannot depend on row order.
  const platformTotal = new Map<number, number>();
  const platformCredible = new Map<number, number>();
  for (let k = 0; k < ap.length; k++) {
    if (!ap.subjectRole[k] || !(ap.econAccepted[k]! > 0)) continue;
    const platform = ap.platform[k]!;
    platformTotal.set(platform, (platformTotal.get(platform) ?? 0) + ap.econAccepted[k]!);
    platformCredible.set(platform, (platformCredible.get(platform) ?? 0) + ap.econAccepted[k]! * credibility[ap.did[k]!]!);
  }
  const platforms = new Map<string, PlatformCredibility>();
  for (const platform of [...platformTotal.keys()].sort((x, y) => x - y)) {
    const sum = platformTotal.get(platform)!;
    platforms.set(names[platform]!, { credibleShare: sum > 0 ? platformCredible.get(platform)! / sum : null });
  }

  return {
    asOf: new Date(asOfMs).toISOString(),
    names,
    present,
    credibility,
    density: densityOf,
    breadth: breadthOf,
    activity: activityOf,
    seed: seedOf,
    anchor: anchorOf,
    rated,
    fairness: fairness.fairness,
    raterNegatives: fairness.negatives,
    raterExpected: fairness.expected,
    raterAgents: fairness.agents,
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
