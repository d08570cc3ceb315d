// The reference REST API's JSON shapes (seed 003, "Reputation & DID"), mapped from Credence's own records (pure).
// Phase 1 reputation fields are camelCase and Phase 2 ones snake_case, as in the reference; every number is the
// one GraphQL answers for the same agent at the same moment.
import { REPUTATION_CREDENTIAL, TASK_COMPLETION_CREDENTIAL } from '../credentials/credential-types.ts';
import type { ServiceCredentialVerification } from '../credentials/credential.service.ts';
import type { RevokedEntry } from '../credentials/credential.repository.ts';
import type { CredentialRow, ReceiptRow } from '../db/schema.ts';
import type { TrustFlagCode, TrustReport, TrustVector, WindowStats } from '../trust/engine/types.ts';

const iso = (value: Date | string): string => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null | undefined): string | null => (value == null ? null : iso(value));

/** One rolling window as the reference names its stats ("Window Stats — Detailed"). Rates are 0..1. */
export interface ReputationWindow {
  task_count: number;
  accepted_count: number;
  disputed_count: number;
  refunded_count: number;
  accepted_rate: number;
  dispute_rate: number;
  /** USD value of accepted economic receipts in the window. */
  total_volume: number;
  avg_task_value: number;
  /** Distinct counterparties (buyers) of economic receipts in the window. */
  unique_buyers: number;
  escrow_verified_share: number;
  /** USD value of accepted, escrow-verified economic receipts. */
  verified_volume: number;
}

export interface ReputationWindows {
  last_7_days: ReputationWindow;
  last_30_days: ReputationWindow;
  last_90_days: ReputationWindow;
  all_time: ReputationWindow;
}

export interface AntiGaming {
  /** True when any anomaly flag (self-dealing, reciprocal ring, burst, sybil cluster, concentration) is raised. */
  flagged: boolean;
  /** `<flag code in lower case>: <detail>`, one per anomaly flag. */
  flags: string[];
  /** Share of the score kept after the anomaly penalty: 1 + A of the trust vector (1 = no penalty). */
  adjusted_weight: number;
}

export interface ReputationBody {
  success: true;
  did: string;
  // Phase 1
  score: number;
  totalTasks: number;
  successRate: number;
  credentials: number;
  lastActive: string | null;
  // Phase 2
  reputation: { agent_did: string; windows: ReputationWindows; anti_gaming: AntiGaming };
  trust_vector: TrustVector;
  computed_at: string;
  // Credence additions
  tier: TrustReport['tier'];
  confidence: number;
}

/** The trust flags that come from the anti-gaming analysis (they feed the anomaly penalty A). */
export const ANTI_GAMING_FLAGS: readonly TrustFlagCode[] = [
  'SELF_DEALING',
  'RECIPROCAL_RING',
  'BURST',
  'SYBIL_CLUSTER',
  'COUNTERPARTY_CONCENTRATION',
];

export function windowShape(stats: WindowStats): ReputationWindow {
  return {
    task_count: stats.tasks,
    accepted_count: stats.accepted,
    disputed_count: stats.disputed,
    refunded_count: stats.refunded,
    accepted_rate: stats.acceptedRate,
    dispute_rate: stats.disputeRate,
    total_volume: stats.volumeUsd,
    avg_task_value: stats.avgValueUsd,
    unique_buyers: stats.uniqueCounterparties,
    escrow_verified_share: stats.escrowVerifiedShare,
    verified_volume: stats.verifiedVolumeUsd,
  };
}

export function antiGamingShape(report: Pick<TrustReport, 'flags' | 'vector'>): AntiGaming {
  const flags = report.flags.filter((flag) => ANTI_GAMING_FLAGS.includes(flag.code));
  return {
    flagged: flags.length > 0,
    flags: flags.map((flag) => `${flag.code.toLowerCase()}: ${flag.detail}`),
    adjusted_weight: Math.round((1 + report.vector.A) * 10_000) / 10_000,
  };
}

