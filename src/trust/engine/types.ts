// Shapes shared by the trust engine, its aggregates and the API (TrustReport and friends mirror api.md).

export const ACTION_CATEGORIES = [
  'economic.transaction',
  'economic.dispute',
  'economic.refund',
  'productivity.task',
  'productivity.application',
  'productivity.completion',
  'identity.profile_update',
  'identity.verification',
  'social.post',
  'social.comment',
  'social.endorsement',
  'compliance.incident',
  'compliance.violation',
] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];

export type Outcome = 'accepted' | 'rejected' | 'disputed';
export type ReceiptConfidence = 'ESCROW_VERIFIED' | 'COUNTERPARTY_SIGNED' | 'PLATFORM_SIGNED' | 'IMPORTED';

/** The fields of a stored, verified, non-revoked receipt that the trust model reads. */
export interface ReceiptEvidence {
  receiptId: string;
  subjectDid: string;
  counterpartyDid: string;
  platformDid: string;
  actionCategory: ActionCategory;
  actionType: string;
  outcome: Outcome;
  valueUsd: number;
  /** Event time (ms since the Unix epoch, or a Date). */
  occurredAt: number | Date;
  confidence: ReceiptConfidence;
  /** Kept as evidence for IMPORTED rows (the operator vouches); ESCROW_VERIFIED implies it. */
  escrowVerified: boolean;
}

export type Tier = 'A' | 'B' | 'C' | 'D' | 'F';

export interface TrustVector {
  E: number;
  P: number;
  B: number;
  D: number;
  R: number;
  A: number;
  C: number;
}

export interface WindowStats {
  /** Economic receipts (settled, disputed or refunded jobs) in the window. */
  tasks: number;
  accepted: number;
  disputed: number;
  refunded: number;
  acceptedRate: number;
  disputeRate: number;
  /** USD value of accepted economic receipts (declared and escrow-verified alike). */
  volumeUsd: number;
  /** volumeUsd / accepted. */
  avgValueUsd: number;
  /** Distinct counterparties of economic receipts in the window. */
  uniqueCounterparties: number;
  /** Share of the window's economic receipts whose escrow settled. */
  escrowVerifiedShare: number;
  /** USD value of accepted, escrow-verified economic receipts (what policy minVerifiedVolumeUsd reads). */
  verifiedVolumeUsd: number;
}

export interface TrustWindows {
  d7: WindowStats;
  d30: WindowStats;
  d90: WindowStats;
  lifetime: WindowStats;
}

export interface ClientStats {
  jobsAsClient: number;
  disputesFiled: number;
  disputeRate: number;
  restricted: boolean;
}

export type FlagSeverity = 'info' | 'warning' | 'critical';

export type TrustFlagCode =
  | 'NO_HISTORY'
  | 'SELF_DEALING'
  | 'RECIPROCAL_RING'
  | 'BURST'
  | 'SYBIL_CLUSTER'
  | 'COUNTERPARTY_CONCENTRATION'
  | 'COMPLIANCE_VIOLATION'
  | 'CLIENT_RESTRICTED'
  | 'ABUSIVE_CLIENT'
  | 'DISPUTES_DISCOUNTED'
  | 'HIGH_DISPUTE_RATE'
  | 'STALE_HISTORY'
  | 'UNVERIFIED_VOLUME'
  | 'LOW_CREDIBILITY_PLATFORM'
  | 'LATER_EVIDENCE_INCLUDED';

export interface TrustFlag {
  code: TrustFlagCode;
  severity: FlagSeverity;
  detail: string;
}

export type ExplanationFactor = 'prior' | 'E' | 'P' | 'B' | 'D' | 'R' | 'A' | 'C';

export interface ExplanationItem {
  factor: ExplanationFactor;
  /** Signed score points; all items of a report sum to its score (up to rounding). */
  points: number;
  detail: string;
}

export interface TrustReport {
  did: string;
  /** ISO-8601 instant the report is computed for. */
  asOf: string;
  vector: TrustVector;
  score: number;
  tier: Tier;
  confidence: number;
  windows: TrustWindows;
  client: ClientStats;
  flags: TrustFlag[];
  explanation: ExplanationItem[];
}

export function tierOf(score: number): Tier {
  if (score >= 80) return 'A';
  if (score >= 60) return 'B';
  if (score >= 40) return 'C';
  if (score >= 20) return 'D';
  return 'F';
}
