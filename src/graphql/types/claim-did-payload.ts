import type { AgentRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { AgentRef } from './agent.ts';

export const ClaimDidPayloadRef = builder.objectRef<{ agent: AgentRow }>('ClaimDidPayload').implement({
  description: 'What claimDid answers on success.',
  fields: (t) => ({ agent: t.field({ description: 'The claimed agent, as stored now.', type: AgentRef, resolve: (payload) => payload.agent }) }),
});
