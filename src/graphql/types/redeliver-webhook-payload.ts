import type { WebhookOutboxRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { WebhookDeliveryRef } from './webhook-delivery.ts';

export const RedeliverWebhookPayloadRef = builder.objectRef<{ delivery: WebhookOutboxRow }>('RedeliverWebhookPayload').implement({
  fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryRef, resolve: (payload) => payload.delivery }) }),
});
