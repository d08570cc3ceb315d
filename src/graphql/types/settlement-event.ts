import type { SettlementEventRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';

export const SettlementEventRef = builder.objectRef<SettlementEventRow>('SettlementEvent').implement({
  description: 'One signed event in an escrow\'s audit log.',
  fields: (t) => ({
    jti: t.exposeString('jti', { description: 'The event\'s id as signed (its `jti`); an event is recorded once.' }),
    status: t.exposeString('status', { description: 'The state this event moved the escrow to.' }),
    ruling: t.exposeString('ruling', { description: 'The dispute ruling a RESOLVED event carries; null otherwise.', nullable: true }),
    occurredAt: t.field({ description: 'When it happened, as signed.', type: 'DateTime', resolve: (event) => event.occurred_at }),
    receivedAt: t.field({ description: 'When Credence recorded it.', type: 'DateTime', resolve: (event) => event.received_at }),
    jws: t.exposeString('jws', { description: 'The event exactly as the platform signed it (compact JWS), for re-verification.' }),
  }),
});
