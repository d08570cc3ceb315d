import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptRef } from './receipt.ts';

export interface SubmittedReceipt {
  receipt: ReceiptRow;
  duplicate: boolean;
}

export const SubmitReceiptPayloadRef = builder.objectRef<SubmittedReceipt>('SubmitReceiptPayload').implement({
  description: 'A stored receipt: what submitReceipt answers on success, and each successful item of submitReceipts.',
  fields: (t) => ({
    receipt: t.field({ description: 'The stored receipt (the earlier copy when `duplicate`).', type: ReceiptRef, resolve: (payload) => payload.receipt }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this exact receipt was already stored.' }),
  }),
});
