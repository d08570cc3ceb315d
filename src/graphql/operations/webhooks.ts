// Webhooks for platforms: watch and unwatch agents, the delivery log on Platform, re-sending, secret rotation.
import { z } from 'zod';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { AuthError, InputError, NotFoundError, PlatformError } from '../../errors.ts';
import type { DeliveryCursor } from '../../webhooks/webhook.repository.ts';
import { MAX_WATCH_BATCH } from '../../webhooks/webhook.service.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from '../types/platform.ts';
import { RedeliverWebhookPayloadRef } from '../types/redeliver-webhook-payload.ts';
import { RotateWebhookSecretPayloadRef } from '../types/rotate-webhook-secret-payload.ts';
import { UnwatchAgentsPayloadRef } from '../types/unwatch-agents-payload.ts';
import { WatchAgentsPayloadRef } from '../types/watch-agents-payload.ts';
import { WebhookDeliveryStatusEnum } from '../types/webhook-delivery-status.ts';
import { WebhookDeliveryRef } from '../types/webhook-delivery.ts';
import { AnyDidSchema } from './trust.ts';

const DidListSchema = z
  .array(AnyDidSchema)
  .min(1, 'dids must not be empty')
  .max(MAX_WATCH_BATCH, `at most ${MAX_WATCH_BATCH} DIDs per call`);
const EventIdSchema = z.string().regex(/^evt_[0-9a-f]{32}$/, 'must be a webhook event id (evt_ and 32 hex digits)');

function encodeDeliveryCursor(row: { created_at: Date | string; id: string }): string {
  return Buffer.from(`${new Date(row.created_at).toISOString()}|${row.id}`).toString('base64url');
}

function decodeDeliveryCursor(cursor: string): DeliveryCursor {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  if (!id || !EventIdSchema.safeParse(id).success || Number.isNaN(createdAt.getTime())) {
    throw new InputError('after is not a valid cursor', 'after');
  }
  return { createdAt, id };
}

builder.objectField(PlatformRef, 'webhookDeliveries', (t) =>
  t.connection({
    type: WebhookDeliveryRef,
    nullable: true,
    description: 'Webhook deliveries to this platform, newest first. Only the platform itself and admins may read them.',
    args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false }) },
    resolve: async (platform, args, context) => {
      const viewer = await context.requireViewer();
      if (!viewer.isAdmin && viewer.did !== platform.did) {
        throw new AuthError('FORBIDDEN', 'only the platform itself or an admin can read its webhook deliveries');
      }
      return resolveCursorConnection(
        { args: args as never, toCursor: encodeDeliveryCursor, defaultSize: 20, maxSize: 100 },
        ({ after, limit }: ResolveCursorConnectionArgs) =>
          context.services.webhooks.deliveries(platform.did, args.status ?? null, after ? decodeDeliveryCursor(after) : null, limit),
      );
    },
  }),
);

builder.mutationFields((t) => ({
  watchAgents: t.field({
    type: WatchAgentsPayloadRef,
    description: `The calling (approved) platform receives webhooks about these agents too (at most ${MAX_WATCH_BATCH} per call). Idempotent.`,
    errors: { types: [AuthError, InputError, PlatformError] },
    authScopes: { authenticated: true },
    args: { dids: t.arg.stringList({ required: true, validate: DidListSchema }) },
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
    args: { dids: t.arg.stringList({ required: true, validate: DidListSchema }) },
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
    args: { id: t.arg.id({ required: true, validate: EventIdSchema }) },
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
