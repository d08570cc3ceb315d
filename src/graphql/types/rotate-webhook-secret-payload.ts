import type { PlatformRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const RotateWebhookSecretPayloadRef = builder
  .objectRef<{ platform: PlatformRow; webhookSecret: string }>('RotateWebhookSecretPayload')
  .implement({
    description: 'What rotateWebhookSecret answers on success: the new secret, shown this once.',
    fields: (t) => ({
      platform: t.field({ description: 'The platform whose secret was replaced.', type: PlatformRef, resolve: (payload) => payload.platform }),
      webhookSecret: t.exposeString('webhookSecret', {
        description: 'Shown once: every delivery from now on, retries included, is signed with it. Store it now.',
      }),
    }),
  });
