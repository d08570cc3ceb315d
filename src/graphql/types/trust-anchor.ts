import type { TrustAnchor } from '../../trust-store/anchors.service.ts';
import { builder } from '../builder.ts';
import { TrustAnchorSourceEnum } from './trust-anchor-source.ts';

export const TrustAnchorRef = builder.objectRef<TrustAnchor>('TrustAnchor').implement({
  description: 'A DID the operator vouches for: it seeds credibility propagation from the next run on.',
  fields: (t) => ({
    did: t.exposeString('did'),
    source: t.field({ type: TrustAnchorSourceEnum, resolve: (anchor) => anchor.source }),
    reason: t.exposeString('reason', { nullable: true }),
    addedBy: t.exposeString('addedBy', { nullable: true }),
    addedAt: t.field({ type: 'DateTime', nullable: true, resolve: (anchor) => anchor.addedAt }),
  }),
});
