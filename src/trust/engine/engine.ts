// The trust engine: (aggregates of one DID, credibility from the last propagation run, params, asOf) → TrustReport.
// Pure: no clock, no I/O. Reads only the rows in AgentAggregates, so its cost depends on the number of distinct
// counterparties, platforms and active hours in the last 90 days, never on the number of receipts.

import type { AgentAggregates, HourBucketRow, PairRow } from './evidence.ts';
import { DAY_MS, hourOf, HOUR_MS, orderAggregates, readWeight, toMs } from './evidence.ts';
import type { TrustParams } from './params.ts';
import { DEFAULT_TRUST_PARAMS } from './params.ts';
import type { NodeCredibility, PlatformStanding } from './propagation.ts';
import { platformWeight } from './propagation.ts';
import type {
  ClientStats,
  ExplanationItem,
  TrustFlag,
  TrustReport,
  TrustVector,
  TrustWindows,
  WindowStats,
} from './types.ts';
import { tierOf } from './types.ts';

export interface TrustInput {
  did: string;
  aggregates: AgentAggregates;
  /** Propagation output for (at least) the DID's counterparties; a DID missing here has credibility 0. */
  credibility: ReadonlyMap<string, NodeCredibility>;
  /** Standing of (at least) the DID's platforms. A counterparty listed here is a platform acting as itself. */
  platforms: ReadonlyMap<string, PlatformStanding>;
  /** The DID's own propagation row: its rater fairness as a client (ABUSIVE_CLIENT). Absent = fair. */
  self?: NodeCredibility | null;
  /**
   * `windowStats` of these aggregates at asOf, when the caller already has it: a caller holding the same rows across
   * reads keeps it per `windowBounds` (the windows depend on asOf only through those hours). Computed when absent.
   */
  windows?: TrustWindows;
  /** `clientStats` of these aggregates, when the caller already has it (it does not depend on asOf). */
  client?: ClientStats;
}

/** What a report holds beyond its numbers and flags. */
export interface ReportOptions {
  /**
   * false: skip the explanation, and leave the report's `explanation` as `NOT_EXPLAINED`. Building its texts was
   * about 40% of the engine's time per report, and most readers (a trustBatch of scores, a policy check, the webhook
   * announcer) never read it. Only for a caller that will not read or pass on the explanation. Default true.
   */
  explain?: boolean;
}

/** The `explanation` of a report computed with `explain: false`: empty, shared and frozen. */
export const NOT_EXPLAINED: ExplanationItem[] = Object.freeze([]) as unknown as ExplanationItem[];

/** Per-dimension internals, exposed for tests, the explanation and the docs. */
export interface TrustBreakdown {
  economicMass: number;
  productivityMass: number;
  diversityMass: number;
  good: number;
  bad: number;
  violationMass: number;
  platformFactor: number;
  anomalies: { sybil: number; reciprocal: number; ring: number; burst: number; concentration: number; abusiveClient: number };
  /** Negative evidence (dispute-weighted, decayed) left out because the clients who filed it rate unfairly. */
  discountedNegatives: number;
  sybilShare: number;
  reciprocalShare: number;
  burstShare: number;
  topCounterpartyShare: number;
  evidenceMass: number;
}

/**
 * asOf as ISO-8601, remembered for the last instant formatted: a trustBatch formats the same asOf for each of its
 * reports, and toISOString was about 2% of a batch's CPU.
 */
