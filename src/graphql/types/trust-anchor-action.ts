import { builder } from '../builder.ts';

export const TrustAnchorActionEnum = builder.enumType('TrustAnchorAction', { values: ['ADD', 'REMOVE'] as const });
