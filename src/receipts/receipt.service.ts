// submitReceipt(s), revokeReceipt and receipt reads. A batch is verified in memory first (signatures are the CPU
// cost), then decided and stored in one transaction; each item succeeds or fails on its own.
import type { Db } from '../db/database.ts';
import type { KeysetRead } from '../db/keyset.ts';
import type { NewReceiptRow, ReceiptRow, SettlementRow } from '../db/schema.ts';
import { AuthError, ConflictError, CredenceError, InputError, NotFoundError, PlatformError, SignatureError } from '../errors.ts';
import { platformLookup } from '../identity/platform-lookup.service.ts';
import { requireApprovedPlatform } from './platform-gate.ts';
import { createReceiptRepository, type ReceiptCursor, type ReceiptFilter } from './receipt.repository.ts';
import { decideConfidence, verifyReceiptJwt, type VerifiedReceipt } from './receipt-verification.ts';
import { createSettlementRepository } from './settlement.repository.ts';
import { createReceiptStore, type ReceiptStore } from './receipt-store.ts';

export const MAX_RECEIPT_BATCH = 500;
/** Receipts verified between two turns of the event loop. */
const VERIFY_SLICE = 50;

export interface ReceiptSubmission {
  receipt: unknown;
  cosignatures?: readonly unknown[] | null;
}

export type ReceiptError = InputError | SignatureError | PlatformError | ConflictError;
export type ReceiptResult = { receipt: ReceiptRow; duplicate: boolean } | ReceiptError;

const escrowKey = (platformDid: string, escrowId: string) => `${platformDid}\u0000${escrowId}`;
const backingKey = (platformDid: string, escrowId: string, subjectDid: string) => `${platformDid}\u0000${escrowId}\u0000${subjectDid}`;

/** With `escrow` (an ESCROW_VERIFIED receipt), the USD value stored is the escrow's recorded one. */
export function toReceiptRow(receipt: VerifiedReceipt, confidence: ReceiptRow['confidence'], now: Date, escrow?: SettlementRow): NewReceiptRow {
  const { claim } = receipt;
  return {
    receipt_id: receipt.receiptId,
    subject_did: receipt.subjectDid,
    counterparty_did: claim.counterparty,
    platform_did: receipt.platformDid,
    task_id: claim.taskId ?? null,
    action_category: claim.actionCategory,
    action_type: claim.actionType,
    outcome: claim.outcome,
    amount: claim.value?.amount ?? null,
    currency: claim.value?.currency ?? null,
    value_usd: escrow ? Number(escrow.value_usd) : (claim.value?.usd ?? 0),
    escrow_id: claim.escrowId ?? null,
    escrow_verified: confidence === 'ESCROW_VERIFIED',
    confidence,
    metadata_hash: claim.metadataHash ?? null,
    occurred_at: receipt.occurredAt,
    received_at: now,
    content_hash: receipt.contentHash,
    jwt: receipt.jwt,
    cosignatures: receipt.cosignatures,
  };
}

/** Per-item failures become results; anything else (a database outage) fails the whole call. */
function asReceiptError(error: unknown): ReceiptError {
  if (error instanceof InputError || error instanceof SignatureError || error instanceof PlatformError || error instanceof ConflictError) {
    return error;
  }
  throw error;
}

/**
 * `store` is the one receipt write path (aggregates, versions, change hooks, derived credentials). Listings read
 * through `publicReads` (which may be a replica inside public requests); decisions and writes use `db`.
 */