let lastIso = { ms: Number.NaN, iso: '' };
function isoOf(ms: number): string {
  if (lastIso.ms !== ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

// 10 ** digits, looked up: the power was most of rounding's cost, and a report rounds a dozen numbers or more.
const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
const round = (x: number, digits: number) => {
  const f = POWERS_OF_TEN[digits] ?? 10 ** digits;
  return Math.round(x * f) / f + 0; // + 0 turns −0 into 0
};
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
/** 0 at start, 1 at full, linear between. */
const ramp = (x: number, start: number, full: number) => (full <= start ? (x >= full ? 1 : 0) : clamp01((x - start) / (full - start)));
/** Concave per-counterparty cap: grows like m for small m, never exceeds cap. */
const capped = (m: number, cap: number) => cap * (1 - Math.exp(-m / cap));

function emptyWindow(): WindowStats {
  return {
    tasks: 0, accepted: 0, disputed: 0, refunded: 0, acceptedRate: 0, disputeRate: 0, volumeUsd: 0, avgValueUsd: 0,
    uniqueCounterparties: 0, escrowVerifiedShare: 0, verifiedVolumeUsd: 0,
  };
}

function finishWindow(w: { accepted: number; disputed: number; refunded: number; escrow: number; volume: number; verified: number; counterparties: number }): WindowStats {
  const tasks = w.accepted + w.disputed + w.refunded;
  return {
    tasks,
    accepted: w.accepted,
    disputed: w.disputed,
    refunded: w.refunded,
    acceptedRate: tasks ? round(w.accepted / tasks, 4) : 0,
    disputeRate: tasks ? round(w.disputed / tasks, 4) : 0,
    volumeUsd: round(w.volume, 2),
    avgValueUsd: w.accepted ? round(w.volume / w.accepted, 2) : 0,
    uniqueCounterparties: w.counterparties,
    escrowVerifiedShare: tasks ? round(w.escrow / tasks, 4) : 0,
    verifiedVolumeUsd: round(w.verified, 2),
  };
}

export function clientStats(aggregates: AgentAggregates, params: TrustParams): ClientStats {
  const row = aggregates.client;
  const jobs = row?.jobs ?? 0;
  const disputes = row?.disputesFiled ?? 0;
  const rate = jobs > 0 ? disputes / jobs : 0;
  return {
    jobsAsClient: jobs,
    disputesFiled: disputes,
    disputeRate: round(rate, 4),
    restricted: disputes >= params.client.restrictMinDisputes && rate >= params.client.restrictRate,
  };
}

/**
 * Window stats. d7/d30/d90 come from hour buckets: a bucket counts when its hour is in
 * [hour(asOf − window), hour(asOf)], so the boundary is exact to the hour. Lifetime comes from the pair rows.
 * uniqueCounterparties per window counts pairs whose last economic hour falls in the window.
 */
export function windowStats(aggregates: AgentAggregates, params: TrustParams, asOfMs: number, skipDid?: string): TrustWindows {
  const [asOfHour, d7Start, d30Start, d90Start] = windowBounds(params, asOfMs);
  const starts = { d7: d7Start, d30: d30Start, d90: d90Start };
  const acc = {
    d7: { accepted: 0, disputed: 0, refunded: 0, escrow: 0, volume: 0, verified: 0, counterparties: 0 },
    d30: { accepted: 0, disputed: 0, refunded: 0, escrow: 0, volume: 0, verified: 0, counterparties: 0 },
    d90: { accepted: 0, disputed: 0, refunded: 0, escrow: 0, volume: 0, verified: 0, counterparties: 0 },
    lifetime: { accepted: 0, disputed: 0, refunded: 0, escrow: 0, volume: 0, verified: 0, counterparties: 0 },
  };
  // Plain indexed loops: this runs over up to 2,160 hour buckets on every read.
  const bucketWindows = [acc.d7, acc.d30, acc.d90];
  const bucketStarts = [starts.d7, starts.d30, starts.d90];
  const earliest = Math.min(...bucketStarts);
  for (const b of aggregates.buckets) {
    if (b.hour > asOfHour || b.hour < earliest) continue;
    for (let k = 0; k < 3; k += 1) {
      if (b.hour < bucketStarts[k]!) continue;
      const w = bucketWindows[k]!;
      w.accepted += b.econAccepted;
      w.disputed += b.econDisputed;
      w.refunded += b.econRefunded;
      w.escrow += b.econEscrow;
      w.volume += b.valueAcceptedUsd;
      w.verified += b.valueEscrowAcceptedUsd;
    }
  }
  for (const pair of aggregates.pairs) {
    if (pair.counterpartyDid === skipDid || pair.firstHour > asOfHour) continue;
    const life = acc.lifetime;
    life.accepted += pair.econAccepted;
    life.disputed += pair.econDisputed;
    life.refunded += pair.econRefunded;
    life.escrow += pair.econEscrow;
    life.volume += pair.valueAcceptedUsd;
    life.verified += pair.valueEscrowAcceptedUsd;
    if (pair.econLastHour === null || pair.econFirstHour === null || pair.econFirstHour > asOfHour) continue;
    life.counterparties++;
    if (pair.econLastHour >= starts.d7) acc.d7.counterparties++;
    if (pair.econLastHour >= starts.d30) acc.d30.counterparties++;
    if (pair.econLastHour >= starts.d90) acc.d90.counterparties++;
  }
  return { d7: finishWindow(acc.d7), d30: finishWindow(acc.d30), d90: finishWindow(acc.d90), lifetime: finishWindow(acc.lifetime) };
}

/**
 * Everything `windowStats` reads of asOf: the hour of asOf and the hours the d7, d30 and d90 windows start in. Two
 * instants with equal bounds give equal windows for the same aggregates.
 */
export function windowBounds(params: TrustParams, asOfMs: number): [asOfHour: number, d7Start: number, d30Start: number, d90Start: number] {
  const w = params.windows;
  return [hourOf(asOfMs), hourOf(asOfMs - w.d7 * DAY_MS), hourOf(asOfMs - w.d30 * DAY_MS), hourOf(asOfMs - w.d90 * DAY_MS)];
}

/** Economic receipts in hours far above the agent's own rate over the last 90 days. */
export function detectBursts(buckets: readonly HourBucketRow[], firstEconHour: number | null, params: TrustParams, asOfMs: number) {
  const asOfHour = hourOf(asOfMs);
  const from = hourOf(asOfMs - params.windows.d90 * DAY_MS);
  let total = 0;
  const counts: number[] = [];
  for (const b of buckets) {
    if (b.hour > asOfHour || b.hour < from) continue;
    const c = b.econAccepted + b.econDisputed + b.econRefunded;
    if (c <= 0) continue;
    total += c;
    counts.push(c);
  }
  if (total === 0) return { share: 0, jobs: 0, hours: 0, threshold: 0 };
  // The baseline is the agent's average hourly rate over the window (or its life if shorter, at least a week).
  const lifeHours = firstEconHour === null ? 0 : asOfHour - firstEconHour + 1;
  const spanHours = Math.max(7 * 24, Math.min(params.windows.d90 * 24, lifeHours));
  const threshold = Math.max(params.anomaly.burstMinJobs, params.anomaly.burstFactor * (total / spanHours));
  let jobs = 0;
  let hours = 0;
  for (const c of counts) if (c >= threshold) {
    jobs += c;
    hours++;
  }
  return { share: jobs / total, jobs, hours, threshold };
}

export function computeTrustReport(input: TrustInput, params: TrustParams = DEFAULT_TRUST_PARAMS, asOf: Date | number, options?: ReportOptions): TrustReport {
  return computeTrust(input, params, asOf, options).report;
}

export function computeTrust(
  input: TrustInput,
  params: TrustParams,
  asOf: Date | number,
  options?: ReportOptions,
): { report: TrustReport; breakdown: TrustBreakdown } {
  const asOfMs = toMs(asOf);
  const asOfHour = hourOf(asOfMs);
  const { did, aggregates } = input;
  const agg = params.aggregate;
  const an = params.anomaly;
  const rwPos = readWeight(asOfMs, agg.halfLifeDays, agg);
  const rwNeg = readWeight(asOfMs, agg.negativeHalfLifeDays, agg);
  const flags: TrustFlag[] = [];
  const client = input.client ?? clientStats(aggregates, params);

  const weightCache = new Map<string, number>();
  const weightOf = (platformDid: string) => {
    let w = weightCache.get(platformDid);
    if (w === undefined) weightCache.set(platformDid, (w = platformWeight(input.platforms.get(platformDid), params.platform, asOfMs)));
    return w;
  };

  // Rows in key order, so float sums cannot depend on the order the database returned them in (already so when the
  // reader ordered them once). Pairs that begin after asOf are skipped where they are read, not copied out.
  const ordered = orderAggregates(aggregates);
  const pairs = ordered.pairs;
  const windows = input.windows ?? windowStats(ordered, params, asOfMs, did);

  if (!pairs.some((pair) => pair.firstHour <= asOfHour)) {
    flags.push({ code: 'NO_HISTORY', severity: 'info', detail: 'no stored evidence about this DID as a subject' });
    if (client.restricted) flags.push(restrictedFlag(client));
    const abusive = abusivePenalty(input.self, params);
    if (abusive > 0) flags.push(abusiveFlag(input.self!, abusive));
    const zero: TrustVector = { E: 0, P: 0, B: 0, D: 0, R: 0, A: 0, C: 0 };
    return {
      report: { did, asOf: isoOf(asOfMs), vector: zero, score: 0, tier: 'F', confidence: 0, windows, client, flags, explanation: options?.explain === false ? NOT_EXPLAINED : [] },
      breakdown: {
        economicMass: 0, productivityMass: 0, diversityMass: 0, good: 0, bad: 0, violationMass: 0, platformFactor: 1,
        anomalies: { sybil: 0, reciprocal: 0, ring: 0, burst: 0, concentration: 0, abusiveClient: abusive }, sybilShare: 0,
        reciprocalShare: 0, burstShare: 0, topCounterpartyShare: 0, evidenceMass: 0, discountedNegatives: 0,
      },
    };
  }

  const reverse = reversePairs(ordered, did, ordered === aggregates);

  let X = 0; // economic mass
  let Y = 0; // productivity mass
  let diversity = 0;
  let good = 0;
  let bad = 0;
  let violations = 0;
  let violationCount = 0;
  let evidence = 0;
  let sybilNum = 0;
  let reciprocalNum = 0;
  let acceptedDecayed = 0;
  let topPair = 0;
  let mutualEndorsers = 0;
  let reciprocalPairs = 0;
  let selfReceipts = 0;
  let activity = 0;
  let activityDecayed = 0;
  let firstActiveHour = Number.POSITIVE_INFINITY;
  let firstEconHour: number | null = null;
  let laterEvidence = false;
  let acceptedJobs = 0;
  let declaredValue = 0;
  let escrowValue = 0;
  let discounted = 0;
  let discountedReceipts = 0;
  let negativeReceipts = 0;
  let discountedClients = 0;

  for (const pair of pairs) {
    if (pair.firstHour > asOfHour) continue;
    if (pair.lastHour > asOfHour) laterEvidence = true;
    const cp = pair.counterpartyDid;
    const accDec = pair.acceptedEp * rwPos;
    if (cp === did) {
      // Self-dealing never counts as evidence; it only feeds the penalty.
      selfReceipts += pair.receipts;
      reciprocalNum += accDec;
      acceptedDecayed += accDec;
      continue;
    }
    const isPlatform = input.platforms.has(cp);
    const node = isPlatform ? undefined : input.credibility.get(cp);
    const rawCred = isPlatform ? weightOf(cp) : (node?.credibility ?? 0);
    const cred = isPlatform ? rawCred : rawCred * ramp(rawCred, params.credibilityFloor, params.credibilityFull);
    const back = reverse.get(cp);

    // Paid work in both directions is round-tripping: the pair's positive evidence fades as it becomes symmetric.
    const fwd = pair.econAccepted;
    const rev = back?.econAccepted ?? 0;
    const reciprocity = fwd > 0 && rev > 0 ? Math.min(1, Math.min(fwd, rev) / Math.max(fwd, rev) / an.reciprocalFull) : 0;
    if (reciprocity > 0) reciprocalPairs++;
    const keep = 1 - reciprocity;
    const mutual = pair.endorsements > 0 && (back?.endorsements ?? 0) > 0;
    if (mutual) mutualEndorsers++;

    X += cred * keep * capped(pair.posMassEp * rwPos, params.pairCap);
    Y += cred * keep * capped(pair.completionsEp * rwPos, params.completionCap);
    Y += cred * params.applicationWeight * capped(pair.applicationsEp * rwPos, params.applicationCap);
    if (pair.econAccepted > 0 && !mutual) Y += cred * keep * params.endorsementWeight * Math.min(1, pair.endorsementsEp * rwPos);
    diversity += cred * keep * (1 - Math.exp(-params.diversityPerJob * accDec));
    if (pair.verifications > 0) diversity += cred * params.verificationDiversity;

    good += cred * keep * accDec;
    // Negative evidence: a weak voice never erases bad news (the floor), but a client whose disputes run far above
    // what its agents' other clients report loses that weight (rater fairness; a platform acting as itself has none).
    const fair = isPlatform ? 1 : Math.max(0, Math.min(1, node?.fairness ?? 1));
    const voice = params.negativeFloor + (1 - params.negativeFloor) * Math.min(1, rawCred);
    const negWeight = fair * voice;
    const negMass =
      rwNeg * (params.disputeWeight * pair.disputedEp + params.refundWeight * pair.refundedEp + params.rejectedWorkWeight * pair.rejectedWorkEp);
    bad += negWeight * negMass;
    const v = (pair.violationsEp + params.compliance.incidentWeight * pair.incidentsEp) * rwNeg;
    violations += negWeight * v;
    const pairNegatives = pair.econDisputed + pair.econRefunded + pair.rejectedWork + (isPlatform ? 0 : pair.violations + pair.incidents);
    negativeReceipts += pairNegatives;
    if (fair < params.fairness.discountNote && pairNegatives > 0) {
      discounted += (1 - fair) * voice * negMass;
      discountedReceipts += pairNegatives;
      discountedClients++;
    }
    violationCount += pair.violations + pair.incidents;

    if (node && !isPlatform) sybilNum += accDec * node.activity * Math.max(0, 1 - node.density / an.sybilDensity);
    reciprocalNum += accDec * reciprocity;
    acceptedDecayed += accDec;
    if (!isPlatform) topPair = Math.max(topPair, accDec);

    evidence +=
      cred * (accDec + fair * (pair.disputedEp + pair.refundedEp) * rwNeg) +
      params.confidenceOtherWeight * cred * (pair.completionsEp + pair.applicationsEp) * rwPos;

    const act = pair.econAccepted + pair.completions + params.recencyApplicationWeight * pair.applications;
    if (act > 0) {
      activity += act;
      activityDecayed += (pair.acceptedEp + pair.completionsEp + params.recencyApplicationWeight * pair.applicationsEp) * rwPos;
      firstActiveHour = Math.min(firstActiveHour, pair.firstHour);
    }
    if (pair.econFirstHour !== null) firstEconHour = firstEconHour === null ? pair.econFirstHour : Math.min(firstEconHour, pair.econFirstHour);
    acceptedJobs += pair.econAccepted;
    escrowValue += pair.valueEscrowAcceptedUsd;
    declaredValue += pair.valueAcceptedUsd - pair.valueEscrowAcceptedUsd;
  }

  // Platform weighting of positive evidence: the agent's accepted work (else all its receipts) per platform.
  let platformAccepted = 0;
  let platformWeighted = 0;
  let platformReceipts = 0;
  let platformReceiptsWeighted = 0;
  let platformsWithWork = 0;
  for (const row of ordered.platforms) {
    if (row.role !== 'subject') continue;
    const w = weightOf(row.platformDid);
    platformAccepted += row.econAccepted;
    platformWeighted += w * row.econAccepted;
    platformReceipts += row.receipts;
    platformReceiptsWeighted += w * row.receipts;
    if (row.econAccepted > 0) platformsWithWork += w;
  }
  const platformFactor = platformAccepted > 0 ? platformWeighted / platformAccepted : platformReceipts > 0 ? platformReceiptsWeighted / platformReceipts : 1;
  X *= platformFactor;
  Y *= platformFactor;
  diversity = diversity * platformFactor + params.platformDiversity * Math.max(0, platformsWithWork - 1);

  // Dimensions.
  const E = 1 - Math.exp(-X / params.economicScale);
  const P = 1 - Math.exp(-Y / params.productivityScale);
  const D = 1 - Math.exp(-diversity / params.diversityScale);
  const B = (good + params.priorGood) / (good + bad + params.priorGood + params.priorBad);
  let R = 0;
  if (activity > 0) {
    // Decayed activity against what steady work over the agent's life would leave after decay: ~1 when the agent
    // works as it always has (however long), → 0 when its work stopped.
    const H = agg.halfLifeDays;
    const lifeDays = Math.max(1, ((asOfHour - firstActiveHour + 1) * HOUR_MS) / DAY_MS);
    const expected = ((activity * H) / Math.LN2 / lifeDays) * (1 - 2 ** (-lifeDays / H));
    R = clamp01(activityDecayed / expected);
  }

  const sybilShare = acceptedDecayed > 0 ? sybilNum / acceptedDecayed : 0;
  const reciprocalShare = acceptedDecayed > 0 ? reciprocalNum / acceptedDecayed : 0;
  const topShare = acceptedDecayed > 0 ? topPair / acceptedDecayed : 0;
  const burst = detectBursts(ordered.buckets, firstEconHour, params, asOfMs);
  const anomalies = {
    sybil: ramp(sybilShare, an.sybilStart, an.sybilFull),
    reciprocal: ramp(reciprocalShare, 0, an.reciprocalShareFull),
    ring: an.ringMax * Math.min(1, mutualEndorsers / an.ringMutualFull),
    burst: an.burstMax * ramp(burst.share, 0, an.burstShareFull),
    concentration:
      an.concentrationMax * ramp(topShare, an.concentrationStart, 1) * ramp(acceptedJobs, an.concentrationMinJobs, an.concentrationFullJobs),
    // Client behaviour is part of an agent's trust: abusing the dispute process as a buyer costs the composite.
    abusiveClient: abusivePenalty(input.self, params),
  };
  let keepAfterAnomalies = 1;
  for (const a of Object.values(anomalies)) keepAfterAnomalies *= 1 - clamp01(a);
  const A = -(1 - keepAfterAnomalies);
  const C = -(1 - Math.exp(-params.compliance.k * violations));

  // Composite: quality (B) times how much credible, recent, diverse evidence backs it, times the penalties.
  const w = params.weights;
  const S = params.prior + (1 - params.prior) * (w.E * E + w.P * P + w.D * D + w.R * R);
  const gamma = params.behaviorExponent;
  const priorB = params.priorGood / (params.priorGood + params.priorBad);
  const base = 100 * priorB ** gamma;
  const bFactor = (B / priorB) ** gamma;
  const raw = base * S * bFactor * (1 + A) * (1 + C);
  // One decimal, the one rounding rule: the API, the profile page and the badge all show this number, and the tier
  // follows it, so a page never shows 40.0 next to tier D.
  const score = round(Math.max(0, Math.min(100, raw)), 1);

  // Explanation: an exact additive split of the score (prior and evidence terms at the prior B, then B, A, C).
  let explanation = NOT_EXPLAINED;
  if (options?.explain !== false) {
    const scale = 1 - params.prior;
    const terms: ExplanationItem[] = [
      { factor: 'prior', points: base * params.prior, detail: `starting point for any DID with evidence (${params.prior} of the evidence scale)` },
      { factor: 'E', points: base * scale * w.E * E, detail: `economic: credibility-weighted settled work, E=${round(E, 3)}` },
      { factor: 'P', points: base * scale * w.P * P, detail: `productivity: completions, applications, paid-client endorsements, P=${round(P, 3)}` },
      { factor: 'D', points: base * scale * w.D * D, detail: `diversity: credible counterparties and platforms, D=${round(D, 3)}` },
      { factor: 'R', points: base * scale * w.R * R, detail: `recency: current activity against the agent's own history, R=${round(R, 3)}` },
    ];
    const p0 = base * S;
    terms.push({ factor: 'B', points: p0 * (bFactor - 1), detail: `behaviour: disputes, refunds and rejections against good work, B=${round(B, 3)}` });
    terms.push({ factor: 'A', points: p0 * bFactor * A, detail: `anomaly penalty A=${round(A, 3)}${anomalyText(anomalies)}` });
    terms.push({ factor: 'C', points: p0 * bFactor * (1 + A) * C, detail: `compliance penalty C=${round(C, 3)} (${violationCount} violation/incident receipts)` });
    explanation = terms
      .map((t) => ({ ...t, points: round(t.points, 2) }))
      .filter((t) => t.points !== 0)
      .sort((x, y) => Math.abs(y.points) - Math.abs(x.points) || (x.factor < y.factor ? -1 : 1))
      .slice(0, params.explanationSize);
  }

  // Flags.
  if (selfReceipts > 0 || anomalies.reciprocal > 0) {
    flags.push({
      code: 'SELF_DEALING',
      severity: anomalies.reciprocal >= 0.5 || selfReceipts > 0 ? 'critical' : 'warning',
      detail: `${round(100 * reciprocalShare, 1)}% of accepted work is round-tripped (${reciprocalPairs} counterparties paid in both directions${selfReceipts ? `, ${selfReceipts} receipts naming itself` : ''})`,
    });
  }
  if (mutualEndorsers > 0) {
    flags.push({
      code: 'RECIPROCAL_RING',
      severity: mutualEndorsers >= an.ringMutualFull ? 'critical' : 'warning',
      detail: `${mutualEndorsers} counterparties endorse this agent and are endorsed by it; their endorsements are ignored`,
    });
  }
  if (burst.jobs > 0) {
    flags.push({
      code: 'BURST',
      severity: anomalies.burst >= 0.25 ? 'critical' : 'warning',
      detail: `${burst.jobs} economic receipts in ${burst.hours} hour(s) at ≥ ${round(burst.threshold, 1)}/hour, ${round(100 * burst.share, 1)}% of the last 90 days`,
    });
  }
  if (anomalies.sybil > 0) {
    flags.push({
      code: 'SYBIL_CLUSTER',
      severity: anomalies.sybil >= 0.5 ? 'critical' : 'warning',
      detail: `${round(100 * sybilShare, 1)}% of accepted work is with active counterparties that trust propagation does not reach`,
    });
  }
  if (anomalies.concentration > 0) {
    flags.push({
      code: 'COUNTERPARTY_CONCENTRATION',
      severity: 'warning',
      detail: `one counterparty accounts for ${round(100 * topShare, 1)}% of recent accepted work`,
    });
  }
  if (violationCount > 0) {
    flags.push({
      code: 'COMPLIANCE_VIOLATION',
      severity: C <= -0.2 ? 'critical' : 'warning',
      detail: `${violationCount} compliance receipts, decayed weight ${round(violations, 3)}, penalty C=${round(C, 3)}`,
    });
  }
  if (client.restricted) flags.push(restrictedFlag(client));
  if (anomalies.abusiveClient > 0) flags.push(abusiveFlag(input.self!, anomalies.abusiveClient));
  if (discountedReceipts > 0) {
    flags.push({
      code: 'DISPUTES_DISCOUNTED',
      severity: 'info',
      detail: `${discountedReceipts} of ${negativeReceipts} disputes, refunds and rejections were discounted because of who filed them: ${discountedClients} client(s) whose disputes run far above what their agents' other clients report (${round(discounted, 3)} of negative weight left out)`,
    });
  }
  const life = windows.lifetime;
  if (life.tasks >= params.flags.highDisputeMinJobs && life.disputeRate >= params.flags.highDisputeRate) {
    flags.push({ code: 'HIGH_DISPUTE_RATE', severity: 'warning', detail: `lifetime dispute rate ${round(100 * life.disputeRate, 1)}% over ${life.tasks} jobs` });
  }
  if (activity > 0 && R < params.flags.staleRecency) {
    flags.push({ code: 'STALE_HISTORY', severity: 'info', detail: `recent activity is ${round(100 * R, 1)}% of the agent's own usual rate` });
  }
  if (declaredValue > 0 && declaredValue > escrowValue) {
    flags.push({ code: 'UNVERIFIED_VOLUME', severity: 'info', detail: `$${round(declaredValue, 2)} of accepted value has no settled escrow and does not scale E` });
  }
  if (platformFactor < 0.5) {
    flags.push({ code: 'LOW_CREDIBILITY_PLATFORM', severity: 'warning', detail: `evidence comes from new, suspended or inflating platforms (weight ${round(platformFactor, 3)})` });
  }
  if (laterEvidence) {
    flags.push({ code: 'LATER_EVIDENCE_INCLUDED', severity: 'info', detail: 'some counterparty rows hold receipts after asOf; rebuild aggregates up to asOf for an exact audit' });
  }

  const vector: TrustVector = { E: round(E, 4), P: round(P, 4), B: round(B, 4), D: round(D, 4), R: round(R, 4), A: round(A, 4), C: round(C, 4) };
  const confidence = round(1 - Math.exp(-evidence / params.confidenceScale), 4);
  return {
    report: { did, asOf: isoOf(asOfMs), vector, score, tier: tierOf(score), confidence, windows, client, flags, explanation },
    breakdown: {
      economicMass: X, productivityMass: Y, diversityMass: diversity, good, bad, violationMass: violations, platformFactor,
      anomalies, sybilShare, reciprocalShare, burstShare: burst.share, topCounterpartyShare: topShare, evidenceMass: evidence,
      discountedNegatives: discounted,
    },
  };
}

// The agent's rows as a client, by the agent it paid: they depend on the rows alone, so for rows the caller holds
// across reads (already in key order, not a copy made for this report) they are indexed once.
const reversePairsOf = new WeakMap<AgentAggregates, { did: string; byAgent: ReadonlyMap<string, PairRow> }>();
function reversePairs(ordered: AgentAggregates, did: string, held: boolean): ReadonlyMap<string, PairRow> {
  const kept = held ? reversePairsOf.get(ordered) : undefined;
  if (kept?.did === did) return kept.byAgent;
  const byAgent = new Map<string, PairRow>();
  for (const row of ordered.clientPairs) if (row.counterpartyDid === did) byAgent.set(row.subjectDid, row);
  if (held) reversePairsOf.set(ordered, { did, byAgent });
  return byAgent;
}

function restrictedFlag(client: ClientStats): TrustFlag {
  return {
    code: 'CLIENT_RESTRICTED',
    severity: 'warning',
    detail: `as a client: ${client.disputesFiled} disputes filed over ${client.jobsAsClient} jobs (${round(100 * client.disputeRate, 1)}%)`,
  };
}

/** The composite's abusive-client penalty: ramps with 1 − fairness once enough negatives were filed. */
export function abusivePenalty(self: NodeCredibility | null | undefined, params: TrustParams): number {
  const f = params.fairness;
  if (!self || (self.raterNegatives ?? 0) < f.abusiveMinNegatives) return 0;
  return f.abusiveMax * ramp(1 - (self.fairness ?? 1), f.abusiveStart, f.abusiveFull);
}

function abusiveFlag(self: NodeCredibility, penalty: number): TrustFlag {
  return {
    code: 'ABUSIVE_CLIENT',
    severity: penalty >= 0.3 ? 'critical' : 'warning',
    detail:
      `as a client: ${round(self.raterNegatives ?? 0, 2)} disputes, refunds and rejections (decayed) against ${self.raterAgents ?? 0} agents, ` +
      `where those agents' other clients explain ${round(self.raterExpected ?? 0, 2)}; rater fairness ${round(self.fairness ?? 1, 3)}, ` +
      `its disputes weigh that much and its score is reduced by ${round(100 * penalty, 1)}%`,
  };
}

function anomalyText(a: Record<string, number>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${round(v, 2)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
