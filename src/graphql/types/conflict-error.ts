import { ConflictError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The request contradicts stored state or a rule: SELF_DEALING, ESCROW_MISMATCH, RECEIPT_CONFLICT, INVALID_TRANSITION, ALREADY_EXISTS.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
