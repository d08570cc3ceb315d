// Shapes of the signed payloads (api.md §2), as zod schemas. Strict at every level: unknown keys in the signed
// payloads are refused, so nothing unverifiable hides inside a signature.
import { z } from 'zod';
import { isEd25519DidKey } from '../crypto/ed25519.ts';

// The 13 canonical action categories are defined once, with the trust model.
export { ACTION_CATEGORIES, type ActionCategory } from '../trust/engine/types.ts';
import { ACTION_CATEGORIES, type ActionCategory } from '../trust/engine/types.ts';

export const OUTCOMES = ['accepted', 'rejected', 'disputed'] as const;
export const SETTLEMENT_STATUSES = ['FUNDED', 'RELEASED', 'SETTLED', 'REFUNDED', 'DISPUTED', 'RESOLVED'] as const;
export const RULINGS = ['CLAIMANT_WINS', 'RESPONDENT_WINS', 'SPLIT'] as const;

/** Largest USD value a single receipt or escrow may carry. */
export const MAX_VALUE_USD = 10_000_000;

export const DidKey = z.string().max(100).refine(isEd25519DidKey, 'must be an Ed25519 did:key');
const Identifier = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
/** A decimal amount in canonical form: no sign, no exponent, no leading zeros, at most 8 decimals. */
export const DecimalAmount = z
  .string()
  .max(32)
  .regex(/^(0|[1-9]\d{0,14})(\.\d{1,8})?$/, 'must be a canonical decimal string like "500.00"');
export const Currency = z.string().regex(/^[A-Z0-9]{2,12}$/, 'must be an upper-case currency code');
export const UsdValue = z.number().finite().min(0).max(MAX_VALUE_USD);
const IsoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' });

export const SettlementSchema = z
  .object({
    escrowId: Identifier,
    jobId: Identifier.nullish(),
    depositor: DidKey,
    beneficiary: DidKey,
    amount: DecimalAmount,
    currency: Currency,
    usd: UsdValue,
    status: z.enum(SETTLEMENT_STATUSES),
    ruling: z.enum(RULINGS).nullish(),
    occurredAt: IsoInstant,
  })
  .strict();

export const SettlementEventPayloadSchema = z
  .object({
    iss: DidKey,
    iat: z.number().int().positive(),
    jti: Identifier,
    settlement: SettlementSchema,
  })
  .strict();

export type SettlementEventPayload = z.infer<typeof SettlementEventPayloadSchema>;

export const ReceiptClaimSchema = z
  .object({
    taskId: Identifier.nullish(),
    counterparty: DidKey,
    actionCategory: z.enum(ACTION_CATEGORIES),
    actionType: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'must be a lower-case identifier'),
    outcome: z.enum(OUTCOMES),
    value: z.object({ amount: DecimalAmount, currency: Currency, usd: UsdValue }).strict().nullish(),
    escrowId: Identifier.nullish(),
    occurredAt: IsoInstant,
    metadataHash: z.string().regex(/^sha256:[A-Za-z0-9_=+/-]{43,64}$/, 'must be "sha256:<digest>"').nullish(),
  })
  .strict();

export type ReceiptClaim = z.infer<typeof ReceiptClaimSchema>;

// Every level is strict, the JWT claims as much as the receipt claim: a key nobody checks is refused, not carried.
// `iat` is allowed because standard JWT libraries add it.
export const ReceiptPayloadSchema = z
  .object({
    iss: DidKey,
    sub: DidKey,
    nbf: z.number().int().positive(),
    iat: z.number().int().positive().optional(),
    exp: z.number().int().positive().optional(),
    jti: z.string().regex(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be urn:uuid:<lower-case uuid>'),
    vc: z
      .object({
        '@context': z.array(z.string()).min(1).max(8),
        type: z.array(z.string()).min(2).max(8),
        credentialSubject: z.object({ id: DidKey, receipt: ReceiptClaimSchema }).strict(),
      })
      .strict(),
  })
  .strict();

export type ReceiptPayload = z.infer<typeof ReceiptPayloadSchema>;

export const CosignaturePayloadSchema = z
  .object({
    iss: DidKey,
    sub: z.string().min(1).max(200),
    receiptHash: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the base64url SHA-256 of the receipt JWT'),
    iat: z.number().int().positive(),
  })
  .strict();

/** The first problem as "path: message", for error answers that name the field. */
export function describeZodError(error: z.ZodError, prefix: string): { message: string; field: string } {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.');
  return { message: `${path}: ${issue?.message ?? 'invalid'}`, field: path };
}
