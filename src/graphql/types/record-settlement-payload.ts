import type { RecordedSettlement } from '../../receipts/settlement.service.ts';
import { builder } from '../builder.ts';
import { SettlementRef } from './settlement.ts';

export const RecordSettlementPayloadRef = builder.objectRef<RecordedSettlement>('RecordSettlementPayload').implement({
  fields: (t) => ({
    settlement: t.field({ type: SettlementRef, resolve: (payload) => payload.settlement }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this exact event was already recorded.' }),
  }),
});
