// Pure checks of a platform-signed task receipt (api.md §2.2) and its optional counterparty co-signatures.
// Storage-dependent checks (platform status, escrow match, idempotency) happen in the service.
import { validateJwtCredentialPayload } from 'did-jwt-vc';
import { ConflictError, InputError, SignatureError } from '../errors.ts';
import type { ReceiptConfidence, SettlementRow } from '../db/schema.ts';
import { outcomeOfFinalState, sameEscrowUsd } from './escrow-rules.ts';
import {
  CosignaturePayloadSchema,
  describeZodError,
  ReceiptPayloadSchema,
  type ReceiptClaim,
} from './payload-schemas.ts';
import { sha256Base64url, verifyDidKeyJwsOffThread } from './signed-jws.ts';

export const RECEIPT_TIME_POLICY = {
  /** Clock skew tolerated between platforms and this service. */
  skewSeconds: 300,
  /** Receipts about work older than this are refused (operators backfill history with `credence import`). */
  maxAgeDays: 730,
  maxCosignatures: 4,
} as const;

export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const RECEIPT_TYPE = 'TaskReceiptCredential';

export interface VerifiedReceipt {
  /** The uuid of `jti = urn:uuid:<uuid>`. */
  receiptId: string;
  platformDid: string;
  subjectDid: string;
  claim: ReceiptClaim;
  issuedAt: Date;
  occurredAt: Date;
  /** base64url SHA-256 of the JWT: what co-signatures cover and what idempotency compares. */
  contentHash: string;
  jwt: string;
  /** Counterparty DIDs whose co-signature verified. */
  cosignedBy: string[];
  cosignatures: string[];
}

/**
 * Categories in which a platform reports as itself, so it may name itself as the counterparty: identity
 * verifications and profile checks, compliance incidents and violations, and applications made to it (the "platform
 * acting as itself" of docs/trust-model.md §5). In every other category that is self-dealing.
 */
export function platformMayBeCounterparty(category: string): boolean {
  return category.startsWith('identity.') || category.startsWith('compliance.') || category === 'productivity.application';
}

/**
 * Signatures are checked on libuv's thread pool (verifyDidKeyJwsOffThread): a batch's receipts verify in parallel while
 * the event loop answers reads. The receipt's own checks come first, then its co-signatures'; the error reported is
 * the first in that order, as when each was checked in turn.
 */
export async function verifyReceiptJwt(jwt: unknown, cosignatures: readonly unknown[] | null | undefined, now: Date): Promise<VerifiedReceipt> {
  const { issuer, payload } = await verifyDidKeyJwsOffThread(jwt, 'receipt');
  const token = (jwt as string).trim();
  const parsed = ReceiptPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const { message, field } = describeZodError(parsed.error, 'receipt');
    throw new InputError(message, field);
  }
  const receipt = parsed.data;
  try {
    validateJwtCredentialPayload(payload as never);
  } catch (error) {
    throw new InputError(`receipt is not a JWT verifiable credential: ${(error as Error).message}`, 'receipt.vc');
  }
  if (!receipt.vc['@context'].includes(VC_V1_CONTEXT)) throw new InputError(`receipt @context must include ${VC_V1_CONTEXT}`, 'receipt.vc.@context');
  if (!receipt.vc.type.includes(RECEIPT_TYPE)) throw new InputError(`receipt type must include ${RECEIPT_TYPE}`, 'receipt.vc.type');
  const subject = receipt.vc.credentialSubject;
  if (subject.id !== receipt.sub) throw new InputError('receipt credentialSubject.id must equal sub', 'receipt.vc.credentialSubject.id');
  const claim = subject.receipt;

  if (receipt.sub === claim.counterparty) throw new ConflictError('SELF_DEALING', 'receipt subject and counterparty are the same DID');
  if (receipt.sub === issuer) throw new ConflictError('SELF_DEALING', 'a platform cannot issue receipts about itself');
  if (claim.counterparty === issuer) {
    // Elsewhere the platform would vouch for work with its own platform weight (docs/trust-model.md §5).
    if (!platformMayBeCounterparty(claim.actionCategory)) {
      throw new ConflictError('SELF_DEALING', `a platform cannot be the counterparty of its own ${claim.actionCategory} receipt`);
    }
    // Its co-signature would be its own signature again, dressed up as a second party's.
    if ((cosignatures ?? []).length > 0) throw new ConflictError('SELF_DEALING', 'a platform cannot co-sign its own receipt');
  }
  if (claim.actionCategory.startsWith('economic.') && !claim.value) {
    throw new InputError('economic receipts must carry a value', 'receipt.vc.credentialSubject.receipt.value');
  }

  const nowSeconds = now.getTime() / 1000;
  const occurredAt = new Date(claim.occurredAt);
  const occurredSeconds = occurredAt.getTime() / 1000;
  const { skewSeconds, maxAgeDays } = RECEIPT_TIME_POLICY;
  if (receipt.nbf > nowSeconds + skewSeconds) throw new InputError('receipt nbf is in the future', 'receipt.nbf');
  if (receipt.exp !== undefined && receipt.exp < nowSeconds - skewSeconds) throw new InputError('receipt has expired', 'receipt.exp');
  if (occurredSeconds > nowSeconds + skewSeconds) throw new InputError('receipt occurredAt is in the future', 'receipt.occurredAt');
  if (occurredSeconds > receipt.nbf + skewSeconds) throw new InputError('receipt occurredAt is after it was issued', 'receipt.occurredAt');
  if (occurredSeconds < nowSeconds - maxAgeDays * 86_400) {
    throw new InputError(`receipt occurredAt is more than ${maxAgeDays} days old`, 'receipt.occurredAt');
  }

  const contentHash = sha256Base64url(token);
  const cosignatureList = cosignatures ?? [];
  if (cosignatureList.length > RECEIPT_TIME_POLICY.maxCosignatures) {
    throw new InputError(`at most ${RECEIPT_TIME_POLICY.maxCosignatures} co-signatures`, 'cosignatures');
  }
  const checked = await Promise.allSettled(
    cosignatureList.map((cosignature, index) => verifyCosignature(cosignature, { receiptJti: receipt.jti, contentHash, counterparty: claim.counterparty, index })),
  );
  const failed = checked.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const cosignedBy = checked.map((outcome) => (outcome as PromiseFulfilledResult<string>).value);

  return {
    receiptId: receipt.jti.slice('urn:uuid:'.length),
    platformDid: issuer,
    subjectDid: receipt.sub,
    claim,
    issuedAt: new Date(receipt.nbf * 1000),
    occurredAt,
    contentHash,
    jwt: token,
    cosignedBy: [...new Set(cosignedBy)],
    cosignatures: cosignatureList.map((c) => (c as string).trim()),
  };
}

