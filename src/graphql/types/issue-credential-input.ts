import { z } from 'zod';
import { builder } from '../builder.ts';
import { CredentialFormatEnum } from './credential-format.ts';
import { CredentialTypeEnum } from './credential-type.ts';

export const IssueCredentialInputRef = builder
  .inputType('IssueCredentialInput', {
    description: 'A credential for the caller itself. TASK_COMPLETION names one of the caller\'s own receipts.',
    fields: (t) => ({
      type: t.field({ type: CredentialTypeEnum, required: true, description: 'What the credential attests.' }),
      format: t.field({ type: CredentialFormatEnum, required: true, description: 'How it is encoded and signed.' }),
      receiptId: t.id({ required: false, description: 'The escrow-verified, accepted receipt (TASK_COMPLETION only).' }),
    }),
  })
  .validate(
    z.object({
      type: z.enum(['TASK_COMPLETION', 'REPUTATION']),
      format: z.enum(['JWT', 'JSON_LD', 'DATA_INTEGRITY']),
      receiptId: z
        .union([z.string(), z.number()])
        .transform(String)
        .pipe(z.string().min(1, 'receiptId must not be empty').max(200))
        .nullish(),
    }),
  );
