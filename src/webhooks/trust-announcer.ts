// Change detection, run by the receipt and credential services inside the transaction that made the change: it
// compares the affected agents' new trust reports with the last announced score and tier, and writes the outbox rows
// (trust.changed, receipt.revoked, credential.revoked) for every platform that should hear about them, plus a
// NOTIFY on `credence_trust_changed` that PostgreSQL delivers to listeners when the transaction commits.
import type { Db } from '../db/database.ts';
import type { CredentialRow, NewWebhookOutboxRow, ReceiptRow } from '../db/schema.ts';
import { createTrustService } from '../trust/store/trust.service.ts';
import type { TrustReport } from '../trust/engine/types.ts';
import {
  isAnnounceable,
  newEventId,
  trustChangedData,
  UNANNOUNCED,
  type TrustChangeCause,
  type TrustChangeNotice,
  type WebhookEventType,
} from './events.ts';
import { createWebhookRepository } from './webhook.repository.ts';

export interface TrustAnnouncerOptions {
  /** Score points (0..100) the score must move from the last announcement to be announced without a tier change. */
  scoreDelta: number;
}

/** An event about one agent that goes to every platform subscribed to that agent. */
interface AgentEvent {
  type: Exclude<WebhookEventType, 'trust.changed'>;
  agentDid: string;
  data: Record<string, unknown>;
}

export interface TrustAnnouncement {
  /** Reports that were announced (tier change or a large enough score move), computed without their explanation. */
  announced: TrustReport[];
  /** Outbox rows written. */
  outboxRows: number;
}

export function createTrustAnnouncer(options: TrustAnnouncerOptions) {
  async function announce(trx: Db, subjects: readonly string[], now: Date, cause: TrustChangeCause, events: readonly AgentEvent[] = []) {
    const repository = createWebhookRepository(trx);
    // Every event's agent is also a subject in today's callers; adding them keeps their recipients looked up if not.
    const dids = [...new Set([...subjects, ...events.map((event) => event.agentDid)])].sort();
    // Locked first: a concurrent change to the same agent waits here and then reads this one's aggregates. The
    // recipients of every DID come back with the lock.
    const { previous, recipients } = await repository.lockAnnouncements(dids);
    const reports = dids.length > 0 ? await createTrustService(trx, { cacheSize: 0 }).reports(dids, now, { explain: false }) : [];
    const announced: Array<{ report: TrustReport; previous: { score: number; tier: TrustReport['tier'] } }> = [];
    for (const report of reports) {
      const before = previous.get(report.did) ?? UNANNOUNCED;
      if (isAnnounceable(before, report, options.scoreDelta)) announced.push({ report, previous: before });
    }

    const agents = new Set<string>([...announced.map(({ report }) => report.did), ...events.map((event) => event.agentDid)]);
    const byAgent = new Map<string, string[]>();
    for (const { platform_did, agent_did } of recipients) {
      if (agents.has(agent_did)) byAgent.set(agent_did, [...(byAgent.get(agent_did) ?? []), platform_did]);
    }
    const rows: NewWebhookOutboxRow[] = [];
    const enqueue = (type: WebhookEventType, agentDid: string, data: Record<string, unknown>) => {
      for (const platformDid of byAgent.get(agentDid) ?? []) {
        rows.push({
          id: newEventId(),
          platform_did: platformDid,
          event_type: type,
          agent_did: agentDid,
          payload: JSON.stringify(data),
          created_at: now,
          status: 'PENDING',
          next_attempt_at: now,
        });
      }
    };
    for (const event of events) enqueue(event.type, event.agentDid, event.data);
    for (const { report, previous: before } of announced) enqueue('trust.changed', report.did, trustChangedData(report, before, cause));
    await repository.insertOutbox(rows);

    const notices: TrustChangeNotice[] = announced.map(({ report, previous: before }) => ({
      did: report.did,
      score: report.score,
      tier: report.tier,
      previousScore: before.score,
      previousTier: before.tier,
      asOf: report.asOf,
    }));
    await repository.saveAnnouncements(
      announced.map(({ report }) => ({ did: report.did, score: report.score, tier: report.tier })),
      notices,
      now,
    );
    return { announced: announced.map(({ report }) => report), outboxRows: rows.length } satisfies TrustAnnouncement;
  }

  return {
    /** After receipts are stored (and counted in the aggregates): one trust report per distinct subject, in one call. */
    async receiptsStored(trx: Db, receipts: readonly ReceiptRow[], now: Date): Promise<TrustAnnouncement | null> {
      if (receipts.length === 0) return null;
      return announce(trx, receipts.map((receipt) => receipt.subject_did), now, 'receipt.submitted');
    },

    /** After a receipt is revoked (and taken out of the aggregates). */
    async receiptRevoked(trx: Db, receipt: ReceiptRow, now: Date): Promise<TrustAnnouncement> {
      return announce(trx, [receipt.subject_did], now, 'receipt.revoked', [
        {
          type: 'receipt.revoked',
          agentDid: receipt.subject_did,
          data: {
            receipt_id: receipt.receipt_id,
            subject: receipt.subject_did,
            counterparty: receipt.counterparty_did,
            platform: receipt.platform_did,
            action_category: receipt.action_category,
            outcome: receipt.outcome,
            reason: receipt.revoked_reason,
            revoked_at: receipt.revoked_at ? new Date(receipt.revoked_at).toISOString() : now.toISOString(),
          },
        },
      ]);
    },

    /** After credentials are revoked (an admin's revocation, or the credentials built on a revoked receipt). */
    async credentialsRevoked(trx: Db, credentials: readonly CredentialRow[], now: Date): Promise<TrustAnnouncement | null> {
      if (credentials.length === 0) return null;
      return announce(
        trx,
        credentials.map((credential) => credential.subject_did),
        now,
        'credential.revoked',
        credentials.map((credential) => ({
          type: 'credential.revoked' as const,
          agentDid: credential.subject_did,
          data: {
            credential_id: credential.id,
            type: credential.type,
            format: credential.format,
            subject: credential.subject_did,
            receipt_id: credential.receipt_id,
            reason: credential.revoked_reason,
            revoked_at: credential.revoked_at ? new Date(credential.revoked_at).toISOString() : now.toISOString(),
          },
        })),
      );
    },
  };
}

export type TrustAnnouncer = ReturnType<typeof createTrustAnnouncer>;
