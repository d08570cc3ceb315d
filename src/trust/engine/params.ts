// Every constant of the trust model in one typed place. docs/trust-model.md explains each one; the defaults were
// chosen on trust-eval seed 11 and then left alone for seeds 12 and 13.

export interface AggregateParams {
  /** Half-life of positive evidence (accepted work, completions, endorsements), days. */
  halfLifeDays: number;
  /** Half-life of negative evidence (disputes, refunds, rejections, compliance), days. Longer: bad news lingers. */
  negativeHalfLifeDays: number;
  /** Reference time of the stored decayed sums (`*_ep` columns hold Σ x·2^((t − epoch)/halfLife)). */
  decayEpochMs: number;
  /** Unit of an escrow-verified accepted job before value scaling. */
  escrowUnit: number;
  /** Weight of log2(1 + usd / valueScaleUsd) added to an escrow-verified job's unit. */
  valueWeight: number;
  valueScaleUsd: number;
  /** Unit of an accepted job without verified escrow: frequency only, its declared amount never scales it. */
  declaredUnit: number;
}

export interface PropagationParams {
  /** Seed rule: escrow-verified accepted jobs (as worker or client) at least this many. */
  seedMinEscrowJobs: number;
  /** Seed rule: distinct escrow-verified counterparties. */
  seedMinCounterparties: number;
  /** Seed rule: distinct platforms with escrow-verified work. */
  seedMinPlatforms: number;
  /** Seed rule: mean age of the escrow-verified jobs, days (≈ half the history span for steady work). */
  seedMinMeanAgeDays: number;
  /** Power iterations = ceil(iterationsPerLog2 × log2(nodes)), at least minIterations. */
  iterationsPerLog2: number;
  minIterations: number;
  /** Density 1 = this quantile of the seeds' trust per unit of edge weight. */
  referenceQuantile: number;
  /** Share of its trust a node passes on per iteration (the rest stays: a lazy walk never oscillates). */
  laziness: number;
  /** Breadth: 1 − exp(−b / breadthScale), b = escrow counterparties + nonEscrowBreadth × declared-only ones. */
  breadthScale: number;
  nonEscrowBreadth: number;
  /** Activity: 1 − exp(−n / activityScale), n = distinct counterparties of accepted work, any settlement. */
  activityScale: number;
  /** Density given to every node when no seed exists yet (nothing to propagate from). */
  unseededDensity: number;
  /**
   * A DID whose identity an approved platform verified counts this many extra escrow counterparties toward its
   * breadth. Breadth only scales density, so a verification amplifies trust propagation gave, never creates it.
   */
  verificationBreadth: number;
}

/**
 * Rater fairness (REV2-style): how far a client's negative evidence (disputes, refunds, rejected work, incidents it
 * reported) runs above what the agents' other clients report about the same agents. Computed in the propagation
 * job; negative evidence from a client weighs by its fairness.
 */
export interface FairnessParams {
  /** Pseudo-observations at the base rate added to each agent's rate among its other clients (shrinkage). */
  priorObservations: number;
  /**
   * Fairness = min(1, P(Poisson(expected + tolerance × min(1, credibility / credibilityFull)) ≥ negatives) / significance):
   * negatives within chance count fully; the tolerance (expected negatives everyone is granted, "a bad day") is a
   * credible client's in full, a DID no propagation reaches gets a sliver of it.
   */
  significance: number;
  tolerance: number;
  /** Goodness/fairness rounds: other clients' opinions are weighted by their own fairness from the round before. */
  rounds: number;
  /** Weight of a client without credibility when it is one of an agent's "other clients" (sybils agreeing count little). */
  weightFloor: number;
  /**
   * Unknown clients (credibility resting on one counterparty or none) are also judged together per agent, once the
   * agent's independent clients have seen at least this many (credibility-weighted) observations of it.
   */
  poolMinWitness: number;
  /** Fairness ceiling of a client under the restriction rule, unless its disputes are explained by the other clients. */
  restrictedFairness: number;
  /** ABUSIVE_CLIENT: at least this many decayed negatives filed, and a penalty ramping with unfairness (1 − fairness). */
  abusiveMinNegatives: number;
  abusiveStart: number;
  abusiveFull: number;
  /** The largest share of the composite score the abusive-client penalty takes (it joins the anomaly product). */
  abusiveMax: number;
  /** A report notes discounted disputes from a client whose fairness is below this. */
  discountNote: number;
}

