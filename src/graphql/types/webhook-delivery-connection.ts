import { builder } from '../builder.ts';
import { WebhookDeliveryEdgeRef } from './webhook-delivery-edge.ts';
import { WebhookDeliveryRef } from './webhook-delivery.ts';

export const WebhookDeliveryConnectionRef = builder.connectionObject(
  {
    type: WebhookDeliveryRef,
    name: 'WebhookDeliveryConnection',
    description: 'A page of webhook deliveries (Relay cursor connection: first/after forward, last/before backward).',
  },
  WebhookDeliveryEdgeRef,
);
