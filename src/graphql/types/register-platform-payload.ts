import type { RegisteredPlatform } from '../../identity/platform.service.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const RegisterPlatformPayloadRef = builder.objectRef<RegisteredPlatform>('RegisterPlatformPayload').implement({
  fields: (t) => ({
    platform: t.field({ type: PlatformRef, resolve: (payload) => payload.platform }),
    webhookSecret: t.exposeString('webhookSecret', {
      description: 'Shown once: webhooks are signed with it. Store it now.',
    }),
  }),
});
