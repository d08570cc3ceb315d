// Operator backfill: the trust-eval JSONL receipt format, streamed, stored in batched transactions as IMPORTED
// receipts. The operator vouches for these lines, so their DIDs are stored as given and never resolved.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { NewReceiptRow } from '../db/schema.ts';
import { ACTION_CATEGORIES, MAX_VALUE_USD, OUTCOMES } from './payload-schemas.ts';
import { createReceiptRepository } from './receipt.repository.ts';
import type { IngestCounter } from './ingest-metrics.ts';
import { createReceiptStore, type ReceiptStore } from './receipt-store.ts';
import { canonicalJson, sha256Base64url } from './signed-jws.ts';

const Did = z.string().min(8).max(200).regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'must be a DID');

export const ImportLineSchema = z.object({
  receipt_id: z.string().min(1).max(200),
  subject_did: Did,
  counterparty_did: Did,
  platform_did: Did,
  action_category: z.enum(ACTION_CATEGORIES),
  action_type: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/),
  value_usd: z.number().finite().min(0).max(MAX_VALUE_USD),
  outcome: z.enum(OUTCOMES),
  timestamp: z.iso.datetime({ offset: true }),
  escrow_verified: z.boolean().optional().default(false),
  escrow_tx: z.string().min(1).max(200).nullish(),
});

export interface ImportProgress {
  lines: number;
  inserted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  /** The first few rejected lines with their reasons, for the operator. */
  rejections: Array<{ line: number; reason: string }>;
}

export interface ImportOptions {
  batchSize?: number;
  now: Date;
  onProgress?: (progress: ImportProgress) => void;
  /** The receipt write path (its change hooks announce trust changes); without one, a store with no hooks. */
  store?: ReceiptStore;
  /** Counts each line's outcome like submitted receipts (`stored`, `duplicate`, `rejected` with its code). */
  ingest?: IngestCounter;
}

const MAX_REPORTED_REJECTIONS = 20;
const MAX_LINE_LENGTH = 8_192;

export function importLineToRow(line: z.infer<typeof ImportLineSchema>, now: Date): NewReceiptRow {
  return {
    receipt_id: line.receipt_id,
    subject_did: line.subject_did,
    counterparty_did: line.counterparty_did,
    platform_did: line.platform_did,
    task_id: null,
    action_category: line.action_category,
    action_type: line.action_type,
    outcome: line.outcome,
    amount: null,
    currency: line.value_usd > 0 ? 'USD' : null,
    value_usd: Math.round(line.value_usd * 100) / 100,
    escrow_id: line.escrow_tx ?? null,
    escrow_verified: line.escrow_verified,
    confidence: 'IMPORTED',
    metadata_hash: null,
    occurred_at: new Date(line.timestamp),
    received_at: now,
    content_hash: sha256Base64url(canonicalJson(line)),
    jwt: null,
  };
}

export async function importReceipts(db: Db, input: Readable, options: ImportOptions): Promise<ImportProgress> {
  const batchSize = options.batchSize ?? 2_000;
  const progress: ImportProgress = { lines: 0, inserted: 0, duplicates: 0, conflicts: 0, rejected: 0, rejections: [] };
  const store = options.store ?? createReceiptStore();
  const reject = (line: number, reason: string) => {
    progress.rejected += 1;
    options.ingest?.countIngest('rejected', 'INVALID_INPUT');
    if (progress.rejections.length < MAX_REPORTED_REJECTIONS) progress.rejections.push({ line, reason });
  };
  let batch: NewReceiptRow[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const counts = await db.transaction().execute(async (trx) => {
      const inserted = await store.insert(trx, rows, options.now);
      const outcome = { inserted: inserted.size, duplicates: 0, conflicts: 0 };
      const skipped = rows.filter((row) => !inserted.has(row.receipt_id));
      if (skipped.length > 0) {
        const receipts = createReceiptRepository(trx);
        const stored = new Map((await receipts.findByIds(skipped.map((row) => row.receipt_id))).map((r) => [r.receipt_id, r.content_hash]));
        for (const row of skipped) {
          if (stored.get(row.receipt_id) === row.content_hash) outcome.duplicates += 1;
          else outcome.conflicts += 1;
        }
      }
      return outcome;
    });
    // Counted once the batch committed: a failed transaction stored nothing.
    progress.inserted += counts.inserted;
    progress.duplicates += counts.duplicates;
    progress.conflicts += counts.conflicts;
    for (let i = 0; i < counts.inserted; i += 1) options.ingest?.countIngest('stored');
    for (let i = 0; i < counts.duplicates; i += 1) options.ingest?.countIngest('duplicate');
    for (let i = 0; i < counts.conflicts; i += 1) options.ingest?.countIngest('rejected', 'RECEIPT_CONFLICT');
    options.onProgress?.(progress);
  };

  const seenInBatch = new Set<string>();
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    progress.lines += 1;
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE_LENGTH) {
      reject(progress.lines, 'line too long');
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      reject(progress.lines, 'not JSON');
      continue;
    }
    const parsed = ImportLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      reject(progress.lines, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const line = parsed.data;
    if (line.subject_did === line.counterparty_did || line.subject_did === line.platform_did) {
      reject(progress.lines, 'self-dealing: subject is its own counterparty or platform');
      continue;
    }
    if (new Date(line.timestamp) > new Date(options.now.getTime() + 300_000)) {
      reject(progress.lines, 'timestamp is in the future');
      continue;
    }
    // A repeated id inside one batch would make the multi-row insert ambiguous: settle it in the next batch.
    if (seenInBatch.has(line.receipt_id)) {
      await flush();
      seenInBatch.clear();
    }
    seenInBatch.add(line.receipt_id);
    batch.push(importLineToRow(line, options.now));
    if (batch.length >= batchSize) {
      await flush();
      seenInBatch.clear();
    }
  }
  await flush();
  return progress;
}
