// recordSettlement: a platform-signed escrow event, checked, applied to the escrow's state, and kept as audit log.
import type { Db } from '../db/database.ts';
import type { SettlementRow } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { platformLookup } from '../identity/platform-lookup.service.ts';
import { canTransition, sameEscrowUsd } from './escrow-rules.ts';
import { requireApprovedPlatform } from './platform-gate.ts';
import { createSettlementRepository } from './settlement.repository.ts';
import { verifySettlementEvent } from './settlement-verification.ts';

export interface RecordedSettlement {
  settlement: SettlementRow;
  duplicate: boolean;
}

export function createSettlementService(db: Db) {
  const reads = createSettlementRepository(db);
  return {
    async record(eventJws: unknown, now: Date): Promise<RecordedSettlement> {
      const event = verifySettlementEvent(eventJws, now);
      const { settlement: claim } = event;
      return db.transaction().execute(async (trx) => {
        const platform = await platformLookup(trx).byDid(event.platformDid);
        requireApprovedPlatform(event.platformDid, platform);
        const settlements = createSettlementRepository(trx);
        await settlements.lockEscrow(event.platformDid, claim.escrowId);

        const previous = await settlements.findEvent(event.platformDid, event.jti);
        if (previous) {
          if (previous.content_hash !== event.contentHash || previous.escrow_id !== claim.escrowId) {
            throw new ConflictError('RECEIPT_CONFLICT', `event ${event.jti} was already recorded with other content`);
          }
          const current = await settlements.find(event.platformDid, claim.escrowId);
          return { settlement: current!, duplicate: true };
        }

        const escrow = await settlements.find(event.platformDid, claim.escrowId);
        if (!canTransition(escrow?.status ?? null, claim.status)) {
          throw new ConflictError(
            'INVALID_TRANSITION',
            `escrow ${claim.escrowId} cannot go from ${escrow?.status ?? 'nothing'} to ${claim.status}`,
          );
        }
        let updated: SettlementRow;
        if (!escrow) {
          updated = await settlements.insert({
            platform_did: event.platformDid,
            escrow_id: claim.escrowId,
            job_id: claim.jobId ?? null,
            depositor_did: claim.depositor,
            beneficiary_did: claim.beneficiary,
            amount: claim.amount,
            currency: claim.currency,
            value_usd: claim.usd,
            status: claim.status,
            ruling: null,
            created_at: event.occurredAt,
            updated_at: event.occurredAt,
          });
        } else {
          // The terms are fixed when the escrow is funded; a later event repeats them or is refused (never ignored).
          const sameTerms =
            escrow.depositor_did === claim.depositor &&
            escrow.beneficiary_did === claim.beneficiary &&
            escrow.amount === claim.amount &&
            escrow.currency === claim.currency &&
            sameEscrowUsd(claim.usd, escrow.value_usd) &&
            (claim.jobId == null || claim.jobId === escrow.job_id);
          if (!sameTerms) {
            throw new ConflictError(
              'ESCROW_MISMATCH',
              `escrow ${claim.escrowId}: parties, job, amount, currency or usd differ from when it was funded`,
            );
          }
          if (event.occurredAt < new Date(escrow.updated_at)) {
            throw new ConflictError('INVALID_TRANSITION', `escrow ${claim.escrowId}: event is older than the escrow's last change`);
          }
          updated = await settlements.updateState(event.platformDid, claim.escrowId, {
            status: claim.status,
            ruling: claim.ruling ?? null,
            updated_at: event.occurredAt,
          });
        }
        await settlements.insertEvent({
          platform_did: event.platformDid,
          jti: event.jti,
          escrow_id: claim.escrowId,
          status: claim.status,
          ruling: claim.ruling ?? null,
          occurred_at: event.occurredAt,
          received_at: now,
          content_hash: event.contentHash,
          jws: event.jws,
        }).catch((error: unknown) => {
          // The same jti raced in for another escrow: the primary key decides, and it is a conflict.
          if (isUniqueViolation(error)) throw new ConflictError('RECEIPT_CONFLICT', `event ${event.jti} was already recorded`);
          throw error;
        });
        return { settlement: updated, duplicate: false };
      });
    },

    find: reads.find,
    events: reads.events,
  };
}

export type SettlementService = ReturnType<typeof createSettlementService>;
