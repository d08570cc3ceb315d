import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptConfidenceEnum } from './receipt-confidence.ts';

export const ReceiptRef = builder.loadableNodeRef<ReceiptRow, string, string>('Receipt', {
  id: { resolve: (receipt) => receipt.receipt_id, description: 'The global id (opaque): use it with node(id:); receiptId is the id the platform signed.' },
  load: (ids, context) => context.services.receipts.findByIds(ids),
  sort: (receipt) => receipt.receipt_id,
});

ReceiptRef.implement({
  description: 'A platform-signed task receipt about an agent, as stored after verification.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'receipt_id' in value,
  fields: (t) => ({
    receiptId: t.exposeString('receipt_id', { description: 'The receipt\'s id as the platform signed it (its `jti`); unique per platform.' }),
    subject: t.exposeString('subject_did', { description: 'The DID the receipt is about: the agent that did the work.' }),
    counterparty: t.exposeString('counterparty_did', { description: 'The other side of the task: the buyer or client DID.' }),
    platform: t.exposeString('platform_did', { description: 'The DID of the platform that signed the receipt.' }),
    taskId: t.exposeString('task_id', { description: 'The platform\'s own task or job id; null when it gave none.', nullable: true }),
    actionCategory: t.exposeString('action_category', { description: 'The canonical category, e.g. economic.transaction (docs/trust-model.md lists them).' }),
    actionType: t.exposeString('action_type', { description: 'The platform\'s own action name, as signed.' }),
    outcome: t.exposeString('outcome', { description: 'The result as signed: accepted, rejected or disputed.' }),
    amount: t.exposeString('amount', { description: 'The amount as signed, a decimal string in `currency`; null for non-economic receipts.', nullable: true }),
    currency: t.exposeString('currency', { description: 'The currency code of `amount` (USD, USDC, EUR…); null when there is no amount.', nullable: true }),
    valueUsd: t.float({ description: 'The amount in US dollars as the trust engine counts it; 0 when there is no amount.', resolve: (receipt) => Number(receipt.value_usd) }),
    escrowId: t.exposeString('escrow_id', { description: 'The escrow the receipt names; with a matching settled escrow the receipt is ESCROW_VERIFIED. Null when it names none.', nullable: true }),
    confidence: t.field({ description: 'How strongly the receipt is backed; weighs it in the trust score.', type: ReceiptConfidenceEnum, resolve: (receipt) => receipt.confidence }),
    occurredAt: t.field({ description: 'When the work happened, as signed.', type: 'DateTime', resolve: (receipt) => receipt.occurred_at }),
    receivedAt: t.field({ description: 'When Credence stored it.', type: 'DateTime', resolve: (receipt) => receipt.received_at }),
    revoked: t.boolean({ description: 'True once the platform revoked it: it no longer counts, and credentials built on it are revoked too.', resolve: (receipt) => receipt.revoked_at !== null }),
    revokedAt: t.field({ description: 'When it was revoked; null while it is not.', type: 'DateTime', nullable: true, resolve: (receipt) => receipt.revoked_at }),
    revokedReason: t.exposeString('revoked_reason', { description: 'The platform\'s reason for revoking it; null while not revoked.', nullable: true }),
    jwt: t.exposeString('jwt', {
      nullable: true,
      description: 'The receipt exactly as the platform signed it, for re-verification; null for operator imports.',
    }),
    cosignatures: t.exposeStringList('cosignatures', { description: 'Counterparty co-signatures over the receipt hash (compact JWS); empty when none.' }),
  }),
});
