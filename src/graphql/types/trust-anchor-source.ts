import { builder } from '../builder.ts';

export const TrustAnchorSourceEnum = builder.enumType('TrustAnchorSource', {
  description: 'Where a trust anchor is named: CREDENCE_TRUST_ANCHORS, or addTrustAnchor.',
  values: ['CONFIGURATION', 'ADMIN'] as const,
});
