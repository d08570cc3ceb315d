import type { TrustAnchorAuditRow } from '../../trust/store/anchors.repository.ts';
import { builder } from '../builder.ts';
import { TrustAnchorActionEnum } from './trust-anchor-action.ts';

export const TrustAnchorAuditEntryRef = builder.objectRef<TrustAnchorAuditRow>('TrustAnchorAuditEntry').implement({
  description: 'One addTrustAnchor or removeTrustAnchor, with who did it and why.',
  fields: (t) => ({
    did: t.exposeString('did', { description: 'The DID that was added or removed as an anchor.' }),
    action: t.field({ description: 'Whether it was added or removed.', type: TrustAnchorActionEnum, resolve: (entry) => entry.action }),
    reason: t.exposeString('reason', { description: 'The reason the admin gave; null when none.', nullable: true }),
    actorDid: t.exposeString('actorDid', { description: 'The admin DID that did it.' }),
    at: t.field({ description: 'When it happened.', type: 'DateTime', resolve: (entry) => entry.at }),
  }),
});
