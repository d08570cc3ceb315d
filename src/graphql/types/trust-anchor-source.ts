import { builder } from '../builder.ts';

export const TrustAnchorSourceEnum = builder.enumType('TrustAnchorSource', {
  description: 'Where a trust anchor is named: CREDENCE_TRUST_ANCHORS, or addTrustAnchor.',
  values: {
    CONFIGURATION: { description: 'Named in CREDENCE_TRUST_ANCHORS; changes with the configuration, not through the API.' },
    ADMIN: { description: 'Added by an admin with addTrustAnchor; removed with removeTrustAnchor.' },
  } as const,
});
