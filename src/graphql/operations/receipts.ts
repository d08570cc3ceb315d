// Settlements and receipts: signed ingestion, revocation, and paginated reads.
import { z } from 'zod';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import type { RequestContext } from '../../context.ts';
import type { ReceiptOutcome } from '../../db/schema.ts';
import { AuthError, ConflictError, InputError, NotFoundError, PlatformError, SignatureError } from '../../errors.ts';
import type { ReceiptCursor } from '../../receipts/receipt.repository.ts';
import { MAX_RECEIPT_BATCH } from '../../receipts/receipt.service.ts';
import { builder } from '../builder.ts';
import { AgentRef } from '../types/agent.ts';
import { ReceiptFilterInputRef } from '../types/receipt-filter-input.ts';
import { ReceiptSubmissionInputRef } from '../types/receipt-submission-input.ts';
import { ReceiptRef } from '../types/receipt.ts';
import { RecordSettlementPayloadRef } from '../types/record-settlement-payload.ts';
import { RevokeReceiptPayloadRef } from '../types/revoke-receipt-payload.ts';
import { SettlementRef } from '../types/settlement.ts';
import { SubmitReceiptResultRef, toSubmitReceiptResult } from '../types/submit-receipt-result.ts';
import { SubmitReceiptsPayloadRef } from '../types/submit-receipts-payload.ts';
import { DidKeySchema } from './identity.ts';

const SignedPayload = z.string().min(1).max(16_384);
const ReasonSchema = z.string().trim().min(1, 'reason must not be empty').max(500);

function encodeReceiptCursor(receipt: { occurred_at: Date | string; receipt_id: string }): string {
  return Buffer.from(`${new Date(receipt.occurred_at).toISOString()}|${receipt.receipt_id}`).toString('base64url');
}

function decodeReceiptCursor(cursor: string): ReceiptCursor {
  const [time, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const occurredAt = new Date(time ?? '');
  const receiptId = rest.join('|');
  if (!receiptId || Number.isNaN(occurredAt.getTime())) throw new InputError('after is not a valid cursor', 'after');
  return { occurredAt, receiptId };
}

type FilterArg = { categories?: string[] | null; outcomes?: string[] | null; from?: Date | null; to?: Date | null } | null | undefined;

function receiptConnection(did: string, filter: FilterArg, args: Record<string, unknown>, context: RequestContext) {
  return resolveCursorConnection(
    { args: args as never, toCursor: encodeReceiptCursor, defaultSize: 20, maxSize: 100 },
    ({ after, limit }: ResolveCursorConnectionArgs) =>
      context.services.receipts.page(
        {
          subjectDid: did,
          categories: filter?.categories ?? null,
          outcomes: (filter?.outcomes as ReceiptOutcome[] | null | undefined) ?? null,
          from: filter?.from ?? null,
          to: filter?.to ?? null,
        },
        after ? decodeReceiptCursor(after) : null,
        limit,
      ),
  );
}

builder.queryFields((t) => ({
  receipts: t.connection({
    type: ReceiptRef,
    description: 'Receipts about an agent, newest first (revoked ones included, marked revoked).',
    args: {
      did: t.arg.string({ required: true, validate: DidKeySchema.or(z.string().min(1).max(200)) }),
      filter: t.arg({ type: ReceiptFilterInputRef, required: false }),
    },
    resolve: (_root, args, context) => receiptConnection(args.did, args.filter, args as never, context),
  }),
  receipt: t.field({
    type: ReceiptRef,
    nullable: true,
    args: { receiptId: t.arg.id({ required: true }) },
    resolve: (_root, { receiptId }) => String(receiptId),
  }),
  settlement: t.field({
    type: SettlementRef,
    nullable: true,
    args: {
      platform: t.arg.string({ required: true, validate: DidKeySchema }),
      escrowId: t.arg.string({ required: true, validate: z.string().min(1).max(200) }),
    },
    resolve: async (_root, { platform, escrowId }, context) => (await context.services.settlements.find(platform, escrowId)) ?? null,
  }),
}));

builder.objectField(AgentRef, 'receipts', (t) =>
  t.connection({
    type: ReceiptRef,
    description: 'Receipts about this agent, newest first.',
    args: { filter: t.arg({ type: ReceiptFilterInputRef, required: false }) },
    resolve: (agent, args, context) => receiptConnection(agent.did, args.filter, args as never, context),
  }),
);

builder.mutationFields((t) => ({
  recordSettlement: t.field({
    type: RecordSettlementPayloadRef,
    description: 'Records a platform-signed escrow settlement event (api.md §2.1). Idempotent by jti.',
    errors: { types: [InputError, SignatureError, PlatformError, ConflictError] },
    args: { event: t.arg.string({ required: true, validate: SignedPayload }) },
    resolve: (_root, { event }, context) => context.services.settlements.record(event, context.clock()),
  }),
  submitReceipt: t.field({
    type: SubmitReceiptResultRef,
    description: 'Submits a platform-signed TaskReceiptCredential JWT, optionally with counterparty co-signatures.',
    args: {
      receipt: t.arg.string({ required: true }),
      cosignatures: t.arg.stringList({ required: false }),
    },
    resolve: async (_root, { receipt, cosignatures }, context) => {
      const [result] = await context.services.receipts.submitMany([{ receipt, cosignatures }], context.clock());
      return toSubmitReceiptResult(result!) as never;
    },
  }),
  submitReceipts: t.field({
    type: SubmitReceiptsPayloadRef,
    description: `Submits up to ${MAX_RECEIPT_BATCH} receipts; one result per item, in order. A bad item fails alone.`,
    errors: { types: [InputError] },
    args: {
      receipts: t.arg({
        type: [ReceiptSubmissionInputRef],
        required: true,
        validate: z.array(z.any()).max(MAX_RECEIPT_BATCH, `at most ${MAX_RECEIPT_BATCH} receipts per batch`),
      }),
    },
    resolve: async (_root, { receipts }, context) => ({
      results: await context.services.receipts.submitMany(receipts, context.clock()),
    }),
  }),
  revokeReceipt: t.field({
    type: RevokeReceiptPayloadRef,
    description:
      'Revokes a receipt: by its issuing platform while it is approved (else PLATFORM_NOT_APPROVED), or an admin. ' +
      'Revoked receipts stop counting.',
    errors: { types: [AuthError, InputError, NotFoundError, PlatformError] },
    authScopes: { authenticated: true },
    args: {
      receiptId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: ReasonSchema }),
    },
    resolve: async (_root, { receiptId, reason }, context) => {
      const viewer = await context.requireViewer();
      return { receipt: await context.services.receipts.revoke(String(receiptId), reason, viewer, context.clock()) };
    },
  }),
}));


