import type { PlatformRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const PlatformPayloadRef = builder.objectRef<{ platform: PlatformRow }>('PlatformPayload').implement({
  fields: (t) => ({ platform: t.field({ type: PlatformRef, resolve: (payload) => payload.platform }) }),
});
