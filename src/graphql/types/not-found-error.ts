import { NotFoundError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'NOT_FOUND: the named object does not exist.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
