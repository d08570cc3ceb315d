import { PlatformError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { ErrorInterface } from './error.ts';

builder.objectType(PlatformError, {
  name: 'PlatformError',
  description: 'UNKNOWN_PLATFORM or PLATFORM_NOT_APPROVED: the signer is not an approved, active platform.',
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
