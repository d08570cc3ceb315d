import type { TrustAnchor } from '../../trust/store/anchors.service.ts';
import { builder } from '../builder.ts';
import { TrustAnchorSourceEnum } from './trust-anchor-source.ts';

export const TrustAnchorRef = builder.objectRef<TrustAnchor>('TrustAnchor').implement({
  description: 'A DID the operator vouches for: it seeds credibility propagation from the next run on.',
  fields: (t) => ({
    did: t.exposeString('did', { description: 'The anchored DID.' }),
    source: t.field({ description: 'Where the anchor is named: configuration or an admin.', type: TrustAnchorSourceEnum, resolve: (anchor) => anchor.source }),
    reason: t.exposeString('reason', { description: 'Why the admin added it; null for configured anchors.', nullable: true }),
    addedBy: t.exposeString('addedBy', { description: 'The admin DID that added it; null for configured anchors.', nullable: true }),
    addedAt: t.field({ description: 'When it was added; null for configured anchors.', type: 'DateTime', nullable: true, resolve: (anchor) => anchor.addedAt }),
  }),
});
