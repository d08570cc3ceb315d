// checkTrust: a marketplace's hiring rule applied to a TrustReport (pure). Every failed rule yields one reason, so a
// caller can show all of them at once rather than the first.

import type { Tier, TrustFlagCode, TrustReport, WindowStats } from './types.ts';

export type PolicyWindow = 'd7' | 'd30' | 'd90' | 'lifetime';

/** TrustPolicyInput (api.md). Every rule is optional; absent or null means "not checked". */
export interface TrustPolicy {
  minScore?: number | null;
  minTier?: Tier | null;
  /** Highest acceptable dispute rate (0..1) in `window`. */
  maxDisputeRate?: number | null;
  /** Lowest acceptable escrow-verified accepted volume (USD) in `window`. */
  minVerifiedVolumeUsd?: number | null;
  minConfidence?: number | null;
  /** Which window the dispute-rate and volume rules read; lifetime by default. GraphQL's D7…LIFETIME work too. */
  window?: PolicyWindow | 'D7' | 'D30' | 'D90' | 'LIFETIME' | null;
  /** Flag codes that reject outright (whatever their severity). */
  rejectFlags?: readonly (TrustFlagCode | string)[] | null;
  /** Reject an agent restricted as a client (dispute rate ≥ 40% with ≥ 3 disputes filed). */
  rejectRestrictedClient?: boolean | null;
  /** Reject an agent flagged ABUSIVE_CLIENT (its disputes as a buyer run far above its agents' other clients'). */
  rejectAbusiveClient?: boolean | null;
}

export type PolicyRule =
  | 'minScore'
  | 'minTier'
  | 'maxDisputeRate'
  | 'minVerifiedVolumeUsd'
  | 'minConfidence'
  | 'rejectFlags'
  | 'rejectRestrictedClient'
  | 'rejectAbusiveClient';

export interface PolicyFailure {
  rule: PolicyRule;
  required: string;
  actual: string;
}

export interface TrustDecision {
  allowed: boolean;
  /**
   * One human-readable sentence per failed rule, in the order of PolicyRule, then notes that explain the score
   * without failing anything (disputes discounted because of who filed them).
   */
  reasons: string[];
  failures: PolicyFailure[];
}

const TIER_RANK: Record<Tier, number> = { A: 4, B: 3, C: 2, D: 1, F: 0 };

export function normalizeWindow(window: TrustPolicy['window']): PolicyWindow {
  if (!window) return 'lifetime';
  const lower = window.toLowerCase();
  if (lower === 'd7' || lower === 'd30' || lower === 'd90' || lower === 'lifetime') return lower;
  throw new RangeError(`unknown window ${window}`);
}

/** Input problems, one message per bad field (the API turns these into INVALID_INPUT errors). */
export function validateTrustPolicy(policy: TrustPolicy): string[] {
  const errors: string[] = [];
  const inRange = (name: string, value: number | null | undefined, lo: number, hi: number) => {
    if (value === undefined || value === null) return;
    if (!Number.isFinite(value) || value < lo || value > hi) errors.push(`${name} must be between ${lo} and ${hi}`);
  };
  inRange('minScore', policy.minScore, 0, 100);
  inRange('maxDisputeRate', policy.maxDisputeRate, 0, 1);
  inRange('minConfidence', policy.minConfidence, 0, 1);
  inRange('minVerifiedVolumeUsd', policy.minVerifiedVolumeUsd, 0, Number.MAX_SAFE_INTEGER);
  if (policy.minTier !== undefined && policy.minTier !== null && !(policy.minTier in TIER_RANK)) errors.push('minTier must be one of A, B, C, D, F');
  try {
    normalizeWindow(policy.window);
  } catch {
    errors.push('window must be one of d7, d30, d90, lifetime');
  }
  return errors;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const usd = (x: number) => `$${x.toFixed(2)}`;

export function checkTrust(report: TrustReport, policy: TrustPolicy): TrustDecision {
  const errors = validateTrustPolicy(policy);
  if (errors.length) throw new RangeError(errors.join('; '));
  const windowName = normalizeWindow(policy.window);
  const window: WindowStats = report.windows[windowName];
  const failures: PolicyFailure[] = [];
  const reasons: string[] = [];
  const fail = (rule: PolicyRule, required: string, actual: string, reason: string) => {
    failures.push({ rule, required, actual });
    reasons.push(reason);
  };

  if (policy.minScore !== undefined && policy.minScore !== null && report.score < policy.minScore) {
    fail('minScore', String(policy.minScore), String(report.score), `score ${report.score} is below the minimum ${policy.minScore}`);
  }
  if (policy.minTier && TIER_RANK[report.tier] < TIER_RANK[policy.minTier]) {
    fail('minTier', policy.minTier, report.tier, `tier ${report.tier} is below the minimum tier ${policy.minTier}`);
  }
  if (policy.maxDisputeRate !== undefined && policy.maxDisputeRate !== null && window.disputeRate > policy.maxDisputeRate) {
    fail(
      'maxDisputeRate',
      String(policy.maxDisputeRate),
      String(window.disputeRate),
      `dispute rate ${pct(window.disputeRate)} in window ${windowName} (${window.disputed} of ${window.tasks} jobs) exceeds the maximum ${pct(policy.maxDisputeRate)}`,
    );
  }
  if (policy.minVerifiedVolumeUsd !== undefined && policy.minVerifiedVolumeUsd !== null && window.verifiedVolumeUsd < policy.minVerifiedVolumeUsd) {
    fail(
      'minVerifiedVolumeUsd',
      String(policy.minVerifiedVolumeUsd),
      String(window.verifiedVolumeUsd),
      `escrow-verified volume ${usd(window.verifiedVolumeUsd)} in window ${windowName} is below the minimum ${usd(policy.minVerifiedVolumeUsd)}`,
    );
  }
  if (policy.minConfidence !== undefined && policy.minConfidence !== null && report.confidence < policy.minConfidence) {
    fail('minConfidence', String(policy.minConfidence), String(report.confidence), `confidence ${report.confidence} is below the minimum ${policy.minConfidence}`);
  }
  if (policy.rejectFlags && policy.rejectFlags.length) {
    const rejected = new Set(policy.rejectFlags);
    const hits = report.flags.filter((flag) => rejected.has(flag.code));
    if (hits.length) {
      const codes = [...new Set(hits.map((flag) => flag.code))];
      fail('rejectFlags', [...rejected].join(','), codes.join(','), `carries rejected flag${codes.length > 1 ? 's' : ''} ${codes.join(', ')}`);
    }
  }
  if (policy.rejectRestrictedClient && report.client.restricted) {
    fail(
      'rejectRestrictedClient',
      'not restricted',
      'restricted',
      `restricted as a client: ${report.client.disputesFiled} disputes filed over ${report.client.jobsAsClient} jobs (${pct(report.client.disputeRate)})`,
    );
  }
  if (policy.rejectAbusiveClient) {
    const flag = report.flags.find((f) => f.code === 'ABUSIVE_CLIENT');
    if (flag) fail('rejectAbusiveClient', 'not an abusive client', 'ABUSIVE_CLIENT', `abusive client: ${flag.detail}`);
  }
  const discounted = report.flags.find((f) => f.code === 'DISPUTES_DISCOUNTED');
  if (discounted) reasons.push(`note: ${discounted.detail}`);
  return { allowed: failures.length === 0, reasons, failures };
}
