import { builder } from '../builder.ts';

export const TierEnum = builder.enumType('Tier', {
  description: 'A ≥ 80, B ≥ 60, C ≥ 40, D ≥ 20, F below.',
  values: ['A', 'B', 'C', 'D', 'F'] as const,
});
