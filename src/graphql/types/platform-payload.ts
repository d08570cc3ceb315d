import type { PlatformRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const PlatformPayloadRef = builder.objectRef<{ platform: PlatformRow }>('PlatformPayload').implement({
  description: 'What approvePlatform and suspendPlatform answer on success.',
  fields: (t) => ({ platform: t.field({ description: 'The platform, as stored now.', type: PlatformRef, resolve: (payload) => payload.platform }) }),
});