export interface ReputationFacts {
  /** Credentials issued to the DID and not revoked. */
  liveCredentials: number;
  /** The newest receipt's event time, if any. */
  lastActive: Date | string | null;
}

/** `GET /api/reputation/agent/:did/reputation`: Phase 1 and Phase 2 fields of seed 003 from one trust report. */
export function reputationBody(report: TrustReport, facts: ReputationFacts): ReputationBody {
  const { windows } = report;
  return {
    success: true,
    did: report.did,
    score: report.score,
    totalTasks: windows.lifetime.tasks,
    successRate: windows.lifetime.acceptedRate,
    credentials: facts.liveCredentials,
    lastActive: isoOrNull(facts.lastActive),
    reputation: {
      agent_did: report.did,
      windows: {
        last_7_days: windowShape(windows.d7),
        last_30_days: windowShape(windows.d30),
        last_90_days: windowShape(windows.d90),
        all_time: windowShape(windows.lifetime),
      },
      anti_gaming: antiGamingShape(report),
    },
    trust_vector: { ...report.vector },
    computed_at: report.asOf,
    tier: report.tier,
    confidence: report.confidence,
  };
}

export interface ReceiptShape {
  receipt_id: string;
  task_id: string | null;
  agent_did: string;
  buyer_did: string;
  platform_did: string;
  /** The declared amount as a number (null when the receipt names no value), in `currency`. */
  amount: number | null;
  currency: string | null;
  amount_usd: number;
  outcome: string;
  /** The action category (the reference's free-form `category`); the same value as `action_category`. */
  category: string;
  action_category: string;
  action_type: string;
  escrow_id: string | null;
  confidence: ReceiptRow['confidence'];
  revoked: boolean;
  revoked_reason: string | null;
  occurred_at: string;
  /** When Credence stored it. */
  created_at: string;
}

export function receiptShape(row: ReceiptRow): ReceiptShape {
  const amount = row.amount === null ? null : Number(row.amount);
  return {
    receipt_id: row.receipt_id,
    task_id: row.task_id,
    agent_did: row.subject_did,
    buyer_did: row.counterparty_did,
    platform_did: row.platform_did,
    amount: amount !== null && Number.isFinite(amount) ? amount : null,
    currency: row.currency,
    amount_usd: Number(row.value_usd),
    outcome: row.outcome,
    category: row.action_category,
    action_category: row.action_category,
    action_type: row.action_type,
    escrow_id: row.escrow_id,
    confidence: row.confidence,
    revoked: row.revoked_at !== null,
    revoked_reason: row.revoked_reason,
    occurred_at: iso(row.occurred_at),
    created_at: iso(row.received_at),
  };
}

/** The W3C type name of a stored credential kind (what the reference calls `credential_type`). */
export function credentialTypeName(type: CredentialRow['type']): string {
  return type === 'TASK_COMPLETION' ? TASK_COMPLETION_CREDENTIAL : REPUTATION_CREDENTIAL;
}

export interface CredentialSummaryShape {
  id: string;
  credential_type: string;
  issuer_did: string;
  subject_did: string;
  format: CredentialRow['format'];
  receipt_id: string | null;
  revoked: boolean;
  revoked_at: string | null;
  issued_at: string;
  expires_at: string | null;
}

export function credentialSummaryShape(row: CredentialRow): CredentialSummaryShape {
  return {
    id: row.id,
    credential_type: credentialTypeName(row.type),
    issuer_did: row.issuer_did,
    subject_did: row.subject_did,
    format: row.format,
    receipt_id: row.receipt_id,
    revoked: row.revoked_at !== null,
    revoked_at: isoOrNull(row.revoked_at),
    issued_at: iso(row.issued_at),
    expires_at: isoOrNull(row.expires_at),
  };
}

export interface CredentialDocumentShape {
  id: string;
  type: string;
  issuer: string;
  subject: string;
  issuanceDate: string;
  expirationDate: string | null;
  format: CredentialRow['format'];
  revoked: boolean;
  /** The JSON-LD proof, or for a JWT credential `{ type: "JwtProof2020", jwt }`. */
  proof: Record<string, unknown>;
  /** The signed credential: the JSON-LD document, or the JWT as a string. */
  encoded: unknown;
}

