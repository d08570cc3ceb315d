import { builder } from '../builder.ts';
import { ReceiptRef } from './receipt.ts';

/** Shared by every connection of receipts, so clients write one fragment for them. */
export const ReceiptEdgeRef = builder.edgeObject({
  type: ReceiptRef,
  name: 'ReceiptEdge',
  description: 'One receipt in a page, with the cursor of its position in the list.',
});
