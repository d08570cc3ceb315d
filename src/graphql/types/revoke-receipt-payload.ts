import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptRef } from './receipt.ts';

export const RevokeReceiptPayloadRef = builder.objectRef<{ receipt: ReceiptRow }>('RevokeReceiptPayload').implement({
  fields: (t) => ({ receipt: t.field({ type: ReceiptRef, resolve: (payload) => payload.receipt }) }),
});
