import type { TrustAnchorAuditRow } from '../../trust-store/anchors.repository.ts';
import { builder } from '../builder.ts';
import { TrustAnchorActionEnum } from './trust-anchor-action.ts';

export const TrustAnchorAuditEntryRef = builder.objectRef<TrustAnchorAuditRow>('TrustAnchorAuditEntry').implement({
  description: 'One addTrustAnchor or removeTrustAnchor, with who did it and why.',
  fields: (t) => ({
    did: t.exposeString('did'),
    action: t.field({ type: TrustAnchorActionEnum, resolve: (entry) => entry.action }),
    reason: t.exposeString('reason', { nullable: true }),
    actorDid: t.exposeString('actorDid'),
    at: t.field({ type: 'DateTime', resolve: (entry) => entry.at }),
  }),
});
