import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptRef } from './receipt.ts';

export interface SubmittedReceipt {
  receipt: ReceiptRow;
  duplicate: boolean;
}

export const SubmitReceiptPayloadRef = builder.objectRef<SubmittedReceipt>('SubmitReceiptPayload').implement({
  fields: (t) => ({
    receipt: t.field({ type: ReceiptRef, resolve: (payload) => payload.receipt }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this exact receipt was already stored.' }),
  }),
});
