import type { WatchResult } from '../../webhooks/webhook.service.ts';
import { builder } from '../builder.ts';
import { PlatformRef } from './platform.ts';

export const WatchAgentsPayloadRef = builder.objectRef<WatchResult>('WatchAgentsPayload').implement({
  description: 'What watchAgents answers on success.',
  fields: (t) => ({
    platform: t.field({ description: 'The platform whose watch list changed.', type: PlatformRef, resolve: (payload) => payload.platform }),
    dids: t.stringList({ description: 'The DIDs asked for, without repeats; all of them are watched now.', resolve: (payload) => payload.dids }),
    added: t.int({ description: 'How many were not watched before.', resolve: (payload) => payload.changed }),
  }),
});