async function verifyCosignature(
  cosignature: unknown,
  expected: { receiptJti: string; contentHash: string; counterparty: string; index: number },
): Promise<string> {
  const what = `cosignatures.${expected.index}`;
  const { issuer, payload } = await verifyDidKeyJwsOffThread(cosignature, what);
  const parsed = CosignaturePayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const { message, field } = describeZodError(parsed.error, what);
    throw new InputError(message, field);
  }
  if (issuer !== expected.counterparty) throw new SignatureError(`${what} is not signed by the receipt's counterparty`);
  if (parsed.data.sub !== expected.receiptJti) throw new SignatureError(`${what} names another receipt`);
  if (parsed.data.receiptHash !== expected.contentHash) throw new SignatureError(`${what} covers other receipt content`);
  return issuer;
}

/**
 * The confidence a receipt earns. With an escrowId it must be fully backed by that escrow or it is refused: an
 * unbacked claim of escrow is worse than no claim.
 */
export function decideConfidence(
  receipt: VerifiedReceipt,
  escrow: SettlementRow | undefined,
  escrowBacksAnotherReceipt: boolean,
): ReceiptConfidence {
  const { claim } = receipt;
  if (claim.escrowId) {
    const mismatch = (why: string) => new ConflictError('ESCROW_MISMATCH', `escrow ${claim.escrowId}: ${why}`);
    if (!claim.actionCategory.startsWith('economic.')) throw mismatch('only economic receipts can name an escrow');
    if (!escrow) throw mismatch('no settlement recorded by this platform');
    const expectedOutcome = outcomeOfFinalState(escrow.status, escrow.ruling);
    if (expectedOutcome === null) throw mismatch(`escrow is ${escrow.status}, not in a final state`);
    if (expectedOutcome !== claim.outcome) throw mismatch(`escrow ended ${escrow.status}, which does not match outcome ${claim.outcome}`);
    if (escrow.beneficiary_did !== receipt.subjectDid) throw mismatch('beneficiary is not the receipt subject');
    if (escrow.depositor_did !== claim.counterparty) throw mismatch('depositor is not the receipt counterparty');
    if (!claim.value || escrow.amount !== claim.value.amount || escrow.currency !== claim.value.currency) {
      throw mismatch('value differs from the escrow');
    }
    // The USD value is what trust volume and credentials count: it must be the escrow's, not the platform's say-so.
    if (!sameEscrowUsd(claim.value.usd, escrow.value_usd)) {
      throw mismatch(`usd ${claim.value.usd} differs from the escrow's recorded ${Number(escrow.value_usd)}`);
    }
    if (escrowBacksAnotherReceipt) throw mismatch('already backs another receipt for this subject');
    return 'ESCROW_VERIFIED';
  }
  if (receipt.cosignedBy.includes(claim.counterparty)) return 'COUNTERPARTY_SIGNED';
  return 'PLATFORM_SIGNED';
}
