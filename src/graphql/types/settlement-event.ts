import type { SettlementEventRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';

export const SettlementEventRef = builder.objectRef<SettlementEventRow>('SettlementEvent').implement({
  description: 'One signed event in an escrow\'s audit log.',
  fields: (t) => ({
    jti: t.exposeString('jti'),
    status: t.exposeString('status'),
    ruling: t.exposeString('ruling', { nullable: true }),
    occurredAt: t.field({ type: 'DateTime', resolve: (event) => event.occurred_at }),
    receivedAt: t.field({ type: 'DateTime', resolve: (event) => event.received_at }),
    jws: t.exposeString('jws'),
  }),
});
