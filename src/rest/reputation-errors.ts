// The REST API's envelope: `{ "success": true, ... }`, or `{ "success": false, "error": "…", "code": "…" }` with an
// HTTP status taken from one table of Credence error codes. Anything that is not a CredenceError is masked.
import { CredenceError, InputError, RateLimitError, type ErrorCode } from '../errors.ts';

/** HTTP status per error code: the one place the REST API decides them. */
export const REST_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_INPUT: 400,
  SELF_DEALING: 400,
  // Authentication: a bearer token that does not hold, or a signed payload whose signer is not who it claims or
  // not a platform Credence knows.
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REPLAYED: 401,
  INVALID_SIGNATURE: 401,
  UNKNOWN_PLATFORM: 401,
  // Authorization: a known caller without the right.
  FORBIDDEN: 403,
  PLATFORM_NOT_APPROVED: 403,
  NOT_FOUND: 404,
  // The request contradicts stored state.
  RECEIPT_CONFLICT: 409,
  ESCROW_MISMATCH: 409,
  INVALID_TRANSITION: 409,
  ALREADY_EXISTS: 409,
  RATE_LIMITED: 429,
});

/** Codes the HTTP layer adds to the domain's ones. */
export type RestErrorCode = ErrorCode | 'PAYLOAD_TOO_LARGE' | 'METHOD_NOT_ALLOWED' | 'INTERNAL_SERVER_ERROR';

export interface ErrorEnvelope {
  success: false;
  error: string;
  code: RestErrorCode;
  /** The offending input, for INVALID_INPUT when known. */
  field?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function errorEnvelope(status: number, code: RestErrorCode, message: string, extra: { field?: string | null; headers?: Record<string, string> } = {}): Response {
  const body: ErrorEnvelope = { success: false, error: message, code };
  if (extra.field) body.field = extra.field;
  return jsonResponse(body, status, extra.headers);
}

export const INTERNAL_ERROR_MESSAGE = 'internal server error';

/**
 * The envelope for a thrown error: a CredenceError keeps its message and code with the table's status; anything
 * else is reported to `onUnexpected` and answered with a masked 500.
 */
export function errorResponse(error: unknown, onUnexpected: (error: unknown) => void = () => undefined): Response {
  if (error instanceof CredenceError) {
    const headers: Record<string, string> = {};
    if (error instanceof RateLimitError) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
    return errorEnvelope(REST_STATUS_BY_CODE[error.code], error.code, error.message, {
      field: error instanceof InputError ? error.field : null,
      headers,
    });
  }
  onUnexpected(error);
  return errorEnvelope(500, 'INTERNAL_SERVER_ERROR', INTERNAL_ERROR_MESSAGE);
}