export interface PlatformParams {
  /** Weight of evidence from a suspended platform. */
  suspendedWeight: number;
  /** Weight of a registered platform still awaiting approval. */
  pendingWeight: number;
  /** A platform whose evidence is younger than this (mean age, days) counts proportionally less… */
  matureAfterDays: number;
  /** …but never below this. */
  youngFloor: number;
  /** Share of a platform's accepted work done by credible agents at which it counts fully… */
  credibleShareFull: number;
  /** …and the lowest weight an inflating platform keeps. */
  inflatingFloor: number;
}

export interface TrustParams {
  aggregate: AggregateParams;
  propagation: PropagationParams;
  platform: PlatformParams;
  fairness: FairnessParams;

  /**
   * Weak voices do not add up: a counterparty of credibility c counts c · ramp(c; credibilityFloor, credibilityFull),
   * so a crowd of throwaway DIDs (each just above zero) adds nothing, while a thin but real client counts fully.
   */
  credibilityFloor: number;
  credibilityFull: number;
  /** Per-counterparty cap: a pair adds G·(1 − exp(−m/G)) for decayed mass m, so it never adds more than G. */
  pairCap: number;
  /** E = 1 − exp(−X / economicScale). */
  economicScale: number;
  /** P = 1 − exp(−Y / productivityScale). */
  productivityScale: number;
  completionCap: number;
  applicationWeight: number;
  applicationCap: number;
  /** An endorsement counts only from a client that paid the agent, never from a mutual endorser. */
  endorsementWeight: number;
  /** D = 1 − exp(−diversity / diversityScale). */
  diversityScale: number;
  /** A counterparty adds 1 − exp(−diversityPerJob × decayed jobs) to the diversity sum. */
  diversityPerJob: number;
  /** Each extra platform with accepted work adds this much diversity; a platform verification adds verificationDiversity. */
  platformDiversity: number;
  verificationDiversity: number;

  /** Behaviour B = (good + priorGood) / (good + bad + priorGood + priorBad). */
  priorGood: number;
  priorBad: number;
  disputeWeight: number;
  refundWeight: number;
  rejectedWorkWeight: number;
  /** Negative evidence from a counterparty of credibility c weighs negativeFloor + (1 − negativeFloor)·c. */
  negativeFloor: number;

  /** Recency mass: applications count this much of an accepted job. */
  recencyApplicationWeight: number;

  /** Composite: score = 100 · B^behaviorExponent · S · (1 + A) · (1 + C), S = prior + (1 − prior)·Σ w·dim. */
  behaviorExponent: number;
  prior: number;
  weights: { E: number; P: number; D: number; R: number };

  anomaly: {
    /** Sybil cluster: share u of accepted work with active-but-unreached counterparties; penalty ramps from start to full. */
    sybilStart: number;
    sybilFull: number;
    /** A counterparty below this density counts as unreached for the sybil share. */
    sybilDensity: number;
    /** Reciprocity of a pair = min/max of paid jobs each way; at reciprocalFull the pair is fully round-tripping. */
    reciprocalFull: number;
    /** Penalty = reciprocal share of accepted work, ramped to full at reciprocalShareFull. */
    reciprocalShareFull: number;
    /** Mutual endorsers at which the endorsement-ring penalty is full, and that full penalty. */
    ringMutualFull: number;
    ringMax: number;
    /** Burst: an hour with ≥ max(burstMinJobs, burstFactor × median active hour) economic receipts. */
    burstMinJobs: number;
    burstFactor: number;
    /** Share of the last 90 days' economic receipts inside burst hours at which the penalty reaches burstMax. */
    burstShareFull: number;
    /** A spike can be real demand, and credibility weighting already removes its gain: the penalty is bounded. */
    burstMax: number;
    /** Concentration: top counterparty's share of accepted work above concentrationStart, with at least
     * concentrationMinJobs jobs (full at concentrationFullJobs), costs up to concentrationMax. */
    concentrationStart: number;
    concentrationMinJobs: number;
    concentrationFullJobs: number;
    concentrationMax: number;
  };

  compliance: {
    /** C = −(1 − exp(−k · V)), V = decayed violations + incidentWeight × decayed incidents. */
    k: number;
    incidentWeight: number;
  };

  /** confidence = 1 − exp(−n / confidenceScale), n = credibility-weighted decayed economic outcomes (+ others at otherWeight). */
  confidenceScale: number;
  confidenceOtherWeight: number;

