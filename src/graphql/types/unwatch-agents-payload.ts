import type { WatchResult } from '../../webhooks/webhook.service.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const UnwatchAgentsPayloadRef = builder.objectRef<WatchResult>('UnwatchAgentsPayload').implement({
  description: 'What unwatchAgents answers on success.',
  fields: (t) => ({
    platform: t.field({ description: 'The platform whose watch list changed.', type: PlatformRef, resolve: (payload) => payload.platform }),
    dids: t.stringList({ description: 'The DIDs asked for, without repeats; none of them is watched now.', resolve: (payload) => payload.dids }),
    removed: t.int({ description: 'How many were watched before.', resolve: (payload) => payload.changed }),
  }),
});
