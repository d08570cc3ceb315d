import { SignatureError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(SignatureError, {
  name: 'SignatureError',
  description: 'INVALID_SIGNATURE: a signed payload is malformed or its signature does not verify.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
