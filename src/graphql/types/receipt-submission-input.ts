import { builder } from '../builder.ts';

export const ReceiptSubmissionInputRef = builder.inputType('ReceiptSubmissionInput', {
  description: 'One receipt to submit: the platform-signed JWT and any counterparty co-signatures.',
  fields: (t) => ({
    receipt: t.string({ required: true, description: 'The platform-signed TaskReceiptCredential JWT.' }),
    cosignatures: t.stringList({ required: false, description: 'Counterparty co-signatures over the receipt hash.' }),
  }),
});
