// The one write path for receipts. Submission, import and revocation all store through it, inside the caller's
// transaction, so a stored receipt is always counted in the aggregates, the readers' versions always move, the change
// hooks always run, and a revoked receipt never leaves a live credential behind.
import type { Db } from '../db/database.ts';
import type { NewReceiptRow, ReceiptRow } from '../db/schema.ts';
import { addToAggregates, subtractFromAggregates } from '../trust/store/aggregate.repository.ts';
import { createReceiptRepository } from './receipt.repository.ts';

/** Run inside the receipt transaction after the aggregates moved; a hook that throws rolls the whole change back. */
export interface ReceiptChangeHooks {
  /** Webhooks' and trustChanged's change detection. */
  receiptsStored?(trx: Db, receipts: readonly ReceiptRow[], now: Date): Promise<unknown>;
  receiptRevoked?(trx: Db, receipt: ReceiptRow, now: Date): Promise<unknown>;
  /**
   * Revokes what was derived from a revoked receipt (its task credentials). Idempotent: it also runs for a receipt
   * found already revoked, which repairs a credential left live by a failure in versions that used two transactions.
   */
  revokeDerived?(trx: Db, receipt: ReceiptRow, by: string, now: Date): Promise<unknown>;
}

export function createReceiptStore(hooks: ReceiptChangeHooks = {}) {
  return {
    /**
     * Inserts the rows whose receipt id is free (a taken id is skipped, not overwritten) and returns the stored rows
     * by id; they are counted in the aggregates and announced before the caller's transaction commits.
     */
    async insert(trx: Db, rows: readonly NewReceiptRow[], now: Date): Promise<Map<string, ReceiptRow>> {
      const inserted = await createReceiptRepository(trx).insertNew(rows);
      if (inserted.size === 0) return inserted;
      const stored = [...inserted.values()];
      // Also bumps the subjects' and counterparties' trust versions, so cached reports reload.
      await addToAggregates(trx, stored);
      await hooks.receiptsStored?.(trx, stored, now);
      return inserted;
    },

    /**
     * Marks a live receipt revoked, takes it out of the aggregates, announces it and revokes its credentials, all in
     * the caller's transaction. Undefined when it was already revoked (then only the derived credentials are swept).
     */
    async revoke(trx: Db, receipt: ReceiptRow, values: { reason: string; by: string; now: Date }): Promise<ReceiptRow | undefined> {
      const revoked = await createReceiptRepository(trx).revoke(receipt.receipt_id, values);
      if (!revoked) {
        const [current] = await createReceiptRepository(trx).findByIds([receipt.receipt_id]);
        if (current?.revoked_at) await hooks.revokeDerived?.(trx, current, values.by, values.now);
        return undefined;
      }
      await subtractFromAggregates(trx, [revoked]);
      await hooks.receiptRevoked?.(trx, revoked, values.now);
      await hooks.revokeDerived?.(trx, revoked, values.by, values.now);
      return revoked;
    },

    /** For a receipt read as already revoked: sweeps its derived credentials (idempotent). */
    async sweepRevoked(trx: Db, receipt: ReceiptRow, by: string, now: Date): Promise<void> {
      if (receipt.revoked_at) await hooks.revokeDerived?.(trx, receipt, by, now);
    },
  };
}

export type ReceiptStore = ReturnType<typeof createReceiptStore>;
