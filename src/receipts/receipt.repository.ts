import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { readFromStart, seek, type KeysetKey, type KeysetRead } from '../db/keyset.ts';
import type { NewReceiptRow, ReceiptOutcome, ReceiptRow } from '../db/schema.ts';

const INSERT_CHUNK = 1_000;

export interface ReceiptFilter {
  subjectDid: string;
  categories?: readonly string[] | null;
  outcomes?: readonly ReceiptOutcome[] | null;
  from?: Date | null;
  to?: Date | null;
}

/** A position in a subject's receipts: (occurredAt, receiptId), the key every keyset list and cursor uses. */
export type ReceiptCursor = KeysetKey;

export function createReceiptRepository(db: Db) {
  /** A subject's receipts, newest first by (occurredAt, receiptId): a keyset read from either end of a window. */
  function keysetPage(filter: ReceiptFilter, read: KeysetRead): Promise<ReceiptRow[]> {
    let query = db.selectFrom('receipts').selectAll().where('subject_did', '=', filter.subjectDid);
    if (filter.categories?.length) query = query.where('action_category', 'in', filter.categories);
    if (filter.outcomes?.length) query = query.where('outcome', 'in', filter.outcomes);
    if (filter.from) query = query.where('occurred_at', '>=', filter.from);
    if (filter.to) query = query.where('occurred_at', '<', filter.to);
    return seek(query, ['occurred_at', 'receipt_id'], 'desc', read).execute();
  }

  return {
    keysetPage,

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
      const stored = new Map<string, ReceiptRow>();
      // Chunked: one statement may bind at most 65,535 parameters (about 2,500 receipt rows).
      for (let offset = 0; offset < rows.length; offset += INSERT_CHUNK) {
        const chunk = rows.slice(offset, offset + INSERT_CHUNK) as NewReceiptRow[];
        const inserted = await db.insertInto('receipts').values(chunk).onConflict((oc) => oc.doNothing()).returningAll().execute();
        for (const row of inserted) stored.set(row.receipt_id, row);
      }
      return stored;
    },

    /**
     * Stores the counterparty's co-signatures on a receipt that has none yet (a platform-signed one becomes
     * counterparty-signed). Undefined when the receipt is revoked, has other content, or a co-signature got there first.
     */
    attachCosignatures(receiptId: string, contentHash: string, cosignatures: readonly string[]): Promise<ReceiptRow | undefined> {
      return db
        .updateTable('receipts')
        .set({
          cosignatures: [...cosignatures],
          confidence: sql<ReceiptRow['confidence']>`case when confidence = 'PLATFORM_SIGNED' then 'COUNTERPARTY_SIGNED' else confidence end`,
        })
        .where('receipt_id', '=', receiptId)
        .where('content_hash', '=', contentHash)
        .where('revoked_at', 'is', null)
        .where(sql<boolean>`cardinality(cosignatures) = 0`)
        .returningAll()
        .executeTakeFirst();
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
      return keysetPage(filter, readFromStart(limit, after));
    },

    /** The same order as `page`, by offset (the REST API's `limit`/`offset` pagination). */
    pageAt(subjectDid: string, offset: number, limit: number): Promise<ReceiptRow[]> {
      return db
        .selectFrom('receipts')
        .selectAll()
        .where('subject_did', '=', subjectDid)
        .orderBy('occurred_at', 'desc')
        .orderBy('receipt_id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute();
    },

    /** Receipts about the subject, revoked ones included (what `page` and `pageAt` walk through). */
    async countForSubject(subjectDid: string): Promise<number> {
      const row = await db
        .selectFrom('receipts')
        .select((eb) => eb.fn.countAll<string | number>().as('total'))
        .where('subject_did', '=', subjectDid)
        .executeTakeFirst();
      return Number(row?.total ?? 0);
    },

    /** The receipt, its row locked until commit (a concurrent revocation of it waits for the caller). */
    findLocked(receiptId: string): Promise<ReceiptRow | undefined> {
      return db.selectFrom('receipts').selectAll().where('receipt_id', '=', receiptId).forNoKeyUpdate().executeTakeFirst();
    },
  };
}

export type ReceiptRepository = ReturnType<typeof createReceiptRepository>;
