import type { SettlementRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { SettlementEventRef } from './settlement-event.ts';

export const SettlementRef = builder.objectRef<SettlementRow>('Settlement').implement({
  description: 'An escrow as its platform reported it: the terms, the current state and every event.',
  fields: (t) => ({
    id: t.id({ resolve: (s) => Buffer.from(`Settlement:${s.platform_did}/${s.escrow_id}`).toString('base64url') }),
    escrowId: t.exposeString('escrow_id'),
    jobId: t.exposeString('job_id', { nullable: true }),
    platform: t.exposeString('platform_did'),
    depositor: t.exposeString('depositor_did'),
    beneficiary: t.exposeString('beneficiary_did'),
    amount: t.exposeString('amount'),
    currency: t.exposeString('currency'),
    valueUsd: t.float({ resolve: (s) => Number(s.value_usd) }),
    status: t.exposeString('status'),
    ruling: t.exposeString('ruling', { nullable: true }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updated_at }),
    events: t.field({
      type: [SettlementEventRef],
      resolve: (s, _args, context) => context.services.settlements.events(s.platform_did, s.escrow_id),
    }),
  }),
});
