import { builder } from '../builder.ts';

export const CredentialTypeEnum = builder.enumType('CredentialType', {
  description: 'What a credential attests: one escrow-verified completed task, or a signed snapshot of the trust report.',
  values: {
    TASK_COMPLETION: { description: 'A TaskCompletionCredential built on an accepted, escrow-verified receipt.' },
    REPUTATION: { description: 'A ReputationCredential: vector, score, tier, confidence and window stats; valid 30 days.' },
  } as const,
});
