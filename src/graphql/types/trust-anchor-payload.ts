import type { TrustAnchor } from '../../trust/store/anchors.service.ts';
import { builder } from '../builder.ts';
import { TrustAnchorRef } from './trust-anchor.ts';

export const TrustAnchorPayloadRef = builder.objectRef<{ anchor: TrustAnchor }>('TrustAnchorPayload').implement({
  description: 'What addTrustAnchor and removeTrustAnchor answer on success.',
  fields: (t) => ({ anchor: t.field({ description: 'The anchor as it stands after the change.', type: TrustAnchorRef, resolve: (payload) => payload.anchor }) }),
});
