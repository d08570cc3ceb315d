import type { RecordedSettlement } from '../../receipts/settlement.service.ts';
import { builder } from '../builder.ts';
import { SettlementRef } from './settlement.ts';

export const RecordSettlementPayloadRef = builder.objectRef<RecordedSettlement>('RecordSettlementPayload').implement({
  description: 'What recordSettlement answers on success.',
  fields: (t) => ({
    settlement: t.field({ description: 'The escrow after this event.', type: SettlementRef, resolve: (payload) => payload.settlement }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this exact event was already recorded.' }),
  }),
});
