import type { TrustAnchor } from '../../trust-store/anchors.service.ts';
import { builder } from '../builder.ts';
import { TrustAnchorRef } from './trust-anchor.ts';

export const TrustAnchorPayloadRef = builder.objectRef<{ anchor: TrustAnchor }>('TrustAnchorPayload').implement({
  fields: (t) => ({ anchor: t.field({ type: TrustAnchorRef, resolve: (payload) => payload.anchor }) }),
});
