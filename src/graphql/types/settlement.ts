import type { SettlementRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { SettlementEventRef } from './settlement-event.ts';

/** A settlement's own id: its platform's DID (which has no `/`) and the escrow id, as `platform/escrow`. */
const settlementKey = (s: Pick<SettlementRow, 'platform_did' | 'escrow_id'>) => `${s.platform_did}/${s.escrow_id}`;

// Public, like the settlement(platform:, escrowId:) query.
export const SettlementRef = builder.loadableNodeRef<SettlementRow, string, string>('Settlement', {
  id: { resolve: settlementKey, description: 'The global id (opaque): use it with node(id:).' },
  load: async (keys, context) => {
    const rows = await Promise.all(
      keys.map((key) => {
        const slash = key.indexOf('/');
        return slash > 0 ? context.services.settlements.find(key.slice(0, slash), key.slice(slash + 1)) : undefined;
      }),
    );
    return rows.filter((row): row is SettlementRow => row !== undefined);
  },
  sort: settlementKey,
});

SettlementRef.implement({
  description: 'An escrow as its platform reported it: the terms, the current state and every event.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'depositor_did' in value && !('receipt_id' in value),
  fields: (t) => ({
    escrowId: t.exposeString('escrow_id', { description: 'The escrow\'s id on its platform.' }),
    jobId: t.exposeString('job_id', { description: 'The job the escrow pays for, as the platform named it; null when it named none.', nullable: true }),
    platform: t.exposeString('platform_did', { description: 'The DID of the platform that reported the escrow.' }),
    depositor: t.exposeString('depositor_did', { description: 'The DID that funded the escrow: the buyer.' }),
    beneficiary: t.exposeString('beneficiary_did', { description: 'The DID the escrow pays out to: the worker.' }),
    amount: t.exposeString('amount', { description: 'The escrowed amount, a decimal string in `currency`.' }),
    currency: t.exposeString('currency', { description: 'The currency code of `amount`.' }),
    valueUsd: t.float({ description: 'The amount in US dollars.', resolve: (s) => Number(s.value_usd) }),
    status: t.exposeString('status', { description: 'The latest state: FUNDED, RELEASED, SETTLED, REFUNDED, DISPUTED or RESOLVED (SETTLED, REFUNDED and RESOLVED are final).' }),
    ruling: t.exposeString('ruling', { description: 'How a dispute was resolved (CLAIMANT_WINS, RESPONDENT_WINS or SPLIT); null unless RESOLVED.', nullable: true }),
    updatedAt: t.field({ description: 'When the latest event was recorded.', type: 'DateTime', resolve: (s) => s.updated_at }),
    events: t.field({
      description: 'Every signed event, oldest first.',
      type: [SettlementEventRef],
      resolve: (s, _args, context) => context.services.settlements.events(s.platform_did, s.escrow_id),
    }),
  }),
});
