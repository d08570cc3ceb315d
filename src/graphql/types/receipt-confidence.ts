import { builder } from '../builder.ts';

export const ReceiptConfidenceEnum = builder.enumType('ReceiptConfidence', {
  description: 'How strongly a receipt is backed: by a matching settled escrow, a counterparty co-signature, the platform alone, or an operator import.',
  values: ['ESCROW_VERIFIED', 'COUNTERPARTY_SIGNED', 'PLATFORM_SIGNED', 'IMPORTED'] as const,
});
