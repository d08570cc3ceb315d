import type { WebhookOutboxRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { WebhookDeliveryRef } from './webhook-delivery.ts';

export const RedeliverWebhookPayloadRef = builder.objectRef<{ delivery: WebhookOutboxRow }>('RedeliverWebhookPayload').implement({
  description: 'What redeliverWebhook answers on success.',
  fields: (t) => ({ delivery: t.field({ description: 'The delivery, queued as PENDING for an attempt now.', type: WebhookDeliveryRef, resolve: (payload) => payload.delivery }) }),
});