/** `GET /api/reputation/credential/:id`: the reference's flat view plus the signed credential itself. */
export function credentialDocumentShape(row: CredentialRow): CredentialDocumentShape {
  let proof: Record<string, unknown>;
  let encoded: unknown;
  if (row.format === 'JSON_LD' || row.format === 'DATA_INTEGRITY') {
    const document = JSON.parse(row.encoded) as { proof?: Record<string, unknown> };
    proof = document.proof ?? {};
    encoded = document;
  } else {
    proof = { type: 'JwtProof2020', jwt: row.encoded };
    encoded = row.encoded;
  }
  return {
    id: row.id,
    type: credentialTypeName(row.type),
    issuer: row.issuer_did,
    subject: row.subject_did,
    issuanceDate: iso(row.issued_at),
    expirationDate: isoOrNull(row.expires_at),
    format: row.format,
    revoked: row.revoked_at !== null,
    proof,
    encoded,
  };
}

export interface VerifyShape {
  success: true;
  valid: boolean;
  revoked: boolean;
  expired: boolean;
  issuer: string | null;
  expiresAt: string | null;
  credentialId: string | null;
  subject: string | null;
  types: string[];
  format: string | null;
  issuedByService: boolean;
  errors: string[];
}

export function verifyShape(result: ServiceCredentialVerification): VerifyShape {
  return {
    success: true,
    valid: result.valid,
    revoked: result.revoked,
    expired: result.expired,
    issuer: result.issuer,
    expiresAt: isoOrNull(result.validUntil),
    credentialId: result.id,
    subject: result.subject,
    types: result.types,
    format: result.format,
    issuedByService: result.issuedByService,
    errors: result.errors,
  };
}

export interface RevocationListShape {
  success: true;
  listId: number;
  statusListCredentialUrl: string;
  revocations: Array<{ credentialId: string; revokedAt: string; reason: string }>;
  updatedAt: string;
}

export function revocationListShape(
  list: { listId: number; url: string; updatedAt: Date },
  entries: readonly RevokedEntry[],
): RevocationListShape {
  return {
    success: true,
    listId: list.listId,
    statusListCredentialUrl: list.url,
    revocations: entries.map((entry) => ({
      credentialId: entry.id,
      revokedAt: iso(entry.revoked_at),
      reason: entry.revoked_reason ?? '',
    })),
    updatedAt: iso(list.updatedAt),
  };
}

/** The reference's `reputationDelta`: a signed decimal string of score points, "+0.50" or "-1.25". */
export function formatReputationDelta(before: number, after: number): string {
  const delta = Math.round((after - before) * 100) / 100;
  // -0 (and noise rounded away) prints as "+0.00".
  return delta >= 0 ? `+${Math.abs(delta).toFixed(2)}` : delta.toFixed(2);
}

export interface ReputationBadgeContent {
  label: string;
  message: string;
  color: string;
}

export const REPUTATION_BADGE_LABEL = 'reputation';

/**
 * The reference's badge: lifetime acceptance rate and task count, green for good (≥ 90%), yellow for moderate
 * (≥ 70%), red for poor or when anti-gaming flags are raised; grey "no data" without tasks.
 */
export function reputationBadgeContent(report: Pick<TrustReport, 'windows' | 'flags' | 'vector'>): ReputationBadgeContent {
  const { tasks, acceptedRate } = report.windows.lifetime;
  if (tasks === 0) return { label: REPUTATION_BADGE_LABEL, message: 'no data', color: 'lightgrey' };
  const color = antiGamingShape(report).flagged ? 'red' : acceptedRate >= 0.9 ? 'brightgreen' : acceptedRate >= 0.7 ? 'yellow' : 'red';
  return {
    label: REPUTATION_BADGE_LABEL,
    message: `${Math.round(acceptedRate * 100)}% \u00b7 ${tasks} ${tasks === 1 ? 'task' : 'tasks'}`,
    color,
  };
}
