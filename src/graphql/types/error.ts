import { ERROR_CODES, type CredenceError, type ErrorCode } from '../../errors.ts';
import { builder } from '../builder.ts';

/** What each code means to a client, and which error type carries it. */
const ERROR_CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'AuthError: no bearer token, or one that is not a valid DID-JWT for this service.',
  TOKEN_EXPIRED: 'AuthError: the bearer token is past its exp (or too far in the future); mint a new one.',
  TOKEN_REPLAYED: 'AuthError: the bearer token was already used; every token works once.',
  FORBIDDEN: 'AuthError: the caller is authenticated but may not do this (not an admin, not the owner).',
  INVALID_INPUT: 'InputError: an argument or input field is not acceptable; `field` names it.',
  INVALID_SIGNATURE: 'SignatureError: a signed payload is malformed or its signature does not verify.',
  UNKNOWN_PLATFORM: 'PlatformError: the signer is not a registered platform.',
  PLATFORM_NOT_APPROVED: 'PlatformError: the signing platform is PENDING or SUSPENDED.',
  SELF_DEALING: 'ConflictError: subject and counterparty (or depositor and beneficiary) are the same DID.',
  ESCROW_MISMATCH: 'ConflictError: the receipt names an escrow whose parties or platform do not match it.',
  RECEIPT_CONFLICT: 'ConflictError: a different receipt with the same id from the same platform is already stored.',
  INVALID_TRANSITION: 'ConflictError: the escrow cannot move from its current state to the one signed.',
  NOT_FOUND: 'NotFoundError: the object named does not exist (or is not visible to the caller).',
  RATE_LIMITED: 'RateLimitError: too many requests or issued credentials; retry after `retryAfterSeconds`.',
  ALREADY_EXISTS: 'ConflictError: the object being created already exists (a platform registered twice).',
};

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable machine-readable error codes.',
  values: Object.fromEntries(ERROR_CODES.map((code) => [code, { description: ERROR_CODE_DESCRIPTIONS[code] }])) as Record<
    ErrorCode,
    { description: string }
  >,
});

/** Every error result implements this interface. */
export const ErrorInterface = builder.interfaceRef<CredenceError>('Error').implement({
  description: 'What every error result implements: a stable `code` and a `message`. Select `... on Error { code message }` to handle errors you do not know yet.',
  fields: (t) => ({
    code: t.field({ description: 'The error\'s stable code; branch on it rather than on the message.', type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message', { description: 'What went wrong, in English, for a developer or a log; it may change between versions.' }),
  }),
});
