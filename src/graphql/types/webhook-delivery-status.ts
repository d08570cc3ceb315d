import { builder } from '../builder.ts';

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'PENDING waits for its next attempt, DELIVERING is in flight, DELIVERED got a 2xx, FAILED ran out of attempts.',
  values: {
    PENDING: { description: 'Waiting for its next attempt (nextAttemptAt).' },
    DELIVERING: { description: 'An attempt is in flight.' },
    DELIVERED: { description: 'The platform answered 2xx; final unless re-sent with redeliverWebhook.' },
    FAILED: { description: 'Every attempt failed; re-send it with redeliverWebhook.' },
  } as const,
});
