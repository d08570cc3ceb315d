import { builder } from '../builder.ts';

export const ReceiptConfidenceEnum = builder.enumType('ReceiptConfidence', {
  description: 'How strongly a receipt is backed: by a matching settled escrow, a counterparty co-signature, the platform alone, or an operator import.',
  values: {
    ESCROW_VERIFIED: { description: 'Backed by a settled escrow with the same parties on the same platform: the strongest evidence.' },
    COUNTERPARTY_SIGNED: { description: 'Co-signed by the counterparty, without a matching escrow.' },
    PLATFORM_SIGNED: { description: 'Signed by the platform alone.' },
    IMPORTED: { description: 'Backfilled by the operator with credence import; weighs least.' },
  } as const,
});
