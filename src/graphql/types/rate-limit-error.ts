import { RateLimitError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(RateLimitError, {
  name: 'RateLimitError',
  description: 'RATE_LIMITED: retry after `retryAfterSeconds`.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', { description: 'Whole seconds to wait before the same request can succeed (at least 1).' }),
  }),
});
