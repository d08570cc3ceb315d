// Pure checks of a platform-signed settlement event (api.md §2.1).
import { InputError } from '../errors.ts';
import { describeZodError, SettlementEventPayloadSchema, type SettlementEventPayload } from './payload-schemas.ts';
import { RECEIPT_TIME_POLICY } from './receipt-verification.ts';
import { canonicalJson, sha256Base64url, verifyDidKeyJws } from './signed-jws.ts';

export interface VerifiedSettlementEvent {
  platformDid: string;
  jti: string;
  settlement: SettlementEventPayload['settlement'];
  occurredAt: Date;
  /** Hash of the settlement content, so a re-signed copy of the same event is a duplicate, not a conflict. */
  contentHash: string;
  jws: string;
}

export function verifySettlementEvent(jws: unknown, now: Date): VerifiedSettlementEvent {
  const { issuer, payload } = verifyDidKeyJws(jws, 'event');
  const parsed = SettlementEventPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const { message, field } = describeZodError(parsed.error, 'event');
    throw new InputError(message, field);
  }
  const { settlement, jti, iat } = parsed.data;
  if (settlement.depositor === settlement.beneficiary) {
    throw new InputError('depositor and beneficiary must differ', 'event.settlement.beneficiary');
  }
  if ((settlement.status === 'RESOLVED') !== Boolean(settlement.ruling)) {
    throw new InputError('a ruling is given exactly when the status is RESOLVED', 'event.settlement.ruling');
  }
  const occurredAt = new Date(settlement.occurredAt);
  const nowSeconds = now.getTime() / 1000;
  const { skewSeconds, maxAgeDays } = RECEIPT_TIME_POLICY;
  if (iat > nowSeconds + skewSeconds) throw new InputError('event iat is in the future', 'event.iat');
  if (occurredAt.getTime() / 1000 > nowSeconds + skewSeconds) {
    throw new InputError('settlement occurredAt is in the future', 'event.settlement.occurredAt');
  }
  if (occurredAt.getTime() / 1000 < nowSeconds - maxAgeDays * 86_400) {
    throw new InputError(`settlement occurredAt is more than ${maxAgeDays} days old`, 'event.settlement.occurredAt');
  }
  return {
    platformDid: issuer,
    jti,
    settlement,
    occurredAt,
    contentHash: sha256Base64url(canonicalJson(settlement)),
    jws: (jws as string).trim(),
  };
}
