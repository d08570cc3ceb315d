import { builder } from '../builder.ts';
import { ReceiptEdgeRef } from './receipt-edge.ts';
import { ReceiptRef } from './receipt.ts';

export const ReceiptConnectionRef = builder.connectionObject(
  {
    type: ReceiptRef,
    name: 'ReceiptConnection',
    description: 'A page of receipts (Relay cursor connection: first/after forward, last/before backward).',
  },
  ReceiptEdgeRef,
);