  client: { restrictRate: number; restrictMinDisputes: number };

  /** Window lengths in days (lifetime has none). */
  windows: { d7: number; d30: number; d90: number };

  flags: {
    highDisputeRate: number;
    highDisputeMinJobs: number;
    staleRecency: number;
  };

  /** How many explanation entries a report lists. */
  explanationSize: number;
}

export const DEFAULT_TRUST_PARAMS: TrustParams = deepFreeze({
  aggregate: {
    halfLifeDays: 90,
    negativeHalfLifeDays: 180,
    decayEpochMs: Date.UTC(2020, 0, 1),
    escrowUnit: 0.5,
    valueWeight: 0.5,
    valueScaleUsd: 100,
    declaredUnit: 0.5,
  },
  propagation: {
    seedMinEscrowJobs: 5,
    seedMinCounterparties: 3,
    seedMinPlatforms: 2,
    seedMinMeanAgeDays: 60,
    iterationsPerLog2: 1,
    minIterations: 6,
    referenceQuantile: 0.1,
    laziness: 0.5,
    breadthScale: 2,
    nonEscrowBreadth: 0.3,
    activityScale: 3,
    unseededDensity: 0.5,
    verificationBreadth: 1,
  },
  platform: {
    suspendedWeight: 0.1,
    pendingWeight: 0.5,
    matureAfterDays: 30,
    youngFloor: 0.3,
    credibleShareFull: 0.3,
    inflatingFloor: 0.1,
  },
  fairness: {
    priorObservations: 3,
    significance: 0.05,
    tolerance: 0.25,
    rounds: 3,
    weightFloor: 0.05,
    restrictedFairness: 0.5,
    poolMinWitness: 1,
    abusiveMinNegatives: 3,
    abusiveStart: 0.4,
    abusiveFull: 0.8,
    abusiveMax: 0.6,
    discountNote: 0.9,
  },
  credibilityFloor: 0.1,
  credibilityFull: 0.3,
  pairCap: 1.5,
  economicScale: 2.5,
  productivityScale: 2,
  completionCap: 1,
  applicationWeight: 0.15,
  applicationCap: 1,
  endorsementWeight: 0.3,
  diversityScale: 3,
  diversityPerJob: 2,
  platformDiversity: 0.5,
  verificationDiversity: 0.3,
  priorGood: 3,
  priorBad: 0.3,
  disputeWeight: 2,
  refundWeight: 1,
  rejectedWorkWeight: 0.5,
  negativeFloor: 0.5,
  recencyApplicationWeight: 0.25,
  behaviorExponent: 2,
  prior: 0.4,
  weights: { E: 0.4, P: 0.15, D: 0.3, R: 0.15 },
  anomaly: {
    sybilStart: 0.3,
    sybilFull: 0.7,
    sybilDensity: 0.5,
    reciprocalFull: 0.2,
    reciprocalShareFull: 0.5,
    ringMutualFull: 3,
    ringMax: 0.6,
    burstMinJobs: 6,
    burstFactor: 10,
    burstShareFull: 0.5,
    burstMax: 0.5,
    concentrationStart: 0.5,
    concentrationMinJobs: 5,
    concentrationFullJobs: 20,
    concentrationMax: 0.4,
  },
  compliance: { k: 0.5, incidentWeight: 0.35 },
  confidenceScale: 5,
  confidenceOtherWeight: 0.2,
  client: { restrictRate: 0.4, restrictMinDisputes: 3 },
  windows: { d7: 7, d30: 30, d90: 90 },
  flags: { highDisputeRate: 0.2, highDisputeMinJobs: 5, staleRecency: 0.25 },
  explanationSize: 6,
});

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Defaults with some values replaced (tests and experiments); the result is frozen like the defaults. */
export function trustParams(overrides: DeepPartial<TrustParams> = {}): TrustParams {
  return deepFreeze(merge(structuredClone(DEFAULT_TRUST_PARAMS) as unknown as Record<string, unknown>, overrides as Record<string, unknown>) as unknown as TrustParams);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = base[key];
    if (value !== null && typeof value === 'object' && current !== null && typeof current === 'object') {
      base[key] = merge({ ...(current as Record<string, unknown>) }, value as Record<string, unknown>);
    } else {
      base[key] = value;
    }
  }
  return base;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
