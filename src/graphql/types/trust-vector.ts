import type { TrustVector } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';

export const TrustVectorRef = builder.objectRef<TrustVector>('TrustVector').implement({
  description: 'The seven dimensions (docs/trust-model.md): E P B D R on 0..1, the penalties A and C on -1..0.',
  fields: (t) => ({
    E: t.exposeFloat('E', { description: 'Economic: escrow-verified settled work, log-scaled by value.' }),
    P: t.exposeFloat('P', { description: 'Productivity: completions and accepted applications.' }),
    B: t.exposeFloat('B', { description: 'Behavioral: few disputes, refunds and rejections.' }),
    D: t.exposeFloat('D', { description: 'Diversity: distinct credible counterparties and platforms.' }),
    R: t.exposeFloat('R', { description: 'Recency of the evidence.' }),
    A: t.exposeFloat('A', { description: 'Anomaly penalty.' }),
    C: t.exposeFloat('C', { description: 'Compliance penalty.' }),
  }),
});
