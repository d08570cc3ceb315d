import { builder } from '../builder.ts';

export const TrustWindowEnum = builder.enumType('TrustWindow', {
  values: ['D7', 'D30', 'D90', 'LIFETIME'] as const,
});
