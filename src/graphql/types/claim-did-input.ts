import { ClaimDidInputSchema } from '../../identity/agent.service.ts';
import { builder } from '../builder.ts';
import { AgentKindEnum } from './agent-kind.ts';

export const ClaimDidInputRef = builder
  .inputType('ClaimDidInput', {
    description: 'Claim the DID that signed the bearer token.',
    fields: (t) => ({
      displayName: t.string({ description: 'The name shown on the profile page and in lists: 1 to 100 characters after trimming, no control characters. Omitted: unchanged (a first claim has none).', required: false }),
      kind: t.field({ description: 'What stands behind the DID. Omitted: unchanged (a first claim is AGENT).', type: AgentKindEnum, required: false }),
    }),
  })
  .validate(ClaimDidInputSchema);
