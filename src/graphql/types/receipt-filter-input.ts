import { z } from 'zod';
import { ACTION_CATEGORIES, OUTCOMES } from '../../receipts/payload-schemas.ts';
import { builder } from '../builder.ts';

export const ReceiptFilterInputRef = builder
  .inputType('ReceiptFilterInput', {
    description: 'Narrows a receipt listing; every given field must match (omitted fields match everything).',
    fields: (t) => ({
      categories: t.stringList({ required: false, description: 'Canonical action categories, e.g. economic.transaction.' }),
      outcomes: t.stringList({ required: false, description: 'accepted, rejected or disputed.' }),
      from: t.field({ type: 'DateTime', required: false, description: 'Occurred at or after.' }),
      to: t.field({ type: 'DateTime', required: false, description: 'Occurred before.' }),
    }),
  })
  .validate(
    z.object({
      categories: z.array(z.enum(ACTION_CATEGORIES)).max(13).nullish(),
      outcomes: z.array(z.enum(OUTCOMES)).max(3).nullish(),
      from: z.date().nullish(),
      to: z.date().nullish(),
    }),
  );
