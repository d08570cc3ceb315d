import { builder } from '../builder.ts';

export const TierEnum = builder.enumType('Tier', {
  description: 'A ≥ 80, B ≥ 60, C ≥ 40, D ≥ 20, F below.',
  values: {
    A: { description: 'Score 80 or more.' },
    B: { description: 'Score 60 to below 80.' },
    C: { description: 'Score 40 to below 60.' },
    D: { description: 'Score 20 to below 40.' },
    F: { description: 'Score below 20, including no history at all.' },
  } as const,
});
