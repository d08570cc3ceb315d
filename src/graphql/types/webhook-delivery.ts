import type { WebhookOutboxRow } from '../../db/schema.ts';
import { serializeWebhookBody } from '../../webhooks/events.ts';
import { builder } from '../builder.ts';
import { WebhookDeliveryStatusEnum } from './webhook-delivery-status.ts';

// A node only for the receiving platform and admins, like Platform.webhookDeliveries: anyone else gets null.
export const WebhookDeliveryRef = builder.loadableNodeRef<WebhookOutboxRow, string, string>('WebhookDelivery', {
  id: {
    resolve: (row) => row.id,
    description: 'The event id (the body\'s `id`), the same on every attempt and re-send; also its global node id.',
  },
  load: async (ids, context) => context.services.webhooks.visibleDeliveries(ids, await context.viewer().catch(() => null)),
  sort: (row) => row.id,
});

WebhookDeliveryRef.implement({
  description: 'One webhook event for one platform, and how its delivery went.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'event_type' in value && 'attempts' in value,
  fields: (t) => ({
    type: t.exposeString('event_type', { description: 'The event type: trust.changed, receipt.revoked or credential.revoked.' }),
    agentDid: t.exposeString('agent_did', { description: 'The DID the event is about.' }),
    status: t.field({ description: 'Where the delivery stands.', type: WebhookDeliveryStatusEnum, resolve: (row) => row.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts since it was created or last re-sent.' }),
    redeliveries: t.exposeInt('redeliveries', { description: 'Times it was queued again with redeliverWebhook.' }),
    createdAt: t.field({ description: 'When the event was queued.', type: 'DateTime', resolve: (row) => row.created_at }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due (PENDING only).',
      resolve: (row) => (row.status === 'PENDING' ? row.next_attempt_at : null),
    }),
    lastAttemptAt: t.field({ description: 'When the last attempt was made; null before the first.', type: 'DateTime', nullable: true, resolve: (row) => row.last_attempt_at }),
    lastStatusCode: t.exposeInt('last_status_code', { nullable: true, description: 'The HTTP status of the last attempt, if one came back.' }),
    lastError: t.exposeString('last_error', { description: 'Why the last attempt failed (a non-2xx status, a timeout, a refused address); null when none failed.', nullable: true }),
    deliveredAt: t.field({ description: 'When a 2xx came back; null until then.', type: 'DateTime', nullable: true, resolve: (row) => row.delivered_at }),
    body: t.string({
      description: 'The JSON body sent: { id, type, data, created_at }.',
      resolve: (row) =>
        serializeWebhookBody({ id: row.id, type: row.event_type, data: row.payload, created_at: new Date(row.created_at).toISOString() }),
    }),
  }),
});
