import { InputError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(InputError, {
  name: 'InputError',
  description: 'INVALID_INPUT: the input named by `field` is not acceptable.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input at fault as a dotted path (`input.displayName`, `receipts.3.receipt`); null when it is the request as a whole.', nullable: true }),
  }),
});
