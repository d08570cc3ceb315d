// Settlements and receipts: signed ingestion, revocation, and paginated reads.
import { z } from 'zod';
import type { RequestContext } from '../../context.ts';
import type { ReceiptOutcome } from '../../db/schema.ts';
import { AuthError, ConflictError, InputError, NotFoundError, PlatformError, SignatureError } from '../../errors.ts';
import { MAX_RECEIPT_BATCH } from '../../receipts/receipt.service.ts';
import { builder } from '../builder.ts';
import { resolveKeysetConnection, type ConnectionArgs } from '../connection.ts';
import { AgentRef } from '../types/agent.ts';
import { ReceiptConnectionRef } from '../types/receipt-connection.ts';
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

type FilterArg = { categories?: string[] | null; outcomes?: string[] | null; from?: Date | null; to?: Date | null } | null | undefined;

function receiptConnection(did: string, filter: FilterArg, args: ConnectionArgs, context: RequestContext) {
  const receiptFilter = {
    subjectDid: did,
    categories: filter?.categories ?? null,
    outcomes: (filter?.outcomes as ReceiptOutcome[] | null | undefined) ?? null,
    from: filter?.from ?? null,
    to: filter?.to ?? null,
  };
  return resolveKeysetConnection(args, {
    list: 'Receipt',
    read: (read) => context.services.receipts.keysetPage(receiptFilter, read),
    keyOf: (receipt) => ({ at: new Date(receipt.occurred_at), id: receipt.receipt_id }),
  });
}

builder.queryFields((t) => ({
  receipts: t.connection(
    {
      type: ReceiptRef,
      description: 'Receipts about an agent, newest first (revoked ones included, marked revoked).',
      args: {
        did: t.arg.string({ description: 'The subject DID (at most 200 characters).', required: true, validate: DidKeySchema.or(z.string().min(1).max(200)) }),
        filter: t.arg({ type: ReceiptFilterInputRef, required: false, description: 'Only receipts matching every given field.' }),
      },
      resolve: (_root, args, context) => receiptConnection(args.did, args.filter, args, context),
    },
    ReceiptConnectionRef,
  ),
  receipt: t.field({
    type: ReceiptRef,
    nullable: true,
    description: 'One receipt by its receiptId (or its global id); null when there is none.',
    args: { receiptId: t.arg.id({ required: true, description: 'The receipt\'s id as signed (its jti), or its global id.' }) },
    resolve: (_root, { receiptId }) => String(receiptId),
  }),
  settlement: t.field({
    type: SettlementRef,
    nullable: true,
    description: 'An escrow by its platform and escrow id, with its signed events; null when none was recorded.',
    args: {
      platform: t.arg.string({ description: 'The reporting platform\'s DID.', required: true, validate: DidKeySchema }),
      escrowId: t.arg.string({ description: 'The escrow id on that platform (1 to 200 characters).', required: true, validate: z.string().min(1).max(200) }),
    },
    resolve: async (_root, { platform, escrowId }, context) => (await context.services.settlements.find(platform, escrowId)) ?? null,
  }),
}));

builder.objectField(AgentRef, 'receipts', (t) =>
  t.connection(
    {
      type: ReceiptRef,
      description: 'Receipts about this agent, newest first.',
      args: { filter: t.arg({ type: ReceiptFilterInputRef, required: false, description: 'Only receipts matching every given field.' }) },
      resolve: (agent, args, context) => receiptConnection(agent.did, args.filter, args, context),
    },
    ReceiptConnectionRef,
  ),
);

builder.mutationFields((t) => ({
  recordSettlement: t.field({
    type: RecordSettlementPayloadRef,
    description: 'Records a platform-signed escrow settlement event (`{"settlement": {...}}` as `credence sign-settlement` signs it; docs/cli.md). Idempotent by jti.',
    errors: { types: [InputError, SignatureError, PlatformError, ConflictError] },
    args: { event: t.arg.string({ description: 'The platform-signed settlement event, a compact JWS.', required: true, validate: SignedPayload }) },
    resolve: (_root, { event }, context) => context.services.settlements.record(event, context.clock()),
  }),
  submitReceipt: t.field({
    type: SubmitReceiptResultRef,
    description: 'Submits a platform-signed TaskReceiptCredential JWT, optionally with counterparty co-signatures.',
    args: {
      receipt: t.arg.string({ required: true, description: 'The platform-signed TaskReceiptCredential JWT.' }),
      cosignatures: t.arg.stringList({ required: false, description: 'Counterparty co-signatures over the receipt hash (compact JWS).' }),
    },
    resolve: async (_root, { receipt, cosignatures }, context) => {
      const result = await context.services.submissions.submitOne({ receipt, cosignatures }, context.clock());
      return toSubmitReceiptResult(result) as never;
    },
  }),
  submitReceipts: t.field({
    type: SubmitReceiptsPayloadRef,
    description: `Submits up to ${MAX_RECEIPT_BATCH} receipts; one result per item, in order. A bad item fails alone.`,
    errors: { types: [InputError] },
    args: {
      receipts: t.arg({
        description: `The receipts, at most ${MAX_RECEIPT_BATCH}; more is INVALID_INPUT and stores none.`,
        type: [ReceiptSubmissionInputRef],
        required: true,
        validate: z.array(z.any()).max(MAX_RECEIPT_BATCH, `at most ${MAX_RECEIPT_BATCH} receipts per batch`),
      }),
    },
    resolve: async (_root, { receipts }, context) => ({
      results: await context.services.submissions.submitMany(receipts, context.clock()),
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
      receiptId: t.arg.id({ required: true, description: 'The receipt\'s id as signed (its jti).' }),
      reason: t.arg.string({ description: 'Why, kept with the receipt and its revoked credentials.', required: true, validate: ReasonSchema }),
    },
    resolve: async (_root, { receiptId, reason }, context) => {
      const viewer = await context.requireViewer();
      return { receipt: await context.services.receipts.revoke(String(receiptId), reason, viewer, context.clock()) };
    },
  }),
}));


