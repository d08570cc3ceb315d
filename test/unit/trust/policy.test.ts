// checkTrust: one reason per failed rule, windows chosen by the policy, input validation.
import { describe, expect, it } from 'vitest';
import { checkTrust, validateTrustPolicy, type TrustReport, type WindowStats } from '../../../src/trust/engine/index.ts';

const window = (over: Partial<WindowStats> = {}): WindowStats => ({
  tasks: 20, accepted: 18, disputed: 1, refunded: 1, acceptedRate: 0.9, disputeRate: 0.05, volumeUsd: 3000, avgValueUsd: 166.67,
  uniqueCounterparties: 9, escrowVerifiedShare: 0.8, verifiedVolumeUsd: 2500, ...over,
});

const report = (over: Partial<TrustReport> = {}): TrustReport => ({
  did: 'did:key:z6MkAgent',
  asOf: '2026-01-01T00:00:00.000Z',
  vector: { E: 0.7, P: 0.6, B: 0.93, D: 0.7, R: 0.95, A: 0, C: 0 },
  score: 72.5,
  tier: 'B',
  confidence: 0.6,
  windows: { d7: window({ tasks: 2, accepted: 1, disputed: 1, refunded: 0, disputeRate: 0.5, verifiedVolumeUsd: 100 }), d30: window(), d90: window(), lifetime: window() },
  client: { jobsAsClient: 0, disputesFiled: 0, disputeRate: 0, restricted: false },
  flags: [],
  explanation: [],
  ...over,
});

describe('checkTrust', () => {
  it('allows when every rule passes (and with an empty policy)', () => {
    const policy = { minScore: 70, minTier: 'B' as const, maxDisputeRate: 0.1, minVerifiedVolumeUsd: 2000, minConfidence: 0.5, rejectFlags: ['SYBIL_CLUSTER'], rejectRestrictedClient: true };
    expect(checkTrust(report(), policy)).toEqual({ allowed: true, reasons: [], failures: [] });
    expect(checkTrust(report(), {})).toEqual({ allowed: true, reasons: [], failures: [] });
  });

  it('gives one reason for every failed rule, in rule order', () => {
    const bad = report({
      score: 31.2,
      tier: 'D',
      confidence: 0.12,
      windows: { d7: window(), d30: window(), d90: window(), lifetime: window({ disputed: 6, disputeRate: 0.3, verifiedVolumeUsd: 150 }) },
      client: { jobsAsClient: 7, disputesFiled: 3, disputeRate: 0.4286, restricted: true },
      flags: [
        { code: 'BURST', severity: 'critical', detail: 'x' },
        { code: 'CLIENT_RESTRICTED', severity: 'warning', detail: 'y' },
      ],
    });
    const decision = checkTrust(bad, { minScore: 60, minTier: 'C', maxDisputeRate: 0.1, minVerifiedVolumeUsd: 1000, minConfidence: 0.3, rejectFlags: ['BURST', 'SYBIL_CLUSTER'], rejectRestrictedClient: true });
    expect(decision.allowed).toBe(false);
    expect(decision.failures.map((f) => f.rule)).toEqual(['minScore', 'minTier', 'maxDisputeRate', 'minVerifiedVolumeUsd', 'minConfidence', 'rejectFlags', 'rejectRestrictedClient']);
    expect(decision.reasons).toEqual([
      'score 31.2 is below the minimum 60',
      'tier D is below the minimum tier C',
      'dispute rate 30% in window lifetime (6 of 20 jobs) exceeds the maximum 10%',
      'escrow-verified volume $150.00 in window lifetime is below the minimum $1000.00',
      'confidence 0.12 is below the minimum 0.3',
      'carries rejected flag BURST',
      'restricted as a client: 3 disputes filed over 7 jobs (42.9%)',
    ]);
    expect(decision.failures[0]).toEqual({ rule: 'minScore', required: '60', actual: '31.2' });
  });

  it('reads dispute rate and verified volume from the window the policy names', () => {
    const policy = { maxDisputeRate: 0.2, minVerifiedVolumeUsd: 500 };
    expect(checkTrust(report(), { ...policy, window: 'lifetime' }).allowed).toBe(true);
    const recent = checkTrust(report(), { ...policy, window: 'd7' });
    expect(recent.failures.map((f) => f.rule)).toEqual(['maxDisputeRate', 'minVerifiedVolumeUsd']);
    expect(recent.reasons[0]).toContain('in window d7 (1 of 2 jobs)');
    // The GraphQL enum spelling works too.
    expect(checkTrust(report(), { ...policy, window: 'D7' }).failures).toEqual(recent.failures);
  });

  it('boundaries are inclusive: exactly the minimum passes, exactly the maximum passes', () => {
    expect(checkTrust(report(), { minScore: 72.5, minConfidence: 0.6, maxDisputeRate: 0.05, minVerifiedVolumeUsd: 2500, minTier: 'B' }).allowed).toBe(true);
  });

  it('a restricted client passes unless the policy rejects restricted clients', () => {
    const restricted = report({ client: { jobsAsClient: 5, disputesFiled: 3, disputeRate: 0.6, restricted: true } });
    expect(checkTrust(restricted, {}).allowed).toBe(true);
    expect(checkTrust(restricted, { rejectRestrictedClient: true }).reasons).toEqual(['restricted as a client: 3 disputes filed over 5 jobs (60%)']);
  });

  it('lists several rejected flags once each', () => {
    const flagged = report({ flags: [
      { code: 'SYBIL_CLUSTER', severity: 'critical', detail: 'a' },
      { code: 'SELF_DEALING', severity: 'warning', detail: 'b' },
      { code: 'SYBIL_CLUSTER', severity: 'critical', detail: 'c' },
    ] });
    expect(checkTrust(flagged, { rejectFlags: ['SELF_DEALING', 'SYBIL_CLUSTER'] }).reasons).toEqual(['carries rejected flags SYBIL_CLUSTER, SELF_DEALING']);
  });
});

describe('validateTrustPolicy', () => {
  it('names every bad field, and checkTrust refuses an invalid policy', () => {
    const policy = { minScore: 120, maxDisputeRate: -0.1, minConfidence: 2, minVerifiedVolumeUsd: -5, minTier: 'Z' as never, window: 'd365' as never };
    expect(validateTrustPolicy(policy)).toEqual([
      'minScore must be between 0 and 100',
      'maxDisputeRate must be between 0 and 1',
      'minConfidence must be between 0 and 1',
      `minVerifiedVolumeUsd must be between 0 and ${Number.MAX_SAFE_INTEGER}`,
      'minTier must be one of A, B, C, D, F',
      'window must be one of d7, d30, d90, lifetime',
    ]);
    expect(() => checkTrust(report(), policy)).toThrow(RangeError);
    expect(validateTrustPolicy({ minScore: null, window: null })).toEqual([]);
  });
});
