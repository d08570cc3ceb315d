import { ERROR_CODES, type CredenceError } from '../../errors.ts';
import { builder } from '../builder.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable machine-readable error codes.',
  values: ERROR_CODES,
});

/** Every error result implements this interface. */
export const ErrorInterface = builder.interfaceRef<CredenceError>('Error').implement({
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});
