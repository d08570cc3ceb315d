import { ClaimDidInputSchema } from '../../identity/agent.service.ts';
import { builder } from '../builder.ts';
import { AgentKindEnum } from './agent-kind.ts';

export const ClaimDidInputRef = builder
  .inputType('ClaimDidInput', {
    description: 'Claim the DID that signed the bearer token.',
    fields: (t) => ({
      displayName: t.string({ required: false }),
      kind: t.field({ type: AgentKindEnum, required: false }),
    }),
  })
  .validate(ClaimDidInputSchema);
