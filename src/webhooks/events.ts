// Webhook events: their types, the body every delivery carries, the announcement rule and the retry schedule.
// Pure: no database, no network, time passed in.
import { randomBytes } from 'node:crypto';
import type { Tier, TrustReport } from '../trust/engine/types.ts';

export const WEBHOOK_EVENT_TYPES = ['trust.changed', 'receipt.revoked', 'credential.revoked'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of a delivery: `{ id, type, data, created_at }`. */
export interface WebhookBody {
  id: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
  created_at: string;
}

export function newEventId(): string {
  return `evt_${randomBytes(16).toString('hex')}`;
}

/** The exact bytes sent and signed. */
export function serializeWebhookBody(body: WebhookBody): string {
  return JSON.stringify({ id: body.id, type: body.type, data: body.data, created_at: body.created_at });
}

/** What a change is measured against: the last announced score and tier (an unannounced DID starts at 0, F). */
export interface Announced {
  score: number;
  tier: Tier;
}

export const UNANNOUNCED: Announced = Object.freeze({ score: 0, tier: 'F' as Tier });

/** Worth announcing: the tier moved, or the score moved at least `scoreDelta` points from the last announcement. */
export function isAnnounceable(previous: Announced, next: Announced, scoreDelta: number): boolean {
  return previous.tier !== next.tier || Math.abs(next.score - previous.score) >= scoreDelta;
}

/** What caused a trust.changed event. */
export type TrustChangeCause = 'receipt.submitted' | 'receipt.revoked' | 'credential.revoked';

export function trustChangedData(report: TrustReport, previous: Announced, cause: TrustChangeCause): Record<string, unknown> {
  return {
    did: report.did,
    score: report.score,
    tier: report.tier,
    previous_score: previous.score,
    previous_tier: previous.tier,
    confidence: report.confidence,
    vector: report.vector,
    flags: report.flags.map((flag) => flag.code),
    as_of: report.asOf,
    cause,
  };
}

/** The notice sent on `credence_trust_changed` (kept small: NOTIFY payloads stop at 8000 bytes). */
export interface TrustChangeNotice {
  did: string;
  score: number;
  tier: Tier;
  previousScore: number;
  previousTier: Tier;
  asOf: string;
}

export const TRUST_CHANGED_CHANNEL = 'credence_trust_changed';

/** Parses a notice received from the channel; anything malformed is null (the channel is shared with the world). */
export function parseTrustChangeNotice(payload: string): TrustChangeNotice | null {
  if (payload.length > 8000) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const notice = value as Record<string, unknown>;
  const tiers = ['A', 'B', 'C', 'D', 'F'];
  if (
    typeof notice.did !== 'string' ||
    notice.did.length === 0 ||
    notice.did.length > 200 ||
    typeof notice.score !== 'number' ||
    typeof notice.previousScore !== 'number' ||
    !tiers.includes(notice.tier as string) ||
    !tiers.includes(notice.previousTier as string) ||
    typeof notice.asOf !== 'string' ||
    Number.isNaN(Date.parse(notice.asOf))
  ) {
    return null;
  }
  return {
    did: notice.did,
    score: notice.score,
    tier: notice.tier as Tier,
    previousScore: notice.previousScore,
    previousTier: notice.previousTier as Tier,
    asOf: notice.asOf,
  };
}

export interface BackoffOptions {
  baseSeconds: number;
  capSeconds: number;
}

/**
 * Delay before the attempt after `attempts` failed ones: base·2^(attempts−1), capped, with "equal jitter" (between
 * half and all of it), so that retries from many events spread out but never come sooner than half the schedule.
 * `random` is in [0, 1).
 */
export function backoffSeconds(attempts: number, options: BackoffOptions, random: number): number {
  const exponent = Math.max(0, attempts - 1);
  const delay = Math.min(options.capSeconds, options.baseSeconds * 2 ** Math.min(exponent, 30));
  return delay / 2 + (delay / 2) * Math.min(Math.max(random, 0), 1);
}
