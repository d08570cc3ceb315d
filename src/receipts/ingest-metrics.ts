// Counts every submitted receipt by outcome and error code for /metrics, around whichever receipt service the
// app composed (GraphQL and any other entry point share it).
import { CredenceError } from '../errors.ts';
import type { ReceiptResult, ReceiptSubmission } from './receipt.service.ts';

/** What became of one submitted receipt (the `outcome` label of credence_receipts_ingested_total). */
export type IngestOutcome = 'stored' | 'duplicate' | 'rejected' | 'failed';

export interface IngestCounter {
  countIngest(outcome: IngestOutcome, code?: string | null): void;
}

interface Submitter {
  submitMany(items: readonly ReceiptSubmission[], now: Date): Promise<ReceiptResult[]>;
}

export function countingIngest<T extends Submitter>(receipts: T, counter: IngestCounter): T {
  return {
    ...receipts,
    async submitMany(items: readonly ReceiptSubmission[], now: Date): Promise<ReceiptResult[]> {
      let results: ReceiptResult[];
      try {
        results = await receipts.submitMany(items, now);
      } catch (error) {
        // The whole call failed: refused as a batch (too large) or the database failed under it.
        const [outcome, code]: [IngestOutcome, string] = error instanceof CredenceError ? ['rejected', error.code] : ['failed', 'INTERNAL'];
        for (let i = 0; i < items.length; i += 1) counter.countIngest(outcome, code);
        throw error;
      }
      for (const result of results) {
        if (result instanceof CredenceError) counter.countIngest('rejected', result.code);
        else counter.countIngest(result.duplicate ? 'duplicate' : 'stored');
      }
      return results;
    },
  };
}
