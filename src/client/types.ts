// What the typed client answers: hand-written mirrors of the GraphQL selection sets in credence-client.ts (one
// interface per selection, field for field). Date-times are ISO-8601 strings, as they travel.

// The report's parts are the trust model's own types (type-only: nothing of the engine ships with the client);
// flag codes and explanation factors stay plain strings here so an older client accepts codes added later.
export type { ClientStats, ReceiptConfidence, Tier, TrustVector, TrustWindows, WindowStats } from '../trust/engine/types.ts';
import type { ClientStats, ReceiptConfidence, Tier, TrustVector, TrustWindows } from '../trust/engine/types.ts';

export type TrustWindowName = 'D7' | 'D30' | 'D90' | 'LIFETIME';
export type CredentialType = 'REPUTATION' | 'TASK_COMPLETION';
export type CredentialFormat = 'JWT' | 'JSON_LD' | 'DATA_INTEGRITY';

export interface TrustFlag {
  code: string;
  severity: 'info' | 'warning' | 'critical';
  detail: string;
}

export interface ExplanationItem {
  factor: string;
  points: number;
  detail: string;
}

export interface TrustReport {
  did: string;
  asOf: string;
  score: number;
  tier: Tier;
  confidence: number;
  vector: TrustVector;
  windows: TrustWindows;
  client: ClientStats;
  flags: TrustFlag[];
  explanation: ExplanationItem[];
}

/** TrustPolicyInput: every rule optional; each failed rule gives one reason. */
export interface TrustPolicy {
  minScore?: number | null;
  minTier?: Tier | null;
  /** 0..1, read in `window`. */
  maxDisputeRate?: number | null;
  /** Escrow-verified accepted volume in `window`. */
  minVerifiedVolumeUsd?: number | null;
  minConfidence?: number | null;
  /** LIFETIME unless given. */
  window?: TrustWindowName | null;
  rejectFlags?: readonly string[] | null;
  rejectRestrictedClient?: boolean | null;
  /** Refuse agents flagged ABUSIVE_CLIENT (disputes as a buyer far above their agents' other clients'). */
  rejectAbusiveClient?: boolean | null;
}

export interface TrustDecision {
  allowed: boolean;
  /** One sentence per failed rule; empty when allowed. */
  reasons: string[];
  report: TrustReport;
}

export interface Receipt {
  /** Global Node id. */
  id: string;
  receiptId: string;
  subject: string;
  counterparty: string;
  platform: string;
  taskId: string | null;
  actionCategory: string;
  actionType: string;
  outcome: string;
  amount: string | null;
  currency: string | null;
  valueUsd: number;
  escrowId: string | null;
  confidence: ReceiptConfidence;
  occurredAt: string;
  receivedAt: string;
  revoked: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface SubmittedReceipt {
  receipt: Receipt;
  /** True when this exact receipt was already stored. */
  duplicate: boolean;
}

export interface ReceiptSubmission {
  /** The platform-signed TaskReceiptCredential JWT. */
  receipt: string;
  /** Counterparty co-signatures over the receipt hash. */
  cosignatures?: string[] | null;
}

/** One item of a batch: each succeeds or fails on its own. */
export type SubmitReceiptOutcome =
  | ({ ok: true } & SubmittedReceipt)
  | { ok: false; code: string; message: string; field: string | null };

export interface SettlementEvent {
  jti: string;
  status: string;
  ruling: string | null;
  occurredAt: string;
  receivedAt: string;
}

export interface Settlement {
  id: string;
  escrowId: string;
  jobId: string | null;
  platform: string;
  depositor: string;
  beneficiary: string;
  amount: string;
  currency: string;
  valueUsd: number;
  status: string;
  ruling: string | null;
  updatedAt: string;
  events: SettlementEvent[];
}

export interface RecordedSettlement {
  settlement: Settlement;
  /** True when this exact event was already recorded. */
  duplicate: boolean;
}

export interface Credential {
  /** Global Node id. */
  id: string;
  /** The credential's own id (`urn:uuid:…`). */
  credentialId: string;
  type: CredentialType;
  format: CredentialFormat;
  subject: string;
  issuer: string;
  issuedAt: string;
  expiresAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
  statusListCredential: string;
  statusListIndex: number;
  /** The JWT, or the JSON-LD document as JSON text. */
  encoded: string;
}

export interface IssueCredentialOptions {
  type: CredentialType;
  format: CredentialFormat;
  /** The caller's own accepted, escrow-verified receipt (TASK_COMPLETION only). */
  receiptId?: string | null;
}

export interface VerificationProblem {
  code: string;
  message: string;
}

export interface VerificationResult {
  valid: boolean;
  revoked: boolean;
  expired: boolean;
  format: string | null;
  credentialId: string | null;
  issuer: string | null;
  issuedByService: boolean;
  subject: string | null;
  types: string[];
  validFrom: string | null;
  validUntil: string | null;
  errors: string[];
  problems: VerificationProblem[];
  warnings: string[];
}

export interface PresentationVerificationResult {
  valid: boolean;
  format: string | null;
  /** The DID that signed the presentation. */
  holder: string | null;
  errors: string[];
  problems: VerificationProblem[];
  /** One result per credential in the presentation. */
  credentials: VerificationResult[];
}

export interface ServiceInfo {
  did: string;
  version: string;
  /** `<public URL>/.well-known/did.json` */
  didDocumentUrl: string;
  /** `<public URL>/credentials/status/1` */
  statusListUrl: string;
}

export type AgentKind = 'AGENT' | 'SERVICE' | 'HUMAN';

export interface Agent {
  did: string;
  displayName: string | null;
  kind: AgentKind;
  claimedAt: string;
  profileUrl: string;
  badgeUrl: string;
}

export interface ClaimDidOptions {
  displayName?: string | null;
  kind?: AgentKind | null;
}
