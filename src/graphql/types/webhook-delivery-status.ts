import { builder } from '../builder.ts';

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'PENDING waits for its next attempt, DELIVERING is in flight, DELIVERED got a 2xx, FAILED ran out of attempts.',
  values: ['PENDING', 'DELIVERING', 'DELIVERED', 'FAILED'] as const,
});