export function createReceiptService(db: Db, store: ReceiptStore = createReceiptStore(), publicReads: Db = db) {
  const reads = createReceiptRepository(db);
  const lists = createReceiptRepository(publicReads);

  async function submitMany(items: readonly ReceiptSubmission[], now: Date): Promise<ReceiptResult[]> {
    if (items.length > MAX_RECEIPT_BATCH) throw new InputError(`at most ${MAX_RECEIPT_BATCH} receipts per batch`, 'receipts');
    const results: ReceiptResult[] = new Array(items.length);
    const verified: Array<{ index: number; receipt: VerifiedReceipt }> = [];
    // In slices: a slice's signatures are checked in parallel on the thread pool, and between slices the event loop
    // answers whatever else arrived. Decoding and the payload checks stay on the event loop, and 500 of them in one go
    // held it for about 100 ms.
    for (let start = 0; start < items.length; start += VERIFY_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const slice = items.slice(start, start + VERIFY_SLICE);
      const checked = await Promise.allSettled(slice.map((item) => verifyReceiptJwt(item.receipt, item.cosignatures, now)));
      checked.forEach((outcome, offset) => {
        if (outcome.status === 'fulfilled') verified.push({ index: start + offset, receipt: outcome.value });
        else results[start + offset] = asReceiptError(outcome.reason);
      });
    }
    if (verified.length === 0) return results;

    // What the decisions read: the platforms, receipts already stored, the escrows and their backings. These reads
    // lock nothing, and under READ COMMITTED a statement inside the transaction would see exactly what one just before
    // it sees, so they run at once on pooled connections: one wait for all four instead of four in a row (on a busy
    // server each wait is a full turn of the event loop). Races with concurrent submissions are settled by the insert.
    const escrowRefs = verified.flatMap(({ receipt }) =>
      receipt.claim.escrowId ? [{ platformDid: receipt.platformDid, escrowId: receipt.claim.escrowId, subjectDid: receipt.subjectDid }] : [],
    );
    const [platformRows, existingRows, escrowRows, backingRows] = await Promise.all([
      platformLookup(db).byDids([...new Set(verified.map((v) => v.receipt.platformDid))]),
      reads.findByIds(verified.map((v) => v.receipt.receiptId)),
      createSettlementRepository(db).findMany(escrowRefs),
      reads.escrowBackings(escrowRefs),
    ]);
    const platforms = new Map(platformRows.map((p) => [p.did, p]));
    const existing = new Map(existingRows.map((r) => [r.receipt_id, r]));
    const escrows = new Map<string, SettlementRow>(escrowRows.map((s) => [escrowKey(s.platform_did, s.escrow_id), s]));
    const backed = new Set(backingRows.map((r) => backingKey(r.platform_did, r.escrow_id!, r.subject_did)));

    await db.transaction().execute(async (trx) => {
      const receipts = createReceiptRepository(trx);

      const toInsert: Array<{ index: number; row: NewReceiptRow }> = [];
      const claimedIds = new Map<string, number>();
      for (const { index, receipt } of verified) {
        try {
          requireApprovedPlatform(receipt.platformDid, platforms.get(receipt.platformDid));
          const stored = existing.get(receipt.receiptId);
          if (stored) {
            results[index] = duplicateOrConflict(stored, receipt);
            continue;
          }
          if (claimedIds.has(receipt.receiptId)) continue; // settled after the insert, against the earlier item
          const { escrowId } = receipt.claim;
          const backing = escrowId ? backingKey(receipt.platformDid, escrowId, receipt.subjectDid) : null;
          const escrow = escrowId ? escrows.get(escrowKey(receipt.platformDid, escrowId)) : undefined;
          const confidence = decideConfidence(receipt, escrow, backing !== null && backed.has(backing));
          if (backing) backed.add(backing);
          claimedIds.set(receipt.receiptId, index);
          toInsert.push({ index, row: toReceiptRow(receipt, confidence, now, confidence === 'ESCROW_VERIFIED' ? escrow : undefined) });
        } catch (error) {
          results[index] = asReceiptError(error);
        }
      }

      // The trust aggregates move in the same transaction: a stored receipt is always a counted one.
      const inserted = await store.insert(trx, toInsert.map((entry) => entry.row), now);
      const missing = toInsert.filter((entry) => !inserted.has(entry.row.receipt_id));
      // Anything skipped lost a race: the id was taken by a concurrent submission, or the escrow backing was.
      const raced = new Map((await receipts.findByIds(missing.map((entry) => entry.row.receipt_id))).map((r) => [r.receipt_id, r]));
      const storedRows = inserted;
      for (const { index, row } of toInsert) {
        const fresh = storedRows.get(row.receipt_id);
        if (fresh) {
          results[index] = { receipt: fresh, duplicate: false };
          continue;
        }
        const winner = raced.get(row.receipt_id);
        results[index] = winner
          ? duplicateOrConflict(winner, { contentHash: row.content_hash, receiptId: row.receipt_id })
          : new ConflictError('ESCROW_MISMATCH', `escrow ${row.escrow_id}: already backs another receipt for this subject`);
      }
      for (const { index, receipt } of verified) {
        if (results[index] !== undefined) continue;
        const first = storedRows.get(receipt.receiptId) ?? raced.get(receipt.receiptId);
        results[index] = first
          ? duplicateOrConflict(first, receipt)
          : new ConflictError('RECEIPT_CONFLICT', `receipt ${receipt.receiptId} appears twice in the batch`);
      }
      // A resubmission may bring the counterparty's co-signature the first submission lacked: keep it.
      for (const { index, receipt } of verified) {
        const result = results[index];
        if (!result || result instanceof CredenceError || !result.duplicate) continue;
        if (receipt.cosignatures.length === 0 || result.receipt.cosignatures.length > 0 || result.receipt.revoked_at) continue;
        const updated =
          (await receipts.attachCosignatures(receipt.receiptId, receipt.contentHash, receipt.cosignatures)) ??
          (await receipts.findByIds([receipt.receiptId]))[0]!;
        results[index] = { receipt: updated, duplicate: true };
      }
    });
    return results;
  }

  return {
    submitMany,

    async revoke(receiptId: string, reason: string, caller: { did: string; isAdmin: boolean }, now: Date): Promise<ReceiptRow> {
      const [receipt] = await reads.findByIds([receiptId]);
      if (!receipt) throw new NotFoundError(`no receipt ${receiptId}`);
      if (!caller.isAdmin && caller.did !== receipt.platform_did) {
        throw new AuthError('FORBIDDEN', 'only the issuing platform or an admin can revoke a receipt');
      }
      return db.transaction().execute(async (trx) => {
        // A suspended (leaked) or pending platform key must not erase history. The share lock makes a concurrent
        // suspension wait for this revocation, or this revocation see the suspension.
        if (!caller.isAdmin) requireApprovedPlatform(caller.did, await platformLookup(trx).lockedForShare(caller.did));
        if (receipt.revoked_at) {
          await store.sweepRevoked(trx, receipt, caller.did, now);
          return receipt;
        }
        // Receipt, aggregates, announcements and its credentials change in this one transaction.
        const revoked = await store.revoke(trx, receipt, { reason, by: caller.did, now });
        // Someone else revoked it first: they took it out of the aggregates.
        return revoked ?? (await createReceiptRepository(trx).findByIds([receiptId]))[0]!;
      });
    },

    findByIds: reads.findByIds,
    page: (filter: ReceiptFilter, after: ReceiptCursor | null, limit: number) => lists.page(filter, after, limit),
    keysetPage: (filter: ReceiptFilter, read: KeysetRead) => lists.keysetPage(filter, read),
    pageAt: (subjectDid: string, offset: number, limit: number) => lists.pageAt(subjectDid, offset, limit),
    countForSubject: (subjectDid: string) => lists.countForSubject(subjectDid),
  };
}

function duplicateOrConflict(stored: ReceiptRow, incoming: { contentHash: string; receiptId: string }): ReceiptResult {
  if (stored.content_hash === incoming.contentHash) return { receipt: stored, duplicate: true };
  return new ConflictError('RECEIPT_CONFLICT', `receipt ${incoming.receiptId} was already stored with other content`);
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
