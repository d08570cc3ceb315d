// Webhooks for platforms: watch and unwatch agents, the delivery log on Platform, re-sending, secret rotation.
import { z } from 'zod';
import { AuthError, InputError, NotFoundError, PlatformError } from '../../errors.ts';
import { MAX_WATCH_BATCH } from '../../webhooks/webhook.service.ts';
import { builder } from '../builder.ts';
import { resolveKeysetConnection } from '../connection.ts';
import { PlatformRef } from '../types/platform.ts';
import { RedeliverWebhookPayloadRef } from '../types/redeliver-webhook-payload.ts';
import { RotateWebhookSecretPayloadRef } from '../types/rotate-webhook-secret-payload.ts';
import { UnwatchAgentsPayloadRef } from '../types/unwatch-agents-payload.ts';
import { WatchAgentsPayloadRef } from '../types/watch-agents-payload.ts';
import { WebhookDeliveryStatusEnum } from '../types/webhook-delivery-status.ts';
import { WebhookDeliveryConnectionRef } from '../types/webhook-delivery-connection.ts';
import { WebhookDeliveryRef } from '../types/webhook-delivery.ts';
import { AnyDidSchema } from './trust.ts';

const DidListSchema = z
  .array(AnyDidSchema)
  .min(1, 'dids must not be empty')
  .max(MAX_WATCH_BATCH, `at most ${MAX_WATCH_BATCH} DIDs per call`);
const EventIdSchema = z.string().regex(/^evt_[0-9a-f]{32}$/, 'must be a webhook event id (evt_ and 32 hex digits)');

builder.objectField(PlatformRef, 'webhookDeliveries', (t) =>
  t.connection(
    {
      type: WebhookDeliveryRef,
      nullable: true,
      description: 'Webhook deliveries to this platform, newest first. Only the platform itself and admins may read them.',
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false, description: 'Only deliveries in this state; all when omitted.' }) },
      resolve: async (platform, args, context) => {
        const viewer = await context.requireViewer();
        if (!viewer.isAdmin && viewer.did !== platform.did) {
          throw new AuthError('FORBIDDEN', 'only the platform itself or an admin can read its webhook deliveries');
        }
        return resolveKeysetConnection(args, {
          list: 'WebhookDelivery',
          read: (read) => context.services.webhooks.deliveries(platform.did, args.status ?? null, read),
          keyOf: (delivery) => ({ at: new Date(delivery.created_at), id: delivery.id }),
        });
      },
    },
    WebhookDeliveryConnectionRef,
  ),
);

builder.mutationFields((t) => ({
  watchAgents: t.field({
    type: WatchAgentsPayloadRef,
    description: `The calling (approved) platform receives webhooks about these agents too (at most ${MAX_WATCH_BATCH} per call). Idempotent.`,
    errors: { types: [AuthError, InputError, PlatformError] },
    authScopes: { authenticated: true },
    args: { dids: t.arg.stringList({ description: `Agent DIDs (Ed25519 did:key), at most ${MAX_WATCH_BATCH}; repeats count once.`, required: true, validate: DidListSchema }) },
    resolve: async (_root, { dids }, context) => {
      const viewer = await context.requireViewer();
      return context.services.webhooks.watch(viewer.did, dids, context.clock());
    },
  }),
  unwatchAgents: t.field({
    type: UnwatchAgentsPayloadRef,
    description: 'Stops watching these agents. Agents the platform submitted receipts about stay subscribed.',
    errors: { types: [AuthError, InputError, PlatformError] },
    authScopes: { authenticated: true },
    args: { dids: t.arg.stringList({ description: `Agent DIDs (Ed25519 did:key), at most ${MAX_WATCH_BATCH}; repeats count once.`, required: true, validate: DidListSchema }) },
    resolve: async (_root, { dids }, context) => {
      const viewer = await context.requireViewer();
      return context.services.webhooks.unwatch(viewer.did, dids);
    },
  }),
  redeliverWebhook: t.field({
    type: RedeliverWebhookPayloadRef,
    description: 'Queues a delivery again now, with the same event id and body (the receiving platform or an admin).',
    errors: { types: [AuthError, InputError, NotFoundError] },
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, validate: EventIdSchema, description: 'The delivery\'s event id (WebhookDelivery.id).' }) },
    resolve: async (_root, { id }, context) => {
      const viewer = await context.requireViewer();
      return { delivery: await context.services.webhooks.redeliver(String(id), viewer, context.clock()) };
    },
  }),
  rotateWebhookSecret: t.field({
    type: RotateWebhookSecretPayloadRef,
    description: 'Replaces the calling platform\'s webhook signing secret; the new one is returned once.',
    errors: { types: [AuthError, PlatformError] },
    authScopes: { authenticated: true },
    resolve: async (_root, _args, context) => {
      const viewer = await context.requireViewer();
      return context.services.webhooks.rotateSecret(viewer.did, context.clock());
    },
  }),
}));
