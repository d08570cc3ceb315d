import type { RegisteredPlatform } from '../../identity/platform.service.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const RegisterPlatformPayloadRef = builder.objectRef<RegisteredPlatform>('RegisterPlatformPayload').implement({
  description: 'What registerPlatform answers on success: the platform and its webhook secret, shown this once.',
  fields: (t) => ({
    platform: t.field({ description: 'The new platform, PENDING until an admin approves it.', type: PlatformRef, resolve: (payload) => payload.platform }),
    webhookSecret: t.exposeString('webhookSecret', {
      description: 'Shown once: webhooks are signed with it. Store it now.',
    }),
  }),
});
