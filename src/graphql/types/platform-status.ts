import { builder } from '../builder.ts';

export const PlatformStatusEnum = builder.enumType('PlatformStatus', {
  description: 'Only APPROVED platforms\' signatures count.',
  values: ['PENDING', 'APPROVED', 'SUSPENDED'] as const,
});
