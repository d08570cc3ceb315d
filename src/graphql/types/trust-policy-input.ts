import { z } from 'zod';
import { builder } from '../builder.ts';
import { TierEnum } from './tier.ts';
import { TrustWindowEnum } from './trust-window.ts';

export const TrustPolicyInputRef = builder
  .inputType('TrustPolicyInput', {
    description: 'Rules a marketplace hires by; every failed rule is reported.',
    fields: (t) => ({
      minScore: t.float({ description: 'The lowest acceptable score, 0..100.', required: false }),
      minTier: t.field({ type: TierEnum, required: false, description: 'The lowest acceptable tier (A best).' }),
      maxDisputeRate: t.float({ required: false, description: '0..1, read in `window`.' }),
      minVerifiedVolumeUsd: t.float({ required: false, description: 'Escrow-verified accepted volume in `window`.' }),
      minConfidence: t.float({ description: 'The lowest acceptable confidence, 0..1.', required: false }),
      window: t.field({ type: TrustWindowEnum, required: false, description: 'Defaults to LIFETIME.' }),
      rejectFlags: t.stringList({ description: 'Flag codes that fail the policy when present (at most 20, e.g. SELF_DEALING or ABUSIVE_CLIENT; unknown codes never match).', required: false }),
      rejectRestrictedClient: t.boolean({ required: false, description: 'Refuse agents restricted as clients.' }),
      rejectAbusiveClient: t.boolean({ required: false, description: 'Refuse agents flagged ABUSIVE_CLIENT (disputes as a buyer far above their agents\' other clients\').' }),
    }),
  })
  .validate(
    z.object({
      minScore: z.number().min(0).max(100).nullish(),
      minTier: z.enum(['A', 'B', 'C', 'D', 'F']).nullish(),
      maxDisputeRate: z.number().min(0).max(1).nullish(),
      minVerifiedVolumeUsd: z.number().min(0).nullish(),
      minConfidence: z.number().min(0).max(1).nullish(),
      window: z.enum(['D7', 'D30', 'D90', 'LIFETIME']).nullish(),
      rejectFlags: z.array(z.string().min(1).max(64)).max(20).nullish(),
      rejectRestrictedClient: z.boolean().nullish(),
      rejectAbusiveClient: z.boolean().nullish(),
    }),
  );
