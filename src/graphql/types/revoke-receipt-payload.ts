import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptRef } from './receipt.ts';

export const RevokeReceiptPayloadRef = builder.objectRef<{ receipt: ReceiptRow }>('RevokeReceiptPayload').implement({
  description: 'What revokeReceipt answers on success.',
  fields: (t) => ({ receipt: t.field({ description: 'The receipt, now revoked.', type: ReceiptRef, resolve: (payload) => payload.receipt }) }),
});
