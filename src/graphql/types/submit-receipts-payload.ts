import type { ReceiptResult } from '../../receipts/receipt.service.ts';
import { builder } from '../builder.ts';
import { SubmitReceiptResultRef, toSubmitReceiptResult } from './submit-receipt-result.ts';

export const SubmitReceiptsPayloadRef = builder.objectRef<{ results: ReceiptResult[] }>('SubmitReceiptsPayload').implement({
  description: 'What submitReceipts answers: one result per item; items succeed or fail on their own.',
  fields: (t) => ({
    results: t.field({
      type: [SubmitReceiptResultRef],
      description: 'One result per submitted item, in order.',
      resolve: (payload) => payload.results.map(toSubmitReceiptResult) as never,
    }),
  }),
});
