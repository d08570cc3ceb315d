import { ConflictError, InputError, PlatformError, SignatureError } from '../../errors.ts';
import type { ReceiptResult } from '../../receipts/receipt.service.ts';
import { builder } from '../builder.ts';
import { SubmitReceiptPayloadRef, type SubmittedReceipt } from './submit-receipt-payload.ts';

const ERROR_TYPES = [
  [InputError, 'InputError'],
  [SignatureError, 'SignatureError'],
  [PlatformError, 'PlatformError'],
  [ConflictError, 'ConflictError'],
] as const;

type ErrorView = { typename: string; code: string; message: string; field?: string | null };

/**
 * GraphQL treats a returned Error instance as a field failure, so per-item errors travel as plain views of the
 * error and the union resolves them by name.
 */
export function toSubmitReceiptResult(result: ReceiptResult): SubmittedReceipt | ErrorView {
  for (const [ErrorClass, typename] of ERROR_TYPES) {
    if (result instanceof ErrorClass) {
      return { typename, code: result.code, message: result.message, field: result instanceof InputError ? result.field : null };
    }
  }
  return result as SubmittedReceipt;
}

/** What submitReceipt answers, and what submitReceipts answers per item. */
export const SubmitReceiptResultRef = builder.unionType('SubmitReceiptResult', {
  description:
    'One receipt\'s outcome: SubmitReceiptPayload when stored (or already stored), else InputError (INVALID_INPUT), ' +
    'SignatureError (INVALID_SIGNATURE), PlatformError (UNKNOWN_PLATFORM, PLATFORM_NOT_APPROVED) or ConflictError ' +
    '(SELF_DEALING, ESCROW_MISMATCH, RECEIPT_CONFLICT); an error stores nothing.',
  types: [SubmitReceiptPayloadRef, InputError, SignatureError, PlatformError, ConflictError],
  resolveType: (value) => ('typename' in value ? (value as ErrorView).typename : 'SubmitReceiptPayload') as never,
});
