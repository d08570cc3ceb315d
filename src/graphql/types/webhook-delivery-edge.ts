import { builder } from '../builder.ts';
import { WebhookDeliveryRef } from './webhook-delivery.ts';

/** Shared by every connection of webhook deliveries, so clients write one fragment for them. */
export const WebhookDeliveryEdgeRef = builder.edgeObject({
  type: WebhookDeliveryRef,
  name: 'WebhookDeliveryEdge',
  description: 'One webhook delivery in a page, with the cursor of its position in the list.',
});
