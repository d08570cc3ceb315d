import type { AgentRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { AgentRef } from './agent.ts';

export const ClaimDidPayloadRef = builder.objectRef<{ agent: AgentRow }>('ClaimDidPayload').implement({
  fields: (t) => ({ agent: t.field({ type: AgentRef, resolve: (payload) => payload.agent }) }),
});
