import type { ReceiptRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { ReceiptConfidenceEnum } from './receipt-confidence.ts';

export const ReceiptRef = builder.loadableNodeRef<ReceiptRow, string, string>('Receipt', {
  id: { resolve: (receipt) => receipt.receipt_id },
  load: (ids, context) => context.services.receipts.findByIds(ids),
  sort: (receipt) => receipt.receipt_id,
});

ReceiptRef.implement({
  description: 'A platform-signed task receipt about an agent, as stored after verification.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'receipt_id' in value,
  fields: (t) => ({
    receiptId: t.exposeString('receipt_id'),
    subject: t.exposeString('subject_did'),
    counterparty: t.exposeString('counterparty_did'),
    platform: t.exposeString('platform_did'),
    taskId: t.exposeString('task_id', { nullable: true }),
    actionCategory: t.exposeString('action_category'),
    actionType: t.exposeString('action_type'),
    outcome: t.exposeString('outcome'),
    amount: t.exposeString('amount', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
    valueUsd: t.float({ resolve: (receipt) => Number(receipt.value_usd) }),
    escrowId: t.exposeString('escrow_id', { nullable: true }),
    confidence: t.field({ type: ReceiptConfidenceEnum, resolve: (receipt) => receipt.confidence }),
    occurredAt: t.field({ type: 'DateTime', resolve: (receipt) => receipt.occurred_at }),
    receivedAt: t.field({ type: 'DateTime', resolve: (receipt) => receipt.received_at }),
    revoked: t.boolean({ resolve: (receipt) => receipt.revoked_at !== null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (receipt) => receipt.revoked_at }),
    revokedReason: t.exposeString('revoked_reason', { nullable: true }),
    jwt: t.exposeString('jwt', {
      nullable: true,
      description: 'The receipt exactly as the platform signed it, for re-verification; null for operator imports.',
    }),
    cosignatures: t.exposeStringList('cosignatures'),
  }),
});
