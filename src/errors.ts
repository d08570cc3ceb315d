// Domain errors with stable codes. Resolvers return them as data (mutations) or GraphQL errors with
// `extensions.code` (queries); anything else is masked as an internal error.
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'TOKEN_REPLAYED',
  'FORBIDDEN',
  'INVALID_INPUT',
  'INVALID_SIGNATURE',
  'UNKNOWN_PLATFORM',
  'PLATFORM_NOT_APPROVED',
  'SELF_DEALING',
  'ESCROW_MISMATCH',
  'RECEIPT_CONFLICT',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'RATE_LIMITED',
  'ALREADY_EXISTS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class CredenceError extends Error {
  abstract readonly code: ErrorCode;

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: { code: this.code } });
  }
}

export type AuthErrorCode = 'UNAUTHENTICATED' | 'TOKEN_EXPIRED' | 'TOKEN_REPLAYED' | 'FORBIDDEN';

/** The caller is not who it must be: no or bad token, expired, replayed, or lacking a role. */
export class AuthError extends CredenceError {
  override name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Input that is well-typed GraphQL but not acceptable; `field` names the offending input. */
export class InputError extends CredenceError {
  override name = 'InputError';
  readonly code = 'INVALID_INPUT' as const;
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export class SignatureError extends CredenceError {
  override name = 'SignatureError';
  readonly code = 'INVALID_SIGNATURE' as const;
}

export type PlatformErrorCode = 'UNKNOWN_PLATFORM' | 'PLATFORM_NOT_APPROVED';

export class PlatformError extends CredenceError {
  override name = 'PlatformError';
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ConflictErrorCode =
  | 'SELF_DEALING'
  | 'ESCROW_MISMATCH'
  | 'RECEIPT_CONFLICT'
  | 'INVALID_TRANSITION'
  | 'ALREADY_EXISTS';

/** The request contradicts stored state or a business rule. */
export class ConflictError extends CredenceError {
  override name = 'ConflictError';
  constructor(
    readonly code: ConflictErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends CredenceError {
  override name = 'NotFoundError';
  readonly code = 'NOT_FOUND' as const;
}

export class RateLimitError extends CredenceError {
  override name = 'RateLimitError';
  readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
