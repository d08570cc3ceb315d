import { builder } from '../builder.ts';

export const PlatformStatusEnum = builder.enumType('PlatformStatus', {
  description: 'Only APPROVED platforms\' signatures count.',
  values: {
    PENDING: { description: 'Registered, waiting for an admin: its signed submissions are refused (PLATFORM_NOT_APPROVED).' },
    APPROVED: { description: 'Its settlements and receipts are accepted.' },
    SUSPENDED: { description: 'Suspended by an admin (see statusReason): new submissions are refused; what it already submitted stays.' },
  } as const,
});
