import type { Db } from '../db/database.ts';
import type { NewReceiptRow, ReceiptOutcome, ReceiptRow } from '../db/schema.ts';

export interface ReceiptFilter {
  subjectDid: string;
  categories?: readonly string[] | null;
  outcomes?: readonly ReceiptOutcome[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface ReceiptCursor {
  occurredAt: Date;
  receiptId: string;
}

export function createReceiptRepository(db: Db) {
  return {
    async findByIds(ids: readonly string[]): Promise<ReceiptRow[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('receipts').selectAll().where('receipt_id', 'in', ids).execute();
    },

    /** Escrow-verified receipts already standing on any of these (platform, escrow, subject) triples. */
    async escrowBackings(keys: ReadonlyArray<{ platformDid: string; escrowId: string; subjectDid: string }>) {
      if (keys.length === 0) return [];
      return db
        .selectFrom('receipts')
        .select(['receipt_id', 'platform_did', 'escrow_id', 'subject_did'])
        .where('confidence', '=', 'ESCROW_VERIFIED')
        .where((eb) =>
          eb.or(
            keys.map((key) =>
              eb.and([eb('platform_did', '=', key.platformDid), eb('escrow_id', '=', key.escrowId), eb('subject_did', '=', key.subjectDid)]),
            ),
          ),
        )
        .execute();
    },

    /** Inserts what is new; rows whose id (or escrow backing) is taken are skipped. Returns the rows stored. */
    async insertNew(rows: readonly NewReceiptRow[]): Promise<Map<string, ReceiptRow>> {
      if (rows.length === 0) return new Map();
      const inserted = await db.insertInto('receipts').values(rows as NewReceiptRow[]).onConflict((oc) => oc.doNothing()).returningAll().execute();
      return new Map(inserted.map((row) => [row.receipt_id, row]));
    },

    async revoke(receiptId: string, values: { reason: string; by: string; now: Date }): Promise<ReceiptRow | undefined> {
      return db
        .updateTable('receipts')
        .set({ revoked_at: values.now, revoked_reason: values.reason, revoked_by: values.by })
        .where('receipt_id', '=', receiptId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
    },

    /** Newest first by (occurredAt, receiptId), strictly after the cursor. */
    async page(filter: ReceiptFilter, after: ReceiptCursor | null, limit: number): Promise<ReceiptRow[]> {
      let query = db.selectFrom('receipts').selectAll().where('subject_did', '=', filter.subjectDid);
      if (filter.categories?.length) query = query.where('action_category', 'in', filter.categories);
      if (filter.outcomes?.length) query = query.where('outcome', 'in', filter.outcomes);
      if (filter.from) query = query.where('occurred_at', '>=', filter.from);
      if (filter.to) query = query.where('occurred_at', '<', filter.to);
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('occurred_at', '<', after.occurredAt),
            eb.and([eb('occurred_at', '=', after.occurredAt), eb('receipt_id', '<', after.receiptId)]),
          ]),
        );
      }
      return query.orderBy('occurred_at', 'desc').orderBy('receipt_id', 'desc').limit(limit).execute();
    },
  };
}

export type ReceiptRepository = ReturnType<typeof createReceiptRepository>;
