import { builder } from '../builder.ts';

export const ReceiptSubmissionInputRef = builder.inputType('ReceiptSubmissionInput', {
  fields: (t) => ({
    receipt: t.string({ required: true, description: 'The platform-signed TaskReceiptCredential JWT.' }),
    cosignatures: t.stringList({ required: false, description: 'Counterparty co-signatures over the receipt hash.' }),
  }),
});
