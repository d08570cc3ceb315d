// The Credence credential types, built format-neutrally: a draft that any format then encodes and signs.
import { VECTOR_KEYS, WINDOW_KEYS, WINDOW_STAT_KEYS } from './credential-shape.ts';
import { toDateTime, wholeSeconds } from './dates.ts';
import type { BitstringStatusListEntry } from './status-list.ts';

export const TASK_COMPLETION_CREDENTIAL = 'TaskCompletionCredential';
export const REPUTATION_CREDENTIAL = 'ReputationCredential';
/** Platform-issued receipts (JWT VCs about an agent); defined in the Credence context, verified elsewhere. */
export const TASK_RECEIPT_CREDENTIAL = 'TaskReceiptCredential';

export type CredenceCredentialType = typeof TASK_COMPLETION_CREDENTIAL | typeof REPUTATION_CREDENTIAL;

/** A reputation snapshot is meant to be re-fetched, not carried for ever. */
export const REPUTATION_VALIDITY_DAYS = 30;
const DAY_MS = 86_400_000;

// The 13 canonical action categories are defined once, with the trust model.
export { ACTION_CATEGORIES, type ActionCategory } from '../trust/engine/types.ts';
import { ACTION_CATEGORIES, type ActionCategory, type TrustVector, type WindowStats as TrustWindowStats } from '../trust/engine/types.ts';

export interface CredentialSubject {
  id: string;
  [claim: string]: unknown;
}

/** What both encoders need; `id` is a URI such as `urn:uuid:…`, chosen by the caller. */
export interface CredentialDraft<S extends CredentialSubject = CredentialSubject> {
  id: string;
  type: string;
  issuer: string;
  subject: S;
  validFrom: Date;
  validUntil?: Date;
  status: BitstringStatusListEntry;
}

// --- TaskCompletionCredential -----------------------------------------------------------------------------------

export interface ReceiptLike {
  receiptId: string;
  agentDid: string;
  platformDid: string;
  actionCategory: ActionCategory | string;
  valueUsd: number;
  /** Decimal string in `currency` units, e.g. "500.00". */
  amount: string;
  currency: string;
  counterparty: string;
  settledAt: Date | string;
  escrowId?: string | null;
}

export interface TaskCompletionSubject extends CredentialSubject {
  receiptId: string;
  platform: string;
  actionCategory: string;
  value: { amount: string; currency: string; usd: number };
  counterparty: string;
  settledAt: string;
  escrowId?: string;
}

/** Copies only the defined claims: anything the Credence context does not define would fail JSON-LD signing. */
export function taskCompletionSubject(receipt: ReceiptLike): TaskCompletionSubject {
  return {
    id: receipt.agentDid,
    receiptId: receipt.receiptId,
    platform: receipt.platformDid,
    actionCategory: receipt.actionCategory,
    value: { amount: receipt.amount, currency: receipt.currency, usd: finite(receipt.valueUsd, 'valueUsd') },
    counterparty: receipt.counterparty,
    settledAt: toDateTime(receipt.settledAt),
    ...(receipt.escrowId ? { escrowId: receipt.escrowId } : {}),
  };
}

export function taskCompletionCredential(input: {
  id: string;
  issuer: string;
  receipt: ReceiptLike;
  issuedAt: Date;
  status: BitstringStatusListEntry;
  /** Task credentials record a past fact; by default they do not expire. */
  validUntil?: Date;
}): CredentialDraft<TaskCompletionSubject> {
  return draft(input, TASK_COMPLETION_CREDENTIAL, taskCompletionSubject(input.receipt), input.validUntil);
}

// --- ReputationCredential ---------------------------------------------------------------------------------------

// The report's shapes come from the trust model; a credential snapshot does not need the verified-volume figure.
export type { TrustVector } from '../trust/engine/types.ts';
export type WindowStats = Omit<TrustWindowStats, 'verifiedVolumeUsd'>;
export interface TrustWindows {
  d7: WindowStats;
  d30: WindowStats;
  d90: WindowStats;
  lifetime: WindowStats;
}

export type Tier = 'A' | 'B' | 'C' | 'D' | 'F';

export interface TrustReportLike {
  did: string;
  vector: TrustVector;
  score: number;
  tier: Tier | string;
  confidence: number;
  windows: TrustWindows;
  asOf: Date | string;
}

export interface ReputationSubject extends CredentialSubject {
  vector: TrustVector;
  score: number;
  tier: string;
  confidence: number;
  windows: TrustWindows;
  asOf: string;
}


/** The signed part of a trust report (no flags or explanation: those are advisory and change wording freely). */
export function reputationSubject(report: TrustReportLike): ReputationSubject {
  const vector = pick(report.vector, VECTOR_KEYS, 'vector') as unknown as TrustVector;
  const windows = {} as TrustWindows;
  for (const window of WINDOW_KEYS) {
    windows[window] = pick(report.windows[window], WINDOW_STAT_KEYS, `windows.${window}`) as unknown as WindowStats;
  }
  return {
    id: report.did,
    vector,
    score: finite(report.score, 'score'),
    tier: report.tier,
    confidence: finite(report.confidence, 'confidence'),
    windows,
    asOf: toDateTime(report.asOf),
  };
}

export function reputationCredential(input: {
  id: string;
  issuer: string;
  report: TrustReportLike;
  issuedAt: Date;
  status: BitstringStatusListEntry;
  validForDays?: number;
}): CredentialDraft<ReputationSubject> {
  const days = input.validForDays ?? REPUTATION_VALIDITY_DAYS;
  if (!(days > 0)) throw new RangeError('validForDays is positive');
  const validUntil = new Date(wholeSeconds(input.issuedAt).getTime() + days * DAY_MS);
  return draft(input, REPUTATION_CREDENTIAL, reputationSubject(input.report), validUntil);
}

// --- shared -----------------------------------------------------------------------------------------------------

function draft<S extends CredentialSubject>(
  input: { id: string; issuer: string; issuedAt: Date; status: BitstringStatusListEntry },
  type: string,
  subject: S,
  validUntil: Date | undefined,
): CredentialDraft<S> {
  assertUri(input.id, 'credential id');
  assertUri(input.issuer, 'issuer');
  const validFrom = wholeSeconds(input.issuedAt);
  if (validUntil && validUntil.getTime() <= validFrom.getTime()) throw new RangeError('validUntil is after issuedAt');
  return {
    id: input.id,
    type,
    issuer: input.issuer,
    subject,
    validFrom,
    ...(validUntil ? { validUntil: wholeSeconds(validUntil) } : {}),
    status: input.status,
  };
}

function pick<K extends string>(source: Record<K, number> | undefined, keys: readonly K[], path: string) {
  if (!source || typeof source !== 'object') throw new TypeError(`${path} is missing`);
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = finite(source[key], `${path}.${key}`);
  return out;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${name} is not a finite number`);
  return value;
}

function assertUri(value: string, name: string): void {
  try {
    new URL(value);
  } catch {
    throw new TypeError(`${name} is not a URI: ${value}`);
  }
}
