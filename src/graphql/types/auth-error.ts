import { AuthError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(AuthError, {
  name: 'AuthError',
  description: 'UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REPLAYED or FORBIDDEN.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
