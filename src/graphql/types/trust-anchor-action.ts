import { builder } from '../builder.ts';

export const TrustAnchorActionEnum = builder.enumType('TrustAnchorAction', {
  description: 'What an admin did to a trust anchor.',
  values: {
    ADD: { description: 'addTrustAnchor: the DID became an anchor.' },
    REMOVE: { description: 'removeTrustAnchor: the DID stopped being an anchor.' },
  } as const,
});
